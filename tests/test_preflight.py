"""Every preflight rule passes on a good file and fails on a deliberately broken one."""

from __future__ import annotations

import dataclasses
import functools
import io
import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from conftest import ROOT
from pypdf import PdfReader

from kit.manifest import sha256_file
from kit.pdf import preflight
from kit.pdf.reading import reading_text
from kit.pdf.rules import FAMILIES, RULES
from kit.pdf.rules.base import Rule
from kit.pdf.rules.geometry import footer_numbers
from kit.pdf.rules.structure import in_order
from kit.pdf.rules.text import message_texts, unhyphenated, words
from kit.plan import EDITIONS, Output
from kit.sources.content import load_content
from kit.translations import load_languages, strings_for
from kit.values import reading_text as value_text
from kit.values import right_to_left

CONTENT = load_content(ROOT / "content")
HEADINGS = CONTENT.heading_count


@functools.cache
def _strings(code: str) -> Mapping[str, str] | None:
    state = load_languages(CONTENT, ROOT / "locales", [code])[code]
    return strings_for(CONTENT, state)


def expected(output: Output) -> dict[str, tuple[str, ...]]:
    """What each language of the file must say, from the catalogs, as the build knows it."""
    return message_texts(CONTENT, output, {code: _strings(code) for code in output.languages})


def check(output: Output, path: Path, pages: int | None = None,
          expect: preflight.Expectation = preflight.NOTHING) -> dict[str, str | None]:
    count = len(PdfReader(path).pages) if pages is None else pages
    # The messages each language must say, unless the test brings its own.
    expect = dataclasses.replace(expect, messages=expect.messages or expected(output))
    return preflight.check_one(output, path, count, HEADINGS, expect)


Make = Callable[[Path, Path], Path]


def edited(change: Callable[[pikepdf.Pdf], None]) -> Make:
    """A good file changed through pikepdf and saved as another."""
    def make(source: Path, target: Path) -> Path:
        with pikepdf.open(source) as pdf:
            change(pdf)
            pdf.save(target)
        return target

    return make


def damaged(change: Callable[[bytes], bytes]) -> Make:
    """A good file changed byte by byte, where pikepdf would repair what it writes."""
    def make(source: Path, target: Path) -> Path:
        target.write_bytes(change(source.read_bytes()))
        return target

    return make


def rewrite(source: Path, target: Path, change: Callable[[pikepdf.Pdf], None]) -> Path:
    return edited(change)(source, target)


@dataclass(frozen=True)
class Break:
    """A good file broken one way, and what the rule must then say."""

    output: Output
    make: Make
    expected: str
    # The good file, when it is another than `output`'s own: `output` then
    # states what the broken file is judged against.
    source: Output | None = None
    # What the broken file's reader must find in it (a school's values).
    expect: preflight.Expectation = preflight.NOTHING


LEAFLET = "cyberpesten"
POSTER = Output("poster", "A4", ("nl",), "screen", leaflet=LEAFLET)
PRINT = Output("brochure", "A5", ("nl",), "print", leaflet=LEAFLET)
BOOKLET = Output("brochure", "A5", ("ar",), "office", leaflet=LEAFLET)
SCREEN = Output("brochure", "A5", ("nl", "ti"), "screen", leaflet=LEAFLET)
SCREEN_AR = Output("brochure", "A5", ("nl", "ar"), "screen", leaflet=LEAFLET)
SCREEN_UR = Output("brochure", "A5", ("ur",), "screen", leaflet=LEAFLET)
SCREEN_AR_ONLY = Output("brochure", "A5", ("ar",), "screen", leaflet=LEAFLET)
PRINT_POSTER = Output("poster", "A4", ("nl", "ar"), "print", leaflet=LEAFLET)
# A bilingual print poster judged as a school's multilingual one, for its size floor.
MULTI_POSTER = Output("poster", "A4", ("nl", "ar", "fr"), "print", leaflet=LEAFLET)


def _contents(pdf: pikepdf.Pdf, page: pikepdf.Page) -> bytes:
    contents = page.obj.Contents
    if isinstance(contents, pikepdf.Stream):
        return contents.read_bytes()
    return b"\n".join(c.read_bytes() for c in contents)


def _shrink(pdf: pikepdf.Pdf) -> None:
    pdf.pages[0].obj.MediaBox = [0, 0, 500, 700]


def _extra_page(pdf: pikepdf.Pdf) -> None:
    pdf.pages.append(pdf.pages[0])


def _reorder(pdf: pikepdf.Pdf) -> None:
    pdf.pages.reverse()


