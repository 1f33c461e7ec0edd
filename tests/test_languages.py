"""The languages the kit prints: data in one place, each script done properly."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from conftest import ROOT

from kit.pdf.preflight import SCRIPT_RANGES
from kit.sources.catalogs import catalog_path, discover_catalogs, read_catalog, read_language
from kit.sources.fonts import STACKS, missing_glyphs
from kit.sources.languages import SOURCE_LANGUAGE, known_languages, language, long_date

TRANSLATED = sorted(discover_catalogs(ROOT / "locales"))


def test_at_least_24_translations_in_at_least_8_writing_systems() -> None:
    assert len(TRANSLATED) >= 24
    scripts = {known_languages()[c] for c in [*TRANSLATED, SOURCE_LANGUAGE]}
    assert len(scripts) >= 8, scripts
    assert set(TRANSLATED) <= set(known_languages())


@pytest.mark.parametrize("code", TRANSLATED)
def test_each_language_is_named_in_its_own_script(code: str) -> None:
    lang = language(code)
    assert lang.script in STACKS
    letters = SCRIPT_RANGES[lang.script]
    own = letters.findall(lang.native_name)
    assert own and len(own) >= len(re.sub(r"\W", "", lang.native_name)) // 2, lang.native_name
    assert not missing_glyphs(lang.script, lang.native_name)


def test_dari_is_dari_and_chinese_is_tagged_for_the_web() -> None:
    dari = language("prs")
    assert dari.native_name == "دری" and dari.name_in("nl") == "Dari"
    assert dari.direction == "rtl" and dari.digits == "arabext"
    assert language("zh_Hans").tag == "zh-Hans"
    assert language("ur").script == "Aran"  # Nastaliq, not Naskh


def test_dates_as_each_community_writes_them() -> None:
    day = datetime.date(2026, 11, 24)
    assert long_date(day, "prs") == "۲۴ نومبر ۲۰۲۶"
    assert "۲۰۲۶" in long_date(day, "ps")
    assert long_date(day, "zh_Hans") == "2026年11月24日"
    assert long_date(day, "el") == "24 Νοεμβρίου 2026"


@pytest.mark.parametrize(("code", "expected"), [
    ("ti", "24 ሕዳር 2026"),  # not CLDR's "ሕዳር 24, 2026"
    ("so", "24 Noofeembar 2026"),  # not CLDR's "Noofeembar 24, 2026"
    ("ps", "۲۴ نومبر ۲۰۲۶"),  # not CLDR's "۲۰۲۶ نومبر ۲۴"; Eastern Arabic-Indic digits as before
])
def test_day_month_year_where_the_community_writes_it_so(code: str, expected: str) -> None:
    assert long_date(datetime.date(2026, 11, 24), code) == expected


@pytest.mark.parametrize("code", ["prs", "fa"])
def test_persian_letters_not_arabic_ones(code: str) -> None:
    """Dari and Persian write ی and ک; Arabic ي and ك would print and sort wrong."""
    catalog = read_catalog(catalog_path(ROOT / "locales", code, "cyberpesten"), code).catalog
    text = "".join(str(m.string) for m in catalog if m.id)
    assert "ي" not in text and "ك" not in text


def test_pashto_letters_are_used_and_drawn() -> None:
    catalog = read_language(ROOT / "locales", "ps", "cyberpesten").catalog
    text = "".join(str(m.string) for m in catalog if m.id)
    assert set("ټډړښګڼېۍ") <= set(text)
    assert not missing_glyphs("Arab", "ټ ډ ړ ږ ښ ګ ڼ ۍ ې")


def test_every_new_script_is_checked_for_glyphs() -> None:
    assert missing_glyphs("Geor", "ა") == set()
    assert missing_glyphs("Geor", "中") == {"中"}
    assert missing_glyphs("Hans", "网络欺凌") == set()
    assert missing_glyphs("Aran", "ے ہ ں ٹ ڈ ڑ") == set()
    assert missing_glyphs("Grek", "Ελληνικά") == set()


def test_chinese_files_stay_small(full_build: Path) -> None:
    """The CJK face is subset into each file: a Chinese brochure is at most 300 KB."""
    files = [
        p
        for edition in ("print", "office", "screen")
        for p in sorted((full_build / "cyberpesten" / edition).glob("*zh_Hans*/brochure-a5*.pdf"))
    ]
    assert len(files) == 6
    for path in files:
        assert path.stat().st_size <= 300_000, (path.name, path.stat().st_size)
