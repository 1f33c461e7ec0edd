"""The languages the kit prints, and what rendering needs to know about each."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyphen
from babel import Locale, UnknownLocaleError
from babel.dates import format_date

SOURCE_LANGUAGE = "nl"
# The kit is read in Belgium: where CLDR has a language's Belgian usage
# (nl, fr, de, en), dates follow it ("24 November 2026", not "November 24").
REGION = "BE"
# The digits of the CLDR numbering systems the kit's languages use by default.
DIGITS = {"latn": "0123456789", "arabext": "۰۱۲۳۴۵۶۷۸۹", "arab": "٠١٢٣٤٥٦٧٨٩"}

LANGUAGES_FILE = Path(__file__).resolve().parents[2] / "content" / "languages.yaml"


def known_languages() -> dict[str, str]:
    """Language code -> ISO 15924 script, for every language the kit can print."""
    return {code: script for code, (script, _) in _entries().items()}


def check_script_has_fonts(code: str) -> None:
    """A language whose script no vendored font covers is refused before any rendering."""
    from kit.errors import UserError
    from kit.sources.fonts import STACKS

    script, line = _entries()[code]
    if script not in STACKS:
        name = Locale.parse("en").scripts.get(script, script)
        raise UserError(
            f"`{code}` ({language_name(code)}) is written in {name} script ({script}), and no "
            f"font in fonts/ covers it; add one and a `{script}` stack in kit/sources/fonts.py",
            LANGUAGES_FILE, line)


def language_name(code: str) -> str:
    return Locale.parse(code).get_display_name("en") or code


@cache
def _entries() -> dict[str, tuple[str, int]]:
    """Code -> (script, line in the file). Read on first use, so a mistake in the
    file is reported like any other input error rather than at import."""
    from kit.sources.content import _Reader, compose

    reader = _Reader(LANGUAGES_FILE)
    root = reader.mapping(compose(LANGUAGES_FILE), "the languages file", {"languages"})
    languages: dict[str, tuple[str, int]] = {}
    for node in reader.sequence(root["languages"], "`languages`"):
        fields = reader.mapping(node, "a language", {"code", "script"})
        code = reader.string(fields["code"], "`code`")
        script = reader.string(fields["script"], "`script`")
        try:
            Locale.parse(code)
        except (ValueError, UnknownLocaleError):
            raise reader.error(fields["code"], f"`{code}` is not a language code Babel "
                                               "knows") from None
        if code in languages:
            raise reader.error(fields["code"], f"`{code}` is listed twice")
        if not re.fullmatch(r"[A-Z][a-z]{3}", script):
            raise reader.error(fields["script"], f"`{script}` is not an ISO 15924 script "
                                                 "code such as Latn or Arab")
        languages[code] = (script, fields["code"].start_mark.line + 1)
    return languages


@dataclass(frozen=True)
class Language:
    code: str
    script: str
    direction: str  # "ltr" or "rtl", from CLDR through Babel
    native_name: str  # the language's name in its own script
    hyphenation: bool  # whether Pyphen has a dictionary, so `hyphens: auto` works
    digits: str  # CLDR numbering system of dates and page numbers, e.g. `arabext` for Persian
    date_locale: str  # the CLDR locale of dates: the Belgian one where there is one

    def name_in(self, other: str) -> str:
        return Locale.parse(self.code).get_display_name(other)


@cache
def language(code: str) -> Language:
    locale = Locale.parse(code)
    return Language(
        code=code,
        script=known_languages()[code],
        direction=locale.text_direction,
        native_name=locale.get_display_name(code),
        hyphenation=code in pyphen.LANGUAGES,
        digits=locale.default_numbering_system if locale.default_numbering_system in DIGITS
        else "latn",
        date_locale=_regional(code),
    )


def _regional(code: str) -> str:
    try:
        Locale.parse(f"{code}_{REGION}")
    except (ValueError, UnknownLocaleError):
        return code
    return f"{code}_{REGION}"


def long_date(date: datetime.date, code: str) -> str:
    """A date as the language's readers in Belgium write it, in their own digits."""
    lang = language(code)
    text = format_date(date, format="long", locale=lang.date_locale)
    return text.translate(str.maketrans(DIGITS["latn"], DIGITS[lang.digits]))