def _scale_down(pdf: pikepdf.Pdf) -> None:
    # Everything on the page at half its size: the letters too.
    pdf.pages[0].contents_add(b"q 0.5 0 0 0.5 0 0 cm", prepend=True)
    pdf.pages[0].contents_add(b"Q")


def _drop_last_bookmark(pdf: pikepdf.Pdf) -> None:
    with pdf.open_outline() as outline:
        outline.root[-1].children.pop()


def _untag(pdf: pikepdf.Pdf) -> None:
    del pdf.Root["/StructTreeRoot"]


def _no_title(pdf: pikepdf.Pdf) -> None:
    pdf.docinfo.Title = ""


def _bad_xref(data: bytes) -> bytes:
    at = data.rindex(b"startxref") + len(b"startxref\n")
    return data[:at] + b"12" + data[at:]  # a wrong cross-reference offset


def _system_font(pdf: pikepdf.Pdf) -> None:
    fonts = pdf.pages[0].obj.Resources.Font
    fonts.FX = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))


def _keep(_: pikepdf.Pdf) -> None:
    """No change: the file is judged against the wrong expectations."""


def _drop_trim(pdf: pikepdf.Pdf) -> None:
    del pdf.pages[0].obj["/TrimBox"]


def _drop_intent(pdf: pikepdf.Pdf) -> None:
    del pdf.Root["/OutputIntents"]


def _rgb_fill(pdf: pikepdf.Pdf) -> None:
    pdf.pages[0].contents_add(b"q 1 0 0 rg 10 10 5 5 re f Q")


def _no_margin(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        page.obj.MediaBox = page.obj.BleedBox


def _rich_black(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        page.obj.Contents = pdf.make_stream(_contents(pdf, page).replace(
            b"0 0 0 1 scn", b"0.75 0.55 0.45 0.6 scn"))


def _marks_inside(pdf: pikepdf.Pdf) -> None:
    # The marks drawn 20 pt up and to the right: those at the left and foot reach
    # into the bleed, though the sheet is as large as before.
    page = pdf.pages[0]
    page.obj.Contents = pdf.make_stream(_contents(pdf, page).replace(
        b"q /KitRegistration CS", b"q 1 0 0 1 20 20 cm /KitRegistration CS"))


def _open_script(pdf: pikepdf.Pdf) -> None:
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript,
                                             JS=pikepdf.String("app.alert('hi')"))


def _title_off(pdf: pikepdf.Pdf) -> None:
    pdf.Root.ViewerPreferences.DisplayDocTitle = False


def _skip_level(pdf: pikepdf.Pdf) -> None:
    first = next(e for e in in_order(pdf.Root.StructTreeRoot) if e.S == "/H2")
    first.S = pikepdf.Name.H3


def _empty_div(pdf: pikepdf.Pdf) -> None:
    document = next(in_order(pdf.Root.StructTreeRoot))
    empty = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem,
                                                 S=pikepdf.Name.Div, P=document))
    if not isinstance(document.K, pikepdf.Array):
        document.K = pikepdf.Array([document.K])
    document.K.append(empty)


def _dutch_untagged(pdf: pikepdf.Pdf) -> None:
    for element in in_order(pdf.Root.StructTreeRoot):
        if element.S == "/Span" and str(element.get("/Lang", "")) == "nl":
            del element["/Lang"]


def _shift_left(pdf: pikepdf.Pdf) -> None:
    # The cover's text moved 30 mm to the left: across the trim.
    pdf.pages[0].contents_add(b"q 1 0 0 1 -85 0 cm", prepend=True)
    pdf.pages[0].contents_add(b"Q")


def _widen(pdf: pikepdf.Pdf) -> None:
    # A page of the parallel text drawn a third wider: the Dutch runs into the gutter.
    pdf.pages[2].contents_add(b"q 1.35 0 0 1 0 0 cm", prepend=True)
    pdf.pages[2].contents_add(b"Q")


# The Dutch brochure names the publisher on its cover and in its colophon,
# then the source's address: a school's values expected the other way round
# come back out of order.
PUBLISHER = ("name", "Vlaamse overheid, Departement Onderwijs en Vorming")
SOURCE = ("web", "onderwijs.vlaanderen.be")
DUTCH_SCREEN = Output("brochure", "A5", ("nl",), "screen", leaflet=LEAFLET)
SCHOOL_SCREEN = Output("brochure", "A5", ("nl",), "screen", "example", leaflet=LEAFLET)

def _no_actual_text(pdf: pikepdf.Pdf) -> None:
    for element in in_order(pdf.Root.StructTreeRoot):
        if "/ActualText" in element:
            del element["/ActualText"]


