"""The languages the kit prints, and what rendering needs to know about each."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pyphen
from babel import Locale

SOURCE_LANGUAGE = "nl"

# Language code -> ISO 15924 script, for every language the kit can print.
# A language is built once it has a catalog (`python build.py init CODE`).
# The order is the order of the build plan: Dutch first, then the home
# languages Flemish schools most often need. To support another language,
# add it here with a script that kit/fonts.py has a stack for.
LANGUAGES: dict[str, str] = {
    "nl": "Latn",
    "fr": "Latn",
    "en": "Latn",
    "de": "Latn",
    "ar": "Arab",
    "tr": "Latn",
    "pl": "Latn",
    "ro": "Latn",
    "bg": "Cyrl",
    "ru": "Cyrl",
    "uk": "Cyrl",
    "fa": "Arab",
    "ti": "Ethi",
    "es": "Latn",
    "ps": "Arab",
    "so": "Latn",
}


@dataclass(frozen=True)
class Language:
    code: str
    script: str
    direction: str  # "ltr" or "rtl", from CLDR through Babel
    native_name: str  # the language's name in its own script
    hyphenation: bool  # whether Pyphen has a dictionary, so `hyphens: auto` works

    def name_in(self, other: str) -> str:
        return Locale.parse(self.code).get_display_name(other)


@cache
def language(code: str) -> Language:
    locale = Locale.parse(code)
    return Language(
        code=code,
        script=LANGUAGES[code],
        direction=locale.text_direction,
        native_name=locale.get_display_name(code),
        hyphenation=code in pyphen.LANGUAGES,
    )
