"""The stress corpus: the hardest realistic schools, their files in every language.

The first school's brochures in every language alone and beside the Dutch,
its posters (the multilingual one in Urdu, Arabic, Tigrinya and Chinese) and
its printing guide; the print shop's brochures of a few language sets; the
second school (every other role) beside the languages that write their own
digits. The build checks every file as it writes it (the line rules on its
layout, the value, geometry and text rules on the file): a build that
succeeds has passed them all. These tests also read the values back
themselves.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import HARD_ROLES, ROOT, run_build
from pypdf import PdfReader

from kit.pdf.reading import reading_text as structure_text
from kit.sources.content import load_content
from kit.sources.languages import known_languages
from kit.sources.school import ROLES, load_school
from kit.translations import load_languages, translations_for
from kit.values import reading_text, right_to_left, school_values, value_pattern

PROFILE = ROOT / "tests/corpus/hard-school.yaml"
TRANSLATIONS = [c for c in known_languages() if c != "nl"]
SCREEN = "schools/hard-school/cyberpesten/screen"
POSTERS = [f"{langs}/poster-{paper}.pdf" for langs in ("nl", "multilingual")
           for paper in ("a4", "a3")]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of the corpus school's screen edition: brochures, posters, guide."""
    out = tmp_path_factory.mktemp("corpus")
    result = run_build("--strict", "--school", str(PROFILE), "--product", "brochure",
                       "--product", "poster", "--edition", "screen", "--output", str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


def values_missing(path: Path, values: tuple[tuple[str, str], ...]) -> list[str]:
    """The values that do not come back whole and in order, read as the preflight reads them,
    or that break where the kit never breaks them (an address at a hyphen or a space).

    Right-to-left values (the contact named in Arabic script, Persian hours)
    as a screen reader reads them, from the structure tree: poppler gives
    them in visual order, so an untagged file cannot be judged on them.
    """
    drawn = reading_text(subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
                                        capture_output=True, text=True, check=True).stdout)
    with pikepdf.open(path) as pdf:
        structure = (reading_text(structure_text(pdf)) if "/StructTreeRoot" in pdf.Root
                     else None)
    missing = []
    for text, rtl in ((drawn, False), (structure, True)):
        if text is None:
            continue
        position = 0
        for kind, value in (v for v in values if right_to_left(v[1]) == rtl):
            found = value_pattern(kind, value).search(text, position)
            if found is None:
                missing.append(f"{kind} {value!r}")
                continue
            if kind in {"email", "web", "address"} and re.search(r"-\n|[^@./,]\n", found[0]):
                missing.append(f"{kind} {value!r} broken at a hyphen or a space")
            position = found.end()
    return missing


def test_the_corpus_is_as_hard_as_promised() -> None:
    school = load_school(PROFILE, TRANSLATIONS)
    assert len(school.name) == 60
    assert len(school.contacts) == 4
    assert any(len(c.email or "") >= 40 and "-" in (c.email or "") for c in school.contacts)
    assert any(re.search("[\u0600-\u06ff]", c.name) for c in school.contacts)
    assert sorted(school.languages) == sorted(TRANSLATIONS)
    second = load_school(HARD_ROLES, TRANSLATIONS)
    assert len(second.name) == 60 and len(second.contacts) == 4
    assert second.contacts[0].role == "secretariaat"
    assert {c.role for c in (*school.contacts, *second.contacts)} == set(ROLES.values())
    assert any(re.search("[\u0600-\u06ff]", c.name) for c in second.contacts)
    hours = second.contacts[0].hours
    assert hours is not None and len(hours.groups()) >= 4


def read_back(pdf: Path, langs: str, profile: Path = PROFILE) -> None:
    """Every value of a brochure, whole and in order, broken only after "@", ".", "/" or ","."""
    school = load_school(profile, TRANSLATIONS)
    values = school_values(school, "brochure", tuple(langs.split("-")))
    assert len(values) > 12
    assert values_missing(pdf, values) == [], f"cut, reordered or broken wrongly in {langs}"


@pytest.mark.parametrize("langs", ["nl", *TRANSLATIONS, *(f"nl-{c}" for c in TRANSLATIONS)])
def test_every_value_comes_back_whole_and_in_order(corpus: Path, langs: str) -> None:
    read_back(corpus / SCREEN / langs / "brochure-a5.pdf", langs)