# Each rule's code, and a good file broken so that the rule must fail it.
BREAKS: dict[str, Break] = {
    "GEO001": Break(POSTER, edited(_shrink), "expected 210 × 297 mm"),
    "GEO002": Break(POSTER, edited(_extra_page), "a poster must be one page"),
    "GEO003": Break(BOOKLET, edited(_reorder), "sheets are out of order"),
    "GEO004": Break(MULTI_POSTER, edited(_scale_down), "below the 10 pt floor",
                    source=PRINT_POSTER),
    "STR001": Break(PRINT, edited(_drop_last_bookmark), "the plan expects"),
    "STR002": Break(SCREEN, edited(_untag), "not tagged (no structure tree)"),
    "STR003": Break(POSTER, edited(_no_title), "metadata has no Title"),
    "STR004": Break(POSTER, damaged(_bad_xref), "qpdf --check"),
    "TXT001": Break(POSTER, edited(_system_font), "font /Helvetica is not embedded"),
    # The Dutch poster declared as Arabic: no Arabic text to extract.
    "TXT002": Break(Output("poster", "A4", ("ar",), "screen", leaflet=LEAFLET), edited(_keep),
                    "no extractable Arab text for `ar`", source=POSTER),
    # Urdu read through its glyphs alone: half of the Nastaliq glyphs map to nothing.
    "TXT003": Break(SCREEN_UR, edited(_no_actual_text), "of the `ur` words come back from the "
                    "text layer, not all"),
    # The Arabic brochure read through its glyphs: the credit lines' brackets reversed.
    "TXT004": Break(SCREEN_AR_ONLY, edited(_no_actual_text), "a bracket comes back reversed: "),
    "PRN001": Break(PRINT, edited(_drop_trim), "page 1 has no TrimBox or BleedBox"),
    "PRN002": Break(PRINT_POSTER, edited(_drop_intent), "0 GTS_PDFX output intents"),
    "PRN003": Break(PRINT_POSTER, edited(_rgb_fill), "`rg` sets an RGB colour"),
    "PRN004": Break(PRINT, edited(_no_margin), "reaches only 0.0 mm beyond the bleed"),
    "PRN005": Break(PRINT, edited(_rich_black), "text in four-colour black (C75% M55% Y45% K60%"),
    "PRN006": Break(PRINT, edited(_marks_inside), "page 1: a crop mark at (-1.9, 7.1) mm reaches "
                    "inside the bleed"),
    "STR005": Break(POSTER, edited(_open_script), "(/Catalog) at /OpenAction"),
    "STR006": Break(SCREEN, edited(_title_off), "/DisplayDocTitle is not true"),
    "STR007": Break(SCREEN, edited(_skip_level), "H1 is followed by H3: a heading level is "
                    "skipped"),
    "STR008": Break(SCREEN, edited(_empty_div), "an empty Div structure element"),
    "STR009": Break(SCREEN_AR, edited(_dutch_untagged), "the `ar` text holds 0 Dutch (nl) parts"),
    "GEO005": Break(PRINT, edited(_shift_left), "runs beyond the trim less 3 mm"),
    "GEO006": Break(SCREEN, edited(_widen), "runs out of its column into the other language's"),
    "VAL001": Break(SCHOOL_SCREEN, edited(_keep), "the name `Vlaamse overheid, Departement "
                    "Onderwijs en Vorming` comes back out of order", source=DUTCH_SCREEN,
                    expect=preflight.Expectation((SOURCE, PUBLISHER))),
}


def test_every_rule_is_documented_and_named_once() -> None:
    codes = [rule.code for rule in RULES]
    names = [rule.name for rule in RULES]
    assert len(set(codes)) == len(codes) and len(set(names)) == len(names)
    assert all(re.fullmatch(r"[A-Z]{3}\d{3}", code) for code in codes)
    with pytest.raises(ValueError, match="three capitals"):
        Rule("PRN01", "short", lambda _: True, lambda _: iter(()))
    assert all(rule.doc for rule in RULES), [r.code for r in RULES if not r.doc]
    # The prefix names the family the rule is defined in.
    for family in FAMILIES:
        assert len({rule.code[:3] for rule in family.RULES}) == 1, family.__name__
    assert set(preflight.PROFILES) == set(EDITIONS)
    assert {c for profile in preflight.PROFILES.values() for c in profile} <= set(codes)


def test_every_rule_has_a_breaking_file() -> None:
    assert set(BREAKS) == {rule.code for rule in RULES}


