"""Load every catalog, check it, and decide which languages can be built."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from kit.errors import UserError
from kit.render import Translations
from kit.sources import review
from kit.sources.catalogs import (
    Completeness,
    LoadedCatalog,
    completeness,
    discover_catalogs,
    read_language,
)
from kit.sources.content import Content, Text
from kit.sources.fonts import missing_glyphs
from kit.sources.languages import (
    SOURCE_LANGUAGE,
    check_script_has_fonts,
    known_languages,
    language,
    long_date,
)
from kit.sources.markup import compare, plain, problems


@dataclass(frozen=True)
class LanguageState:
    code: str
    completeness: Completeness | None  # None for the Dutch source
    catalog: LoadedCatalog | None

    @property
    def untranslated(self) -> int:
        """Messages missing or fuzzy: printed in Dutch if the language is built anyway."""
        return len(self.completeness.missing) if self.completeness else 0

    def buildable(self, threshold: float) -> bool:
        return self.completeness is None or self.completeness.ratio >= threshold


@dataclass(frozen=True)
class Leaflet:
    """One leaflet with its languages, validated."""

    content: Content
    states: dict[str, LanguageState]
    ready: list[str]  # complete languages, built
    stale: list[str]  # incomplete languages: their previous outputs stay

    @property
    def id(self) -> str:
        return self.content.document.id


def requested_languages(locales: Path, asked: list[str] | None) -> list[str]:
    """Dutch plus every language with a catalog, or exactly the ones asked for."""
    on_disk = discover_catalogs(locales)
    for code, path in on_disk.items():
        if code not in known_languages():
            raise UserError(
                f"catalog for unknown language code `{code}`; "
                f"known: {', '.join(sorted(known_languages()))}",
                path,
            )
    available = [SOURCE_LANGUAGE] + [c for c in known_languages() if c in on_disk]
    for code in asked or available:
        if code in known_languages():
            check_script_has_fonts(code)
    if not asked:
        return available
    for code in asked:
        if code not in known_languages():
            raise UserError(
                f"unknown language `{code}`; choose from: {', '.join(known_languages())}"
            )
        if code not in available:
            raise UserError(
                f"language `{code}` has no catalog yet; create it with "
                f"`python build.py init {code}`"
            )
    return [c for c in available if c in asked]


def load_languages(content: Content, locales: Path, codes: list[str]) -> dict[str, LanguageState]:
    """The languages of one leaflet: its catalog and the kit's, in each language."""
    translated = [c for c in codes if c != SOURCE_LANGUAGE]
    leaflet = content.document.id
    # Threads, because each catalog waits on a `msgfmt --check` process.
    with ThreadPoolExecutor() as pool:
        pending = {c: pool.submit(read_language, locales, c, leaflet) for c in translated}
    states = {}
    for code in codes:
        if code == SOURCE_LANGUAGE:
            states[code] = LanguageState(code, None, None)
            continue
        loaded = pending[code].result()  # the first problem, in language order, is reported
        check_catalog(content, loaded)
        states[code] = LanguageState(code, completeness(content, loaded), loaded)
    return states


def check_catalog(content: Content, loaded: LoadedCatalog) -> None:
    """Markup and placeholders of every translation; the first problem is an error."""
    for text in content.texts():
        translated = loaded.translation(text.key, text.source)
        if translated is None:
            continue
        reason = compare(text.source, translated)
        if reason:
            raise UserError(
                f"{reason} (context `{text.key}`)",
                loaded.path_of(text.key),
                loaded.line_of(text.key, text.source),
            )


def check_content_markup(content: Content) -> None:
    for text in content.texts():
        issues = problems(text.source)
        if issues:
            raise UserError(issues[0], text.file, text.line)


def strings_for(content: Content, state: LanguageState) -> dict[str, str] | None:
    """A language's translations by message context; None for Dutch.

    A language built below 100 % (`--threshold`) has its missing messages in
    Dutch; `untranslated` counts them, and every file says so.
    """
    if state.catalog is None:
        return None
    strings = {}
    for text in content.texts():
        value = state.catalog.translation(text.key, text.source)
        strings[text.key] = text.source if value is None else value
    return strings


def translations_for(
    content: Content, states: dict[str, LanguageState], languages: tuple[str, ...]
) -> Translations:
    codes = set(languages) | {SOURCE_LANGUAGE}
    catalogs = [states[c].catalog for c in languages if states[c].catalog is not None]
    review = catalogs[0].review if catalogs else None
    reviews = {c.lang: c.review for c in catalogs}
    missing = {c: states[c].untranslated for c in languages if states[c].untranslated}
    return Translations({c: strings_for(content, states[c]) for c in codes}, review, reviews,
                        missing)


def check_reviewers(loaded: LoadedCatalog) -> None:
    """A name in a review mark is printed in the colophon: it must be printable.

    `review-import` checks the name it records; this catches one edited into
    the catalog by hand, before it fails the layout with a font error.
    """
    for message in loaded.catalog:
        mark = review.review_mark(message) if message.id else None
        problem = review.reviewer_problem(mark.reviewer) if mark else None
        if problem:
            raise UserError(f"the reviewer's name in the `reviewed:` comment {problem}",
                            loaded.path_of(message.context or ""), message.lineno)


def glyph_preflight(content: Content, state: LanguageState) -> None:
    """Every character a language prints must be in its own fonts."""
    lang = language(state.code)
    translated = strings_for(content, state)
    strings = [plain(translated[t.key] if translated else t.source) for t in content.texts()]
    # Words the build adds: language names and the edition date, in this language.
    added = [lang.native_name, lang.name_in(SOURCE_LANGUAGE),
             long_date(content.document.edition, state.code)]
    missing: dict[str, Text | None] = {}
    texts: list[Text | None] = [*content.texts(), *[None] * len(added)]
    for text, value in zip(texts, strings + added, strict=True):
        for ch in sorted(missing_glyphs(lang.script, value)):
            missing.setdefault(ch, text)
    if state.catalog is not None:
        check_reviewers(state.catalog)
    if missing:
        chars = " ".join(f"U+{ord(c):04X} ({c})" for c in missing)
        first = next(iter(missing.values()))
        where = None if first is None else first.file
        if state.catalog is not None:
            where = state.catalog.path_of(first.key) if first else state.catalog.path
        line = None
        if first is not None:
            line = (state.catalog.line_of(first.key, first.source) if state.catalog
                    else first.line)
        raise UserError(
            f"the fonts for {lang.name_in('en')} cannot draw {chars}; "
            "replace the characters or add a font that has them",
            where, line,
        )