@pytest.fixture(scope="module")
def corpus_print(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The print shop's brochures of a few language sets: bleed, crop marks, hyphenation."""
    out = tmp_path_factory.mktemp("corpus-print")
    languages = [arg for code in PRINT_LANGUAGES for arg in ("--lang", code)]
    result = run_build("--strict", "--school", str(PROFILE), "--product", "brochure",
                       "--edition", "print", *languages, "--output", str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / "schools/hard-school/cyberpesten/print"


# Beside the Dutch, the columns where long addresses ran out of the page or
# broke at their hyphens (Georgian, Greek, Spanish); Arabic alone, right to left.
PRINT_LANGUAGES = ["ka", "el", "es", "ar"]
PRINT_SETS = ["nl-ka", "nl-el", "nl-es", "ar"]


@pytest.mark.parametrize("langs", PRINT_SETS)
def test_every_value_comes_back_whole_from_the_print_shop_s_file(corpus_print: Path,
                                                                 langs: str) -> None:
    read_back(corpus_print / langs / "brochure-a5.pdf", langs)


ROLES_SETS = ["nl", "fa", "nl-fa", "prs", "nl-prs", "ps", "nl-ps"]


@pytest.mark.parametrize("langs", ROLES_SETS)
def test_every_value_of_the_second_school_comes_back_whole(hard_roles_build: Path,
                                                           langs: str) -> None:
    read_back(hard_roles_build / f"cyberpesten/screen/{langs}/brochure-a5.pdf", langs,
              HARD_ROLES)


def test_the_posters_and_the_guide_give_back_the_school_s_values(corpus: Path) -> None:
    school = load_school(PROFILE, TRANSLATIONS)
    multilingual = ("nl", *school.poster_languages)
    for poster in POSTERS:
        langs = multilingual if poster.startswith("multilingual") else ("nl",)
        values = school_values(school, "poster", langs)
        assert any(right_to_left(v) for _, v in values)  # the contact named in Arabic script
        assert values_missing(corpus / SCREEN / poster, values) == [], poster
    guide = corpus / "schools/hard-school/printing-guide.pdf"
    assert values_missing(guide, school_values(school, "guide", ("nl",))) == []


def test_right_to_left_values_are_expected() -> None:
    school = load_school(PROFILE, TRANSLATIONS)
    persian = school_values(school, "brochure", ("nl", "fa"))
    assert ("time", "۸:۱۵\u00a0تا\u00a0۱۶:۰۰") in persian  # a range read right to left
    assert ("name", "فاطمة الزهراء بنعلي") in persian
    assert ("name", "فاطمة الزهراء بنعلي") in school_values(school, "poster", ("nl", "ar"))
    assert school_values(school, "guide", ("nl",)) == (("name", school.name),) * 2


CONTENT = load_content(ROOT / "content")


def clb_headings(langs: tuple[str, ...]) -> dict[str, str]:
    """The CLB's heading in each language of a file, as its bookmarks give it."""
    states = load_languages(CONTENT, ROOT / "locales", ["nl", *langs])
    strings = translations_for(CONTENT, states, langs).strings
    label = CONTENT.label("clb-heading")
    return {code: (strings[code] or {}).get(label.key, label.source) for code in langs}


def assert_clb_block_on_one_page(pdf: Path, langs: str, profile: Path = PROFILE) -> None:
    """The CLB's heading (found by its bookmark), its explanation and its card on one page.

    The card ends with the CLB's website: on the heading's page in every
    column, the explanation, between the two, is there too.
    """
    codes = tuple(langs.split("-"))
    headings = clb_headings(codes)
    reader = PdfReader(pdf)
    pages = {}

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
                continue
            title = reading_text(item.title)
            for code, heading in headings.items():
                if title == reading_text(heading):
                    pages[code] = reader.get_destination_page_number(item) + 1

    walk(reader.outline)
    assert set(pages) == set(codes), (langs, pages)
    clb = load_school(profile, TRANSLATIONS).clb
    for code, page in pages.items():
        text = reading_text(subprocess.run(
            ["pdftotext", "-raw", "-f", str(page), "-l", str(page), "-enc", "UTF-8", str(pdf),
             "-"], capture_output=True, text=True, check=True).stdout)
        for kind, value in (("email", clb.email), ("web", clb.website)):
            found = value_pattern(kind, value or "").findall(text)
            assert len(found) == len(codes), (langs, code, page, kind)


@pytest.mark.parametrize("langs", ["nl", *TRANSLATIONS, *(f"nl-{c}" for c in TRANSLATIONS)])
def test_the_clb_heading_explanation_and_card_share_a_page(corpus: Path, langs: str) -> None:
    assert_clb_block_on_one_page(corpus / SCREEN / langs / "brochure-a5.pdf", langs)


@pytest.mark.parametrize("langs", PRINT_SETS)
def test_the_clb_block_shares_a_page_in_the_print_shop_s_file(corpus_print: Path,
                                                              langs: str) -> None:
    assert_clb_block_on_one_page(corpus_print / langs / "brochure-a5.pdf", langs)


@pytest.mark.parametrize("langs", ROLES_SETS)
def test_the_second_school_s_clb_block_shares_a_page(hard_roles_build: Path, langs: str) -> None:
    assert_clb_block_on_one_page(hard_roles_build / f"cyberpesten/screen/{langs}/brochure-a5.pdf",
                                 langs, HARD_ROLES)


@pytest.mark.parametrize("paper", ["a4", "a3"])
def test_persian_dari_and_pashto_rule_badges_use_persian_digits(hard_roles_build: Path,
                                                                paper: str) -> None:
    """The multilingual poster beside fa, prs and ps: ۱ and ۲ in each, 1 and 2 in the Dutch."""
    pdf = hard_roles_build / f"cyberpesten/screen/multilingual/poster-{paper}.pdf"
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    badges = [line.strip() for line in text.splitlines()
              if re.fullmatch(r"\s*[0-9\u06f0-\u06f9\u0660-\u0669]\s*", line)]
    assert badges == ["1", "2", *["\u06f1", "\u06f2"] * 3], badges


def time_faces(pdf: Path) -> list[tuple[str, str]]:
    """(face, text) of every text the PDF draws that holds a time."""
    found = []

    def visit(text: str, _cm: object, _tm: object, font: dict | None, _size: float) -> None:
        if re.search(r"\d:\d\d", text or ""):
            found.append((str((font or {}).get("/BaseFont", "?")).split("+")[-1], text))

    for page in PdfReader(pdf).pages:
        page.extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize(("langs", "face"), [
    ("ur", "Kit-Sans"), ("nl-ur", "Kit-Sans"), ("zh_Hans", "Kit-Sans"), ("ti", "Kit-Sans"),
    ("am", "Kit-Sans"), ("ar", "Kit-Sans"),
    ("fa", "Kit-Arabic"), ("ps", "Kit-Arabic")])  # in Persian digits, the language's face
def test_times_are_set_in_the_latin_face(corpus: Path, langs: str, face: str) -> None:
    """Nastaliq, Chinese or Ethiopic digits and spaces make "08:15–16:00" hard to read."""
    school = load_school(PROFILE, TRANSLATIONS)
    hours = [c.hours for c in school.contacts if c.hours]
    expected = sum(len(h.groups()) for h in hours) * len(langs.split("-"))
    found = time_faces(corpus / SCREEN / langs / "brochure-a5.pdf")
    # A range in Persian digits may be drawn as two runs, one for each end.
    assert len(found) >= expected, found
    assert {f for f, _ in found} == {face}, found


def test_check_with_the_profile_passes(corpus: Path) -> None:
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    paths = {e["path"] for e in manifest}
    assert {f"{SCREEN}/{poster}" for poster in POSTERS} <= paths
    assert "schools/hard-school/printing-guide.pdf" in paths
    result = run_build("check", "--school", str(PROFILE), "--output", str(corpus))
    assert result.returncode == 0, result.stdout[-3000:]
    assert " 0 problems" in result.stdout


def test_check_with_the_profile_finds_a_changed_value(corpus: Path, tmp_path: Path) -> None:
    """The same files judged against a profile whose values changed: every file fails VAL001."""
    profile = tmp_path / "hard-school.yaml"
    profile.write_text(PROFILE.read_text(encoding="utf-8")
                       .replace("09 277 77 77", "09 277 77 78")  # the CLB's, on every file
                       .replace("Sint-Jan-Baptist", "Sint-Jan-Baptiste"),  # in the guide
                       encoding="utf-8")
    result = run_build("check", "--school", str(profile), "--output", str(corpus))
    assert result.returncode == 1
    assert "the phone `09 277 77 78` does not come back whole" in result.stdout
    failed = {line.split()[0] for line in result.stdout.splitlines() if "  FAIL  " in line}
    pdfs = {e["path"] for e in json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
            if e["path"].endswith(".pdf")}
    assert failed == pdfs