@pytest.mark.parametrize("code", sorted(BREAKS))
def test_each_rule_fails_its_broken_file(full_build: Path, tmp_path: Path, code: str) -> None:
    case = BREAKS[code]
    rule = next(r for r in RULES if r.code == code)
    assert rule.applies(case.output)
    good = case.source or case.output
    source = full_build / good.path
    assert check(good, source)[rule.name] is None  # the good file passes
    broken = case.make(source, tmp_path / f"{code}.pdf")
    verdict = check(case.output, broken, expect=case.expect)[rule.name]
    assert verdict is not None and case.expected in verdict, verdict


def test_a_rule_reports_every_finding_not_only_the_first(full_build: Path,
                                                         tmp_path: Path) -> None:
    def two_fonts(pdf: pikepdf.Pdf) -> None:
        _system_font(pdf)
        pdf.pages[0].obj.Resources.Font.FY = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Courier))

    broken = rewrite(full_build / POSTER.path, tmp_path / "p.pdf", two_fonts)
    found = [f for f in preflight.findings(POSTER, broken, 1, HEADINGS) if f.code == "TXT001"]
    assert sorted(f.message for f in found) == ["font /Courier is not embedded",
                                                "font /Helvetica is not embedded"]
    assert {f.page for f in found} == {1}


def test_each_tool_runs_once_per_file(full_build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules share the subject's views: pdftotext runs at most once per mode."""
    calls: list[tuple[str, ...]] = []
    real = subprocess.run

    def counted(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        calls.append(tuple(args[:-2]))
        return real(args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "run", counted)
    path = full_build / BOOKLET.path
    preflight.findings(BOOKLET, path, len(PdfReader(path).pages), HEADINGS)
    assert calls and len(calls) == len(set(calls)), calls


@pytest.mark.parametrize("output", [POSTER, PRINT, BOOKLET, SCREEN, SCREEN_UR])
def test_good_files_pass_every_rule(full_build: Path, output: Output) -> None:
    path = full_build / output.path
    assert preflight.problems_of(output, path, len(PdfReader(path).pages), HEADINGS,
                                 preflight.Expectation(messages=expected(output))) == []


def test_page_count_rule_holds_the_build_to_its_record(full_build: Path,
                                                       tmp_path: Path) -> None:
    broken = rewrite(full_build / POSTER.path, tmp_path / "p.pdf", _extra_page)
    assert "the build recorded 1" in check(POSTER, broken, pages=1)["pages"]


def test_sections_rule_counts_against_the_content(full_build: Path) -> None:
    # The same file judged against content with one more section: one is missing.
    source = full_build / PRINT.path
    verdict = preflight.check_one(PRINT, source, len(PdfReader(source).pages), HEADINGS + 1)
    assert "a section is missing or laid out twice" in verdict["sections"]


def test_imposed_order_matches_saddle_stitch_for_both_directions(full_build: Path) -> None:
    for langs, rtl in ((("nl",), False), (("fa",), True)):
        output = Output("brochure", "A5", langs, "office", leaflet=LEAFLET)
        path = full_build / output.path
        with pikepdf.open(path) as pdf:
            subject = preflight.Subject(output, path, len(pdf.pages), pdf, HEADINGS)
            found = footer_numbers(subject.page_sizes, subject.words)
        outer = found[0]
        inner = found[1]
        # The outside of the first sheet shows no page numbers (covers); its
        # inside shows page 2 beside the second-last page, mirrored for RTL.
        assert outer == (None, None)
        assert (inner[1] if rtl else inner[0]) == 2


# --- the print shop's checks -------------------------------------------------------

def test_output_intent_rule_wants_a_cmyk_profile(full_build: Path, tmp_path: Path) -> None:
    def rgb_profile(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OutputIntents[0].DestOutputProfile.N = 3

    broken = rewrite(full_build / PRINT_POSTER.path, tmp_path / "b.pdf", rgb_profile)
    assert "not a CMYK output" in check(PRINT_POSTER, broken)["intent"]


def test_rgb_rule_finds_an_rgb_group(full_build: Path, tmp_path: Path) -> None:
    def rgb_group(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].obj.Group = pikepdf.Dictionary(S=pikepdf.Name.Transparency,
                                                    CS=pikepdf.Name.DeviceRGB)

    broken = rewrite(full_build / PRINT_POSTER.path, tmp_path / "b.pdf", rgb_group)
    assert "transparency group in DeviceRGB" in check(PRINT_POSTER, broken)["rgb"]


def _resources(pdf: pikepdf.Pdf, kind: str) -> pikepdf.Dictionary:
    resources = pdf.pages[0].obj.Resources
    if kind not in resources:
        resources[kind] = pikepdf.Dictionary()
    return resources[kind]


def _icc_rgb(pdf: pikepdf.Pdf) -> None:
    profile = pikepdf.Stream(pdf, b"\0" * 128, N=3)
    _resources(pdf, "/ColorSpace").CS9 = pikepdf.Array([pikepdf.Name.ICCBased, profile])
    pdf.pages[0].contents_add(b"q /CS9 cs 1 0 0 sc 10 10 5 5 re f Q")


def _named_device_rgb(pdf: pikepdf.Pdf) -> None:
    _resources(pdf, "/ColorSpace").CS8 = pikepdf.Name.DeviceRGB
    pdf.pages[0].contents_add(b"q /CS8 CS 0 0 1 SC 10 10 m 20 20 l S Q")


def _rgb_shading(pdf: pikepdf.Pdf) -> None:
    _resources(pdf, "/Shading").Sh9 = pikepdf.Dictionary(
        ShadingType=2, ColorSpace=pikepdf.Name.DeviceRGB, Coords=[0, 0, 10, 0],
        Function=pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[1, 0, 0], C1=[0, 0, 1],
                                    N=1))
    pdf.pages[0].contents_add(b"q 10 10 5 5 re W n /Sh9 sh Q")


def _rgb_inline_image(pdf: pikepdf.Pdf) -> None:
    pdf.pages[0].contents_add(b"q 10 0 0 10 0 0 cm BI /W 1 /H 1 /CS /RGB /BPC 8 ID \xff\0\0 EI Q")


def _rgb_appearance(pdf: pikepdf.Pdf) -> None:
    appearance = pikepdf.Stream(pdf, b"1 0 0 rg 0 0 5 5 re f", Type=pikepdf.Name.XObject,
                                Subtype=pikepdf.Name.Form, BBox=[0, 0, 5, 5])
    annotation = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Square, Rect=[10, 10, 15, 15],
        AP=pikepdf.Dictionary(N=appearance)))
    page = pdf.pages[0].obj
    page.Annots = pikepdf.Array([*page.get("/Annots", pikepdf.Array()), annotation])


