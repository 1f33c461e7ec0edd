"""Opening hours: parsed from a profile or a list, printed with CLDR in every language."""

from __future__ import annotations

import re

import pytest

from kit.sources.hours import HoursError, parse_days, parse_hours_text
from kit.values import (
    LRI,
    PDI,
    RLI,
    WJ,
    breakable,
    hours_lines,
    hours_markup,
    link_target,
    value_pattern,
)

EXAMPLE = parse_hours_text("mo-fr 08:15-16:00; we 08:15-12:00")


def plain(lines: list[str]) -> list[str]:
    """Without the invisible isolates and joiners, and with ordinary spaces."""
    table = str.maketrans({LRI: None, RLI: None, PDI: None, WJ: None, "\u00a0": " ",
                           "\u202f": " "})
    return [line.translate(table) for line in lines]


def test_a_later_line_replaces_a_day() -> None:
    assert [(d, s.isoformat("minutes"), e.isoformat("minutes")) for d, s, e in EXAMPLE.days] == [
        (0, "08:15", "16:00"), (1, "08:15", "16:00"), (2, "08:15", "12:00"),
        (3, "08:15", "16:00"), (4, "08:15", "16:00")]


@pytest.mark.parametrize(("text", "days"), [("mo-fr", [0, 1, 2, 3, 4]), ("we", [2]),
                                            ("mo,tu,th,fr", [0, 1, 3, 4]),
                                            ("sa, su", [5, 6]), ("mo-we,fr", [0, 1, 2, 4])])
def test_days(text: str, days: list[int]) -> None:
    assert parse_days(text) == days


@pytest.mark.parametrize("text", ["ma-vr 08:00-12:00", "mo-fr 8.15-16.00", "fr-mo 08:00-12:00",
                                  "mo-fr 16:00-08:00", "mo-fr 25:00-26:00", "mo-fr",
                                  "woensdag tot 12.00", ""])
def test_free_text_is_refused_with_the_format(text: str) -> None:
    with pytest.raises(HoursError, match="mo-fr 08:15-16:00; we 08:15-12:00"):
        parse_hours_text(text)


@pytest.mark.parametrize(("code", "expected"), [
    ("nl", ["maandag, dinsdag, donderdag en vrijdag 08:15–16:00", "woensdag 08:15–12:00"]),
    ("de", ["Montag, Dienstag, Donnerstag und Freitag 08:15–16:00 Uhr",
            "Mittwoch 08:15–12:00 Uhr"]),
    ("ar", ["الاثنين والثلاثاء والخميس والجمعة 08:15–16:00", "الأربعاء 08:15–12:00"]),
    ("fa", ["دوشنبه،\u200f سه\u200cشنبه،\u200f پنجشنبه، و جمعه ۸:۱۵ تا ۱۶:۰۰",
            "چهارشنبه ۸:۱۵ تا ۱۲:۰۰"]),
    ("zh_Hans", ["星期一、星期二、星期四和星期五 08:15–16:00", "星期三 08:15–12:00"]),
    ("ti", ["ሰኑይ፣ ሰሉስ፣ ሓሙስን ዓርቢን 08:15–16:00", "ረቡዕ 08:15–12:00"]),
])
def test_hours_in_the_parent_s_language(code: str, expected: list[str]) -> None:
    assert plain(hours_lines(EXAMPLE, code)) == expected


def test_consecutive_days_collapse_into_a_range() -> None:
    week = parse_hours_text("mo-fr 08:30-15:30")
    assert plain(hours_lines(week, "nl")) == ["maandag–vrijdag 08:30–15:30"]
    assert plain(hours_lines(week, "fa")) == ["دوشنبه تا جمعه ۸:۳۰ تا ۱۵:۳۰"]
    assert plain(hours_lines(week, "fr")) == ["lundi – vendredi 08:30 – 15:30"]


def test_a_time_range_keeps_its_reading_order_in_any_script() -> None:
    """A dash range is a left-to-right isolate; a range joined by a Persian word, right-to-left."""
    assert hours_lines(EXAMPLE, "ar")[1].endswith(f"{LRI}08:15–{WJ}12:00{PDI}")
    assert hours_lines(EXAMPLE, "fa")[1].split(" ", 1)[1].startswith(RLI)
    # No line break inside a range: a word joiner after the dash.
    assert f"–{WJ}" in hours_lines(EXAMPLE, "nl")[0]


@pytest.mark.parametrize(("kind", "value", "expected"), [
    ("phone", "09 123 45 67", "09\u00a0123\u00a045\u00a067"),
    ("email", "zorg@bs-delinde.be", f"zorg@\u200bbs-{WJ}delinde.be"),
    ("web", "www.sint-jan.be/ouders", f"www.\u200bsint-{WJ}jan.be/\u200bouders"),
    ("email", "info@school.example", "info@\u200bschool.\u200bexample"),
    ("address", "Lange Kievitstraat 120, 2018 Antwerpen",
     "Lange\u00a0Kievitstraat\u00a0120, 2018\u00a0Antwerpen"),
    # Only after a comma: never at a space or a hyphen of a long street.
    ("address", "Burgemeester Van Hoorebekestraat 120-122, 9040 Sint-Amandsberg",
     f"Burgemeester\u00a0Van\u00a0Hoorebekestraat\u00a0120-{WJ}122, "
     f"9040\u00a0Sint-{WJ}Amandsberg"),
    ("web", "www.gemeentelijke-basisschool-sint-amandsberg.be",
     f"www.\u200bgemeentelijke-{WJ}basisschool-{WJ}sint-{WJ}amandsberg.be"),
])
def test_values_break_only_where_a_parent_can_still_read_them(
        kind: str, value: str, expected: str) -> None:
    assert breakable(value, kind) == expected


def test_links_for_the_phone() -> None:
    assert link_target("phone", "09 123 45 67") == "tel:+3291234567"
    assert link_target("phone", "+32 9 123 45 67") == "tel:+3291234567"
    assert link_target("email", "zorg@bs-delinde.be") == "mailto:zorg@bs-delinde.be"
    assert link_target("web", "www.bs-delinde.be") == "https://www.bs-delinde.be"


@pytest.mark.parametrize("code", ["ur", "zh_Hans", "ti", "ar", "nl"])
def test_a_time_range_in_latin_digits_is_a_latin_run_of_its_own(code: str) -> None:
    """Inside Urdu, Chinese or Ethiopic text a time is set left to right in the Latin face."""
    lines = hours_markup(EXAMPLE, code)
    assert len(lines) == 2
    for line in lines:
        assert re.fullmatch(r'<span class="days">[^<]+</span> <span class="value-time" '
                            rf'dir="ltr" data-script="Latn">{LRI}08:15–{WJ}1[26]:00{PDI}</span>',
                            str(line)), line


@pytest.mark.parametrize("code", ["fa", "prs", "ps"])
def test_a_time_range_in_persian_digits_stays_in_the_language_s_face(code: str) -> None:
    for line in hours_markup(EXAMPLE, code):
        assert "data-script" not in line and "<span" in line
        assert re.search("[۰-۹]", line)


def test_a_name_comes_back_broken_only_where_a_line_may_break() -> None:
    """At a space, after a hyphen or a slash (the printing guide's title broke
    `=HYPERLINK("http://evil.example",…)` after its slashes); never inside a word."""
    pattern = value_pattern("name", "De Linde/Sint-Jan Berchem")
    assert pattern.fullmatch("De Linde/\nSint-\nJan\nBerchem")
    assert pattern.fullmatch("De Linde/Sint-Jan Berchem")
    assert not pattern.fullmatch("De Lin\nde/Sint-Jan Berchem")
