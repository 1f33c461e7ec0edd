"""The languages the kit prints, and what rendering needs to know about each."""

from __future__ import annotations

import dataclasses
import datetime
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyphen
import yaml
from babel import Locale, UnknownLocaleError
from babel.dates import format_date

SOURCE_LANGUAGE = "nl"
# The kit is read in Belgium: where CLDR has a language's Belgian usage
# (nl, fr, de, en), dates follow it ("24 November 2026", not "November 24").
REGION = "BE"
# Long dates where CLDR's pattern is not the community's usual order. CLDR gives
# Tigrinya and Somali the American "MMMM d, y" ("ሕዳር 24, 2026", "Noofeembar 24,
# 2026") and Pashto "y MMMM d"; Eritrean and Ethiopian Tigrinya readers, Somali
# readers and Afghan Pashto readers write day, month, year, as CLDR's own
# medium Somali pattern and its Dari (fa_AF) long pattern do. The month names
# are still CLDR's, in the language.
LONG_DATE_PATTERNS = {"ti": "d MMMM y", "so": "d MMMM y", "ps": "d MMMM y"}
# The digits of the CLDR numbering systems the kit's languages use by default.
DIGITS = {"latn": "0123456789", "arabext": "۰۱۲۳۴۵۶۷۸۹", "arab": "٠١٢٣٤٥٦٧٨٩"}

LANGUAGES_FILE = Path(__file__).resolve().parents[2] / "content" / "languages.yaml"


def known_languages() -> dict[str, str]:
    """Language code -> ISO 15924 script, for every language the kit can print."""
    return {code: entry.script for code, entry in _entries().items()}


def check_script_has_fonts(code: str) -> None:
    """A language whose script no vendored font covers is refused before any rendering."""
    from kit.errors import UserError
    from kit.sources.fonts import STACKS

    entry = _entries()[code]
    script, line = entry.script, entry.line
    if script not in STACKS:
        name = Locale.parse("en").scripts.get(script, script)
        raise UserError(
            f"`{code}` ({language_name(code)}) is written in {name} script ({script}), and no "
            f"font in fonts/ covers it; add one and a `{script}` stack in kit/sources/fonts.py",
            LANGUAGES_FILE, line)


def entry_key(code: str) -> str:
    """What the kit reads about one language (not where its line stands), for the build state."""
    entry = _entries()[code]
    return repr((code, entry.script, entry.cldr, sorted(entry.names.items())))


def language_name(code: str) -> str:
    """The language's name in English, for messages and catalog headers."""
    return language(code).name_in("en") if code in _entries() else code


@dataclass(frozen=True)
class _Entry:
    script: str
    line: int
    cldr: str  # the locale Babel knows the language by (Dari: fa_AF)
    names: dict[str, str]  # names CLDR lacks or gets wrong, by the language they are in


@cache
def _entries() -> dict[str, _Entry]:
    """Code -> entry. Read on first use, so a mistake in the file is reported
    like any other input error rather than at import."""
    from kit.sources.content import _Reader, compose

    reader = _Reader(LANGUAGES_FILE)
    root = reader.mapping(compose(LANGUAGES_FILE), "the languages file", {"languages"})
    languages: dict[str, _Entry] = {}
    for node in reader.sequence(root["languages"], "`languages`"):
        fields = reader.mapping(node, "a language", {"code", "script"}, {"cldr", "names"})
        code = reader.string(fields["code"], "`code`")
        script = reader.string(fields["script"], "`script`")
        cldr = reader.string(fields["cldr"], "`cldr`") if "cldr" in fields else code
        try:
            Locale.parse(cldr)
        except (ValueError, UnknownLocaleError):
            raise reader.error(fields.get("cldr", fields["code"]),
                               f"`{cldr}` is not a language code Babel knows; give the "
                               "CLDR locale as `cldr`") from None
        if code in languages:
            raise reader.error(fields["code"], f"`{code}` is listed twice")
        if not re.fullmatch(r"[a-z]{2,3}(_[A-Z][a-z]{3})?", code):
            raise reader.error(fields["code"], f"`{code}` is not a language code such as "
                                               "`fa`, `prs` or `zh_Hans`")
        if not re.fullmatch(r"[A-Z][a-z]{3}", script):
            raise reader.error(fields["script"], f"`{script}` is not an ISO 15924 script "
                                                 "code such as Latn or Arab")
        names: dict[str, str] = {}
        if "names" in fields:
            if not isinstance(fields["names"], yaml.MappingNode):
                raise reader.error(fields["names"], "`names` must map language codes to names")
            names = {reader.key(k): reader.string(v, "a name") for k, v in fields["names"].value}
        languages[code] = _Entry(script, fields["code"].start_mark.line + 1, cldr, names)
    return languages


def cldr_locale(code: str) -> str:
    """The Babel locale of a language code the kit knows (the code itself, or `cldr`)."""
    entry = _entries().get(code)
    return entry.cldr if entry else code


@dataclass(frozen=True)
class Language:
    code: str  # the kit's code: catalog folder and file names
    tag: str  # BCP 47, for `lang` attributes and PDF /Lang (zh-Hans)
    script: str
    direction: str  # "ltr" or "rtl", from CLDR through Babel
    native_name: str  # the language's name in its own script
    hyphenation: bool  # whether Pyphen has a dictionary, so `hyphens: auto` works
    digits: str  # CLDR numbering system of dates and page numbers, e.g. `arabext` for Persian
    date_locale: str  # the CLDR locale of dates: the Belgian one where there is one

    def name_in(self, other: str) -> str:
        """This language's name in another one, e.g. `ar` in `nl`: Arabisch."""
        override = _entries()[self.code].names.get(other)
        if override:
            return override
        return Locale.parse(cldr_locale(self.code)).get_display_name(cldr_locale(other))


@cache
def language(code: str) -> Language:
    locale = Locale.parse(cldr_locale(code))
    partial = Language(
        code=code,
        tag=code.replace("_", "-"),
        script=known_languages()[code],
        direction=locale.text_direction,
        native_name="",
        hyphenation=code in pyphen.LANGUAGES,
        digits=locale.default_numbering_system if locale.default_numbering_system in DIGITS
        else "latn",
        date_locale=_regional(cldr_locale(code)),
    )
    return dataclasses.replace(partial, native_name=partial.name_in(code))


def _regional(code: str) -> str:
    if "_" in code:
        return code  # already regional, e.g. fa_AF
    try:
        Locale.parse(f"{code}_{REGION}")
    except (ValueError, UnknownLocaleError):
        return code
    return f"{code}_{REGION}"


def long_date(date: datetime.date, code: str) -> str:
    """A date as the language's readers in Belgium write it, in their own digits."""
    lang = language(code)
    pattern = LONG_DATE_PATTERNS.get(code, "long")
    text = format_date(date, format=pattern, locale=lang.date_locale)
    return text.translate(str.maketrans(DIGITS["latn"], DIGITS[lang.digits]))