@pytest.mark.parametrize(("change", "expected"), [
    (_icc_rgb, "page 1: `cs` sets an RGB colour"),
    (_named_device_rgb, "page 1: `CS` sets an RGB colour"),
    (_rgb_shading, "page 1: `sh` paints an RGB shading (/Sh9)"),
    (_rgb_inline_image, "page 1: an RGB inline image"),
    (_rgb_appearance, "page 1, annotation appearance: `rg` sets an RGB colour"),
])
def test_rgb_rule_finds_every_way_in(full_build: Path, tmp_path: Path,
                                     change: Callable[[pikepdf.Pdf], None], expected: str) -> None:
    broken = rewrite(full_build / PRINT_POSTER.path, tmp_path / "b.pdf", change)
    assert expected in (check(PRINT_POSTER, broken)["rgb"] or "")


def test_check_judges_a_file_whose_checksum_differs(full_build: Path, manifest: list[dict],
                                                    tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A changed file is not only "changed": the rules still say what is wrong with it."""
    entry = next(e for e in manifest if e["path"] == PRINT_POSTER.path)
    broken = tmp_path / entry["path"]
    broken.parent.mkdir(parents=True)
    rewrite(full_build / entry["path"], broken, _rgb_fill)
    failures = preflight.check_manifest(tmp_path, [entry], lambda _: HEADINGS)
    assert failures[0].endswith("checksum: the file differs from the one the build wrote "
                                "and listed")
    assert any("rgb: RGB in a print file: page 1: `rg` sets an RGB colour [PRN003]" in f
               for f in failures), failures
    assert "FAIL" in capsys.readouterr().out


def _no_drawn_text(pdf: pikepdf.Pdf) -> None:
    """Drop the ActualText of every marked-content sequence: text read through glyphs alone."""
    streams = []
    for page in pdf.pages:
        streams.append(page.obj)
        xobjects = page.obj.get("/Resources", pikepdf.Dictionary()).get("/XObject", {})
        streams += [x for x in xobjects.values() if x.get("/Subtype") == pikepdf.Name.Form]
    for stream in streams:
        operations = []
        for operands, operator in pikepdf.parse_content_stream(stream):
            if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary):
                operands[1] = pikepdf.Dictionary(
                    {k: v for k, v in operands[1].items() if k != "/ActualText"})
            operations.append((operands, operator))
        data = pikepdf.unparse_content_stream(operations)
        if isinstance(stream, pikepdf.Stream):
            stream.write(data)
        else:
            stream.Contents = pdf.make_stream(data)


def test_a_hyphen_joins_a_word_only_within_its_script() -> None:
    """pdftotext may follow a Dutch line's hyphenated half with the Amharic column's line."""
    assert words(unhyphenated("voorko\u2010\nmen")) == words("voorkomen")
    assert words(unhyphenated("gebruikers\u2010\n\nየኢሜይል አድራሻ")) == words("gebruikers የኢሜይል አድራሻ")
    assert words(unhyphenated("slacht\u2010 offer")) == words("slachtoffer")


def test_office_and_print_files_give_their_words_back(full_build: Path, tmp_path: Path) -> None:
    """An untagged file's ActualText, in drawing order, gives pdftotext every word.

    Read through the glyphs alone, the Urdu brochure gave about a fifth of its
    words and the Persian one missed its non-joined words.
    """
    for code, edition in (("ur", "office"), ("ur", "print"), ("fa", "office"), ("nl-fa", "print")):
        languages = tuple(code.split("-"))
        output = Output("brochure", "A5", languages, edition, leaflet=LEAFLET)
        assert check(output, full_build / output.path)["words"] is None, output.path
        glyphs = rewrite(full_build / output.path, tmp_path / f"{code}-{edition}.pdf",
                         _no_drawn_text)
        found = check(output, glyphs)["words"]
        assert found and f"of the `{languages[-1]}` words come back" in found, output.path


def test_check_reports_a_warning_without_failing(full_build: Path, manifest: list[dict],
                                                 tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A finding an edition's profile weighs as a warning is reported, and fails nothing."""
    monkeypatch.setitem(preflight.PROFILES["office"], "TXT003", "warn")
    entry = next(e for e in manifest if e["path"] == "cyberpesten/office/ur/poster-a4.pdf")
    output = Output("poster", "A4", ("ur",), "office", leaflet=LEAFLET)
    # Urdu read through its glyphs alone, the file's checksum kept: only the words fail.
    rewrite(full_build / entry["path"], tmp_path / "glyphs.pdf", _no_drawn_text)
    broken = tmp_path / entry["path"]
    broken.parent.mkdir(parents=True)
    broken.write_bytes((tmp_path / "glyphs.pdf").read_bytes())
    entry = {**entry, "sha256": sha256_file(broken)}

    def expect(_: dict) -> preflight.Expectation:
        return preflight.Expectation(messages=expected(output))

    assert preflight.check_manifest(tmp_path, [entry], lambda _: HEADINGS, expect) == []
    report = capsys.readouterr().out
    assert re.search(
        r"cyberpesten/office/ur/poster-a4\.pdf\s+warn\s+warning: words: .* of the `ur` "
        r"words come back",
        report,
    ), report
    assert report.strip().endswith("1 files checked, 1 warnings, 0 problems")


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
    image = pikepdf.Stream(
        pdf,
        Image.new("RGB", (4, 4), (67, 160, 71)).tobytes(),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=4,
        Height=4,
        BitsPerComponent=8,
        ColorSpace=pikepdf.Name.DeviceRGB,
    )
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
    ops = [
        (tuple(float(v) for v in o), str(op))
        for o, op in pikepdf.parse_content_stream(ready.pages[0].obj)
        if str(op) in {"k", "K"}
    ]
    assert ((0.0, 0.0, 0.0, 1.0), "k") in ops  # black text stays one ink
    media = [float(v) for v in ready.pages[0].obj.MediaBox]
    assert media[0] < 0 and media[2] > 200  # room for the marks beyond the bleed


def test_print_ready_reads_only_streams_that_may_set_rgb() -> None:
    """A CMYK-only page keeps its stream as it is; an RGB colour space set by name is found."""
    from kit.pdf.printready import make_print_ready
    from kit.pdf.streams import rgb_uses
    from kit.plan import CONDITIONS

    pdf = pikepdf.new()
    for _ in range(2):
        pdf.add_blank_page(page_size=(200, 200))
    cmyk = b"q /DeviceCMYK cs 0 0 0 1 scn 10 10 20 20 re f Q"
    for page, content in zip(pdf.pages, (cmyk, b"q /DeviceRGB cs 1 0 0 sc 10 10 20 20 re f Q"),
                             strict=True):
        page.obj.TrimBox = [10, 10, 190, 190]
        page.obj.BleedBox = [0, 0, 200, 200]
        page.contents_add(content)
    assert len(rgb_uses(pdf)) == 1
    make_print_ready(pdf, CONDITIONS["fogra39"])
    assert rgb_uses(pdf) == []
    # The crop marks add streams of their own around the page's, which stays as it was.
    assert cmyk in [s.read_bytes() for s in pdf.pages[0].obj.Contents]
    colours = [(str(op), [str(o) if isinstance(o, pikepdf.Name) else float(o) for o in ops])
               for ops, op in pikepdf.parse_content_stream(pdf.pages[1].obj)
               if str(op) in {"cs", "sc"}]
    assert colours == [("cs", ["/DeviceCMYK"]), ("sc", [0.0, 1.0, 1.0, 0.0])]


# --- the screen reader's checks ----------------------------------------------------


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
        ops = [
            ([pikepdf.Name.Span, pikepdf.Dictionary(MCID=99)], pikepdf.Operator("BDC"))
            if str(op) == "BDC" and operands[0] == pikepdf.Name.Artifact
            else (operands, op)
            for operands, op in pikepdf.parse_content_stream(page.obj)
        ]
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
        wrapper = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.StructElem, S=pikepdf.Name.Div, P=item.P, K=pikepdf.Array([item])
            )
        )
        parent = item.P
        parent.K = pikepdf.Array([wrapper if k.objgen == item.objgen else k for k in parent.K])
        item.P = wrapper

    source = full_build / SCREEN_AR.path
    for change, expected in (
        (no_languages, "no structure element is marked as `ar`"),
        (page_number_untagged, "neither in the structure tree nor an artifact"),
        (unscoped, "a table header cell has no /Scope"),
        (stray_paragraph, "outside its LBody"),
        (wrapped_item, "a list holds /Div where only list items belong"),
    ):
        broken = rewrite(source, tmp_path / f"{change.__name__}.pdf", change)
        assert expected in check(SCREEN_AR, broken)["tags"], change.__name__


