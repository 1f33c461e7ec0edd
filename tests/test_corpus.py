"""The stress corpus: the hardest realistic school, its screen files in every language.

Its brochures in every language alone and beside the Dutch, its posters (the
multilingual one in Urdu, Arabic, Tigrinya and Chinese) and its printing
guide. The build checks every file as it writes it (the line rules on its
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
from conftest import ROOT, run_build

from kit.pdf.reading import reading_text as structure_text
from kit.sources.languages import known_languages
from kit.sources.school import load_school
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
    """The values that do not come back whole and in order, read as the preflight reads them.

    Right-to-left values (the contact named in Arabic script, Persian hours)
    as a screen reader reads them, from the structure tree: poppler gives
    them in visual order.
    """
    drawn = reading_text(subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
                                        capture_output=True, text=True, check=True).stdout)
    with pikepdf.open(path) as pdf:
        structure = reading_text(structure_text(pdf))
    missing = []
    for text, rtl in ((drawn, False), (structure, True)):
        position = 0
        for kind, value in (v for v in values if right_to_left(v[1]) == rtl):
            found = value_pattern(kind, value).search(text, position)
            if found is None:
                missing.append(f"{kind} {value!r}")
            else:
                position = found.end()
    return missing


def test_the_corpus_is_as_hard_as_promised() -> None:
    school = load_school(PROFILE, TRANSLATIONS)
    assert len(school.name) == 60
    assert len(school.contacts) == 4
    assert any(len(c.email or "") >= 40 and "-" in (c.email or "") for c in school.contacts)
    assert any(re.search("[\u0600-\u06ff]", c.name) for c in school.contacts)
    assert sorted(school.languages) == sorted(TRANSLATIONS)


@pytest.mark.parametrize("langs", ["nl", *TRANSLATIONS, *(f"nl-{c}" for c in TRANSLATIONS)])
def test_every_value_comes_back_whole_and_in_order(corpus: Path, langs: str) -> None:
    school = load_school(PROFILE, TRANSLATIONS)
    values = school_values(school, "brochure", tuple(langs.split("-")))
    assert len(values) > 12
    path = corpus / SCREEN / langs / "brochure-a5.pdf"
    assert values_missing(path, values) == [], f"cut, reordered or broken wrongly in {langs}"


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
