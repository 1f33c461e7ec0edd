"""Every preflight rule passes on a good file and fails on a deliberately broken one."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from conftest import ROOT
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, RectangleObject

from kit.pdf import preflight
from kit.plan import Output
from kit.sources.content import load_content

HEADINGS = load_content(ROOT / "content").heading_count


def check(output: Output, path: Path, pages: int | None = None) -> dict[str, str | None]:
    count = len(PdfReader(path).pages) if pages is None else pages
    return preflight.check_one(output, path, count, HEADINGS)


def rewrite(source: Path, target: Path, change) -> Path:
    writer = PdfWriter(clone_from=PdfReader(source))
    change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    target.write_bytes(buffer.getvalue())
    return target


POSTER = Output("poster", "A4", ("nl",), "screen")
PRINT = Output("brochure", "A5", ("nl",), "print")
BOOKLET = Output("brochure", "A5", ("ar",), "office")
SCREEN = Output("brochure", "A5", ("nl", "ti"), "screen")


@pytest.mark.parametrize("output", [POSTER, PRINT, BOOKLET, SCREEN])
def test_good_files_pass_every_rule(full_build: Path, output: Output) -> None:
    results = check(output, full_build / output.path)
    assert {k: v for k, v in results.items() if v} == {}


def test_size_rule(full_build: Path, tmp_path: Path) -> None:
    def shrink(w: PdfWriter) -> None:
        w.pages[0].mediabox = RectangleObject([0, 0, 500, 700])

    broken = rewrite(full_build / POSTER.path, tmp_path / "p.pdf", shrink)
    assert "expected 210 × 297 mm" in check(POSTER, broken)["size"]


def test_page_count_rule(full_build: Path, tmp_path: Path) -> None:
    broken = rewrite(full_build / POSTER.path, tmp_path / "p.pdf",
                     lambda w: w.add_page(w.pages[0]))
    assert "a poster must be one page" in check(POSTER, broken)["pages"]
    assert "the build recorded 1" in check(POSTER, broken, pages=1)["pages"]


def test_sections_rule(full_build: Path, tmp_path: Path) -> None:
    def drop_last_bookmark(pdf: pikepdf.Pdf) -> None:
        with pdf.open_outline() as outline:
            outline.root[-1].children.pop()

    source = full_build / PRINT.path
    broken = tmp_path / "b.pdf"
    with pikepdf.open(source) as pdf:
        drop_last_bookmark(pdf)
        pdf.save(broken)
    assert "the plan expects" in check(PRINT, broken)["sections"]
    # The same file judged against content with one more section: one is missing.
    verdict = preflight.check_one(PRINT, source, len(PdfReader(source).pages), HEADINGS + 1)
    assert "a section is missing or laid out twice" in verdict["sections"]


def test_fonts_rule(full_build: Path, tmp_path: Path) -> None:
    def system_font(w: PdfWriter) -> None:
        font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                 NameObject("/Subtype"): NameObject("/Type1"),
                                 NameObject("/BaseFont"): NameObject("/Helvetica")})
        w.pages[0]["/Resources"]["/Font"][NameObject("/FX")] = w._add_object(font)

    broken = rewrite(full_build / POSTER.path, tmp_path / "p.pdf", system_font)
    assert check(POSTER, broken)["fonts"] == "font /Helvetica is not embedded"


def test_language_text_rule(full_build: Path) -> None:
    # The Dutch poster declared as Arabic: no Arabic text to extract.
    wrong = Output("poster", "A4", ("ar",), "screen")
    assert check(wrong, full_build / POSTER.path)["text"] == "no extractable Arab text for `ar`"


def test_print_boxes_rule(full_build: Path, tmp_path: Path) -> None:
    def drop_trim(w: PdfWriter) -> None:
        del w.pages[0]["/TrimBox"]

    broken = rewrite(full_build / PRINT.path, tmp_path / "p.pdf", drop_trim)
    assert check(PRINT, broken)["boxes"] == "page 1 has no TrimBox or BleedBox"


def test_screen_tags_rule(full_build: Path, tmp_path: Path) -> None:
    def untag(w: PdfWriter) -> None:
        del w._root_object["/StructTreeRoot"]

    broken = rewrite(full_build / SCREEN.path, tmp_path / "p.pdf", untag)
    assert check(SCREEN, broken)["tags"] == "not tagged (no structure tree)"


def test_metadata_rule(full_build: Path, tmp_path: Path) -> None:
    broken = rewrite(full_build / POSTER.path, tmp_path / "p.pdf",
                     lambda w: w.add_metadata({"/Title": ""}))
    assert check(POSTER, broken)["metadata"] == "metadata has no Title"


def test_imposition_order_rule(full_build: Path, tmp_path: Path) -> None:
    def swap(w: PdfWriter) -> None:
        first = w.pages[0]
        w.remove_page(0)
        w.add_page(first)

    broken = rewrite(full_build / BOOKLET.path, tmp_path / "p.pdf", swap)
    assert check(BOOKLET, broken)["order"].startswith("sheets are out of order")


def test_qpdf_rule(full_build: Path, tmp_path: Path) -> None:
    data = (full_build / POSTER.path).read_bytes()
    at = data.rindex(b"startxref") + len(b"startxref\n")
    broken = tmp_path / "p.pdf"
    broken.write_bytes(data[:at] + b"12" + data[at:])  # a wrong cross-reference offset
    assert check(POSTER, broken)["qpdf"].startswith("qpdf --check")


def test_imposed_order_matches_saddle_stitch_for_both_directions(full_build: Path) -> None:
    for langs, rtl in ((("nl",), False), (("fa",), True)):
        found = preflight.footer_numbers(full_build / Output("brochure", "A5", langs,
                                                             "office").path)
        outer = found[0]
        inner = found[1]
        # The outside of the first sheet shows no page numbers (covers); its
        # inside shows page 2 beside the second-last page, mirrored for RTL.
        assert outer == (None, None)
        assert (inner[1] if rtl else inner[0]) == 2