def test_a_poster_starts_with_an_h1(full_build: Path, tmp_path: Path) -> None:
    def demote(pdf: pikepdf.Pdf) -> None:
        next(e for e in in_order(pdf.Root.StructTreeRoot) if e.S == "/H1").S = pikepdf.Name.H2

    broken = rewrite(full_build / POSTER.path, tmp_path / "p.pdf", demote)
    assert check(POSTER, broken)["headings"] == "the first heading is H2, not H1"


def test_a_translation_reads_the_dutch_title_with_a_dutch_voice(full_build: Path) -> None:
    """The credit line's Dutch title and publisher are spans of their own language."""
    for output in (SCREEN_AR, Output("poster", "A4", ("ur",), "screen", leaflet=LEAFLET)):
        with pikepdf.open(full_build / output.path) as pdf:
            spans = [
                e
                for e in in_order(pdf.Root.StructTreeRoot)
                if e.S == "/Span" and str(e.get("/Lang", "")) == "nl"
            ]
            assert len(spans) >= 2, output.path


def _credit(code: str) -> str:
    """The colophon's credit line in one language, as the build fills it in."""
    document = CONTENT.document
    label = CONTENT.label("source-text")
    strings = _strings(code)
    text = label.source if strings is None else strings[label.key]
    return text.format(publisher=document.publisher, title=document.title.source,
                       source=document.source)


