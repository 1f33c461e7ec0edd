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


# --- the print shop's checks -------------------------------------------------------

PRINT_POSTER = Output("poster", "A4", ("nl", "ar"), "print")


def altered(source: Path, target: Path, change) -> Path:
    with pikepdf.open(source) as pdf:
        change(pdf)
        pdf.save(target)
    return target


def test_output_intent_rule(full_build: Path, tmp_path: Path) -> None:
    def drop(pdf: pikepdf.Pdf) -> None:
        del pdf.Root["/OutputIntents"]

    def rgb_profile(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OutputIntents[0].DestOutputProfile.N = 3

    source = full_build / PRINT_POSTER.path
    assert "0 GTS_PDFX output intents" in check(PRINT_POSTER, altered(
        source, tmp_path / "a.pdf", drop))["intent"]
    assert "not a CMYK output" in check(PRINT_POSTER, altered(
        source, tmp_path / "b.pdf", rgb_profile))["intent"]


def test_rgb_rule(full_build: Path, tmp_path: Path) -> None:
    def rgb_text(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].contents_add(b"q 1 0 0 rg 10 10 5 5 re f Q")

    def rgb_group(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].obj.Group = pikepdf.Dictionary(S=pikepdf.Name.Transparency,
                                                    CS=pikepdf.Name.DeviceRGB)

    source = full_build / PRINT_POSTER.path
    assert "`rg` sets an RGB colour" in check(PRINT_POSTER, altered(
        source, tmp_path / "a.pdf", rgb_text))["rgb"]
    assert "transparency group in DeviceRGB" in check(PRINT_POSTER, altered(
        source, tmp_path / "b.pdf", rgb_group))["rgb"]


def test_marks_rule(full_build: Path, tmp_path: Path) -> None:
    def no_margin(pdf: pikepdf.Pdf) -> None:
        for page in pdf.pages:
            page.obj.MediaBox = page.obj.BleedBox

    broken = altered(full_build / PRINT.path, tmp_path / "a.pdf", no_margin)
    assert "reaches only 0.0 mm beyond the bleed" in check(PRINT, broken)["marks"]


def test_black_text_rule(full_build: Path, tmp_path: Path) -> None:
    def rich_black(pdf: pikepdf.Pdf) -> None:
        for page in pdf.pages:
            data = page.obj.Contents.read_bytes() if isinstance(
                page.obj.Contents, pikepdf.Stream) else b"".join(
                c.read_bytes() for c in page.obj.Contents)
            page.obj.Contents = pdf.make_stream(
                data.replace(b"0 0 0 1 scn", b"0.75 0.55 0.45 0.6 scn"))

    broken = altered(full_build / PRINT.path, tmp_path / "a.pdf", rich_black)
    assert "text in four-colour black (C75% M55% Y45% K60%" in check(PRINT, broken)["black"]


def test_print_ready_turns_every_rgb_into_cmyk(tmp_path: Path) -> None:
    """An RGB image and RGB vectors (a school's PNG or SVG logo) come out CMYK."""
    from PIL import Image

    from kit.pdf.printready import make_print_ready, rgb_to_cmyk
    from kit.pdf.streams import rgb_uses
    from kit.plan import CONDITIONS

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    page = pdf.pages[0]
    page.obj.TrimBox = [10, 10, 190, 190]
    page.obj.BleedBox = [0, 0, 200, 200]
    page.obj.Group = pikepdf.Dictionary(S=pikepdf.Name.Transparency, CS=pikepdf.Name.DeviceRGB)
    image = pikepdf.Stream(pdf, Image.new("RGB", (4, 4), (67, 160, 71)).tobytes(),
                           Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=4,
                           Height=4, BitsPerComponent=8, ColorSpace=pikepdf.Name.DeviceRGB)
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.contents_add(b"q 40 0 0 40 20 20 cm /Im0 Do Q")
    page.contents_add(b"q 0 0 0 rg 0 0 1 RG 100 100 20 20 re B Q")
    source = io.BytesIO()
    pdf.save(source)
    assert len(rgb_uses(pikepdf.open(io.BytesIO(source.getvalue())))) == 3

    ready = pikepdf.open(io.BytesIO(source.getvalue()))
    make_print_ready(ready, CONDITIONS["fogra29"])
    assert rgb_uses(ready) == []
    assert str(ready.Root.OutputIntents[0].OutputConditionIdentifier) == "FOGRA29"
    image = ready.pages[0].obj.Resources.XObject.Im0
    assert image.ColorSpace == pikepdf.Name.DeviceCMYK
    pixel = pikepdf.PdfImage(image).as_pil_image().getpixel((0, 0))
    assert pixel == tuple(round(v * 255) for v in rgb_to_cmyk(67 / 255, 160 / 255, 71 / 255))
    ops = [(tuple(float(v) for v in o), str(op))
           for o, op in pikepdf.parse_content_stream(ready.pages[0].obj)
           if str(op) in {"k", "K"}]
    assert ((0.0, 0.0, 0.0, 1.0), "k") in ops  # black text stays one ink
    media = [float(v) for v in ready.pages[0].obj.MediaBox]
    assert media[0] < 0 and media[2] > 200  # room for the marks beyond the bleed


# --- the screen reader's checks ----------------------------------------------------

SCREEN_AR = Output("brochure", "A5", ("nl", "ar"), "screen")


def _elements(pdf: pikepdf.Pdf, role: str) -> list[pikepdf.Dictionary]:
    from kit.pdf.accessible import _elements as walk

    return [e for e in walk(pdf.Root.StructTreeRoot) if role == e.S]


def test_other_languages_are_tagged_and_announced(full_build: Path) -> None:
    with pikepdf.open(full_build / SCREEN_AR.path) as pdf:
        assert str(pdf.Root.Lang) == "nl"
        cells = _elements(pdf, "/TD")
        assert {str(c.get("/Lang", "nl")) for c in cells} == {"nl", "ar"}
        assert sum(str(c.get("/Lang", "")) == "ar" for c in cells) * 2 == len(cells)


def test_tags_rule_catches_each_structure_fault(full_build: Path, tmp_path: Path) -> None:
    def no_languages(pdf: pikepdf.Pdf) -> None:
        from kit.pdf.accessible import _elements as walk

        for element in walk(pdf.Root.StructTreeRoot):
            if "/Lang" in element:
                del element["/Lang"]

    def page_number_untagged(pdf: pikepdf.Pdf) -> None:
        page = pdf.pages[1]
        ops = [([pikepdf.Name.Span, pikepdf.Dictionary(MCID=99)], pikepdf.Operator("BDC"))
               if str(op) == "BDC" and operands[0] == pikepdf.Name.Artifact
               else (operands, op) for operands, op in pikepdf.parse_content_stream(page.obj)]
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(ops))

    def unscoped(pdf: pikepdf.Pdf) -> None:
        for header in _elements(pdf, "/TH"):
            del header.A["/Scope"]

    def stray_paragraph(pdf: pikepdf.Pdf) -> None:
        item = _elements(pdf, "/LI")[0]
        body = next(k for k in item.K if k.get("/S") == "/LBody")
        item.K.append(body.K[0] if isinstance(body.K, pikepdf.Array) else body.K)

    def wrapped_item(pdf: pikepdf.Pdf) -> None:
        items = _elements(pdf, "/LI")
        item = items[0]
        wrapper = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name.Div, P=item.P,
            K=pikepdf.Array([item])))
        parent = item.P
        parent.K = pikepdf.Array([wrapper if k.objgen == item.objgen else k
                                  for k in parent.K])
        item.P = wrapper

    source = full_build / SCREEN_AR.path
    for change, expected in ((no_languages, "no structure element is marked as `ar`"),
                             (page_number_untagged, "neither in the structure tree nor an "
                                                    "artifact"),
                             (unscoped, "a table header cell has no /Scope"),
                             (stray_paragraph, "outside its LBody"),
                             (wrapped_item, "a list holds /Div where only list items belong")):
        broken = altered(source, tmp_path / f"{change.__name__}.pdf", change)
        assert expected in check(SCREEN_AR, broken)["tags"], change.__name__


def test_metadata_rule_wants_xmp_in_every_edition(full_build: Path, tmp_path: Path) -> None:
    def drop_xmp(pdf: pikepdf.Pdf) -> None:
        del pdf.Root["/Metadata"]

    for output in (BOOKLET, PRINT, SCREEN):
        assert check(output, full_build / output.path)["metadata"] is None
    broken = altered(full_build / BOOKLET.path, tmp_path / "b.pdf", drop_xmp)
    assert check(BOOKLET, broken)["metadata"] == "no XMP metadata"


def test_pdfua_checker_finds_nothing_in_the_screen_files(full_build: Path) -> None:
    """The PyPI `pdfua` checker: its machine-checkable subset of PDF/UA-1 (16 of 106 rules)."""
    from pdfua.validator import validate

    for path in sorted((full_build / "screen").glob("*/*.pdf")):
        report = validate(str(path))
        assert not report.findings, (path, report.findings[:3])
        # UA-14-001 (empty headings) crashes inside pdfua 0.1.3 on any /K array.
        assert {o.rule_id for o in report.skipped} <= {"UA-14-001"}