def test_a_screen_reader_reads_arabic_script_as_written(full_build: Path) -> None:
    """Urdu's Nastaliq, Persian's zero-width non-joiners and brackets, in logical order.

    Every run of Arabic-script text, and every run with a mirrored character,
    carries its own words as ActualText, so whole messages come back from the
    structure tree exactly as translated, and both credit lines with their
    brackets the right way round: read through the glyphs, the file's first
    right-to-left bracket decides what the bracket glyphs say, and
    ")onderwijs.vlaanderen.be(" came back in both.
    """
    for code in ("ur", "fa", "prs", "ps", "ar"):
        output = Output("brochure", "A5", (code,), "screen", leaflet=LEAFLET)
        with pikepdf.open(full_build / output.path) as pdf:
            heard = " ".join(reading_text(pdf).split())
        messages = [" ".join(m.split()) for m in expected(output)[code]]
        assert sum(m in heard for m in messages) >= len(messages) - 2, code
        if code == "fa":
            assert "می\u200cتوان" in heard  # the non-joiner survives
        # Each text box is read with a space after it: compare without spaces.
        unspaced = "".join(heard.split())
        for credit in (_credit(code), _credit("nl")):
            assert "(onderwijs.vlaanderen.be)" in credit
            assert "".join(credit.split()) in unspaced, (code, credit)


def test_metadata_rule_wants_xmp_in_every_edition(full_build: Path, tmp_path: Path) -> None:
    def drop_xmp(pdf: pikepdf.Pdf) -> None:
        del pdf.Root["/Metadata"]

    for output in (BOOKLET, PRINT, SCREEN):
        assert check(output, full_build / output.path)["metadata"] is None
    broken = rewrite(full_build / BOOKLET.path, tmp_path / "b.pdf", drop_xmp)
    assert check(BOOKLET, broken)["metadata"] == "no XMP metadata"


def test_pdfua_checker_finds_nothing_in_the_screen_files(full_build: Path,
                                                         manifest: list[dict]) -> None:
    """The PyPI `pdfua` checker: its machine-checkable subset of PDF/UA-1 (16 of 106 rules)."""
    from pdfua.validator import validate

    # Every screen file the build wrote, wherever its leaflet puts it.
    paths = [full_build / e["path"] for e in manifest if e.get("edition") == "screen"]
    assert paths, "the manifest lists no screen file"
    for path in paths:
        report = validate(str(path))
        assert not report.findings, (path, report.findings[:3])
        # UA-14-001 (empty headings) crashes inside pdfua 0.1.3 on any /K array.
        assert {o.rule_id for o in report.skipped} <= {"UA-14-001"}


def _shifted(mm: float) -> Callable[[pikepdf.Pdf], None]:
    """The cover's text moved this far to the left."""
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].contents_add(f"q 1 0 0 1 {-mm * 72 / 25.4:.2f} 0 cm".encode(), prepend=True)
        pdf.pages[0].contents_add(b"Q")

    return change


def test_trim_rule_holds_a_screen_file_to_its_page(full_build: Path, tmp_path: Path) -> None:
    """On screen the page is the limit; the 3 mm cutting tolerance is the print shop's."""
    source = full_build / DUTCH_SCREEN.path  # text starts 16 mm from the page's left edge
    assert check(DUTCH_SCREEN, source)["trim"] is None
    off = rewrite(source, tmp_path / "off.pdf", _shifted(20))
    verdict = check(DUTCH_SCREEN, off)["trim"]
    assert verdict is not None and "page 1: «" in verdict and "runs beyond the page" in verdict
    near = rewrite(source, tmp_path / "near.pdf", _shifted(14.5))
    assert check(DUTCH_SCREEN, near)["trim"] is None
    as_print = dataclasses.replace(DUTCH_SCREEN, edition="print")
    assert "runs beyond the trim less 3 mm" in (check(as_print, near)["trim"] or "")


def test_a_school_s_values_in_the_right_order_pass(full_build: Path) -> None:
    expect = preflight.Expectation((PUBLISHER, SOURCE))
    assert check(SCHOOL_SCREEN, full_build / DUTCH_SCREEN.path, expect=expect)["values"] is None


def test_values_rule_reads_right_to_left_values_as_a_screen_reader(full_build: Path) -> None:
    """A value in Arabic script: whole and in logical order from the structure tree."""
    school = dataclasses.replace(SCREEN_AR, school="example")
    path = full_build / SCREEN_AR.path
    audience = _strings("ar")["kit.cover-audience"]  # on the cover: معلومات لأولياء الأمور
    assert right_to_left(audience)
    # What poppler gives back is the visual order: it cannot judge such a value.
    assert audience not in value_text(preflight.pdf_text(path, "-raw"))
    found = check(school, path, expect=preflight.Expectation((("name", audience), PUBLISHER)))
    assert found["values"] is None
    wrong = ("name", audience.replace("الأمور", "الأمر"))
    verdict = check(school, path, expect=preflight.Expectation((wrong, PUBLISHER)))["values"]
    assert verdict is not None and f"the name `{wrong[1]}` does not come back whole" in verdict


def test_values_rule_reads_an_imposed_booklet_in_any_order(full_build: Path) -> None:
    """A booklet's sheets put its pages out of reading order: each value is found whole."""
    booklet = Output("brochure", "A5", ("nl",), "office", leaflet=LEAFLET)
    school = dataclasses.replace(booklet, school="example")
    path = full_build / booklet.path
    assert check(school, path, expect=preflight.Expectation((SOURCE, PUBLISHER)))["values"] is None
    changed = ("name", PUBLISHER[1].replace("Vorming", "Opvoeding"))
    verdict = check(school, path, expect=preflight.Expectation((SOURCE, changed)))["values"]
    assert verdict is not None and "`Vlaamse overheid, Departement Onderwijs en Opvoeding` " \
        "does not come back whole" in verdict
