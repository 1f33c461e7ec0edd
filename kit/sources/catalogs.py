"""Message catalogs: extraction, merging, compiling and completeness.

Catalogs are standard gettext PO files (`locales/<lang>/LC_MESSAGES/messages.po`)
that translators edit in Poedit or Weblate. Every message carries a context
built from the content's stable ids, so merging matches messages by context:
a reordered list changes nothing, and an edited Dutch sentence makes exactly
its own entry fuzzy.
"""

from __future__ import annotations

import datetime
import io
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po, write_po

from kit.errors import UserError, read_utf8
from kit.sources import review
from kit.sources.content import Content, Text
from kit.sources.languages import cldr_locale, known_languages, language_name
from kit.version import kit_version

PROJECT = "cyberbullying-print-kit"
DOMAIN = "messages"
REVIEW_HEADER = "X-Review-Status"
REVIEWER_HEADER = "X-Reviewed-By"
REVIEW_DATE_HEADER = "X-Review-Date"
# Where translators and reviewers report a wrong or unclear Dutch message.
BUGS_TO = "the kit's issue tracker (README: Translating)"
TEMPLATE_COMMENT = """\
# The messages of the cyberbullying print kit, extracted from content/ by
# `python build.py extract`. Do not edit: translations start from
# `python build.py init LANG`."""
HEADER_COMMENT = """\
# {name} translation of the cyberbullying print kit.
# A draft until a native speaker has reviewed every message: the README's
# "Reviewing a translation" says how (`build.py review-sheet {lang}`). The kit
# records each review as a `# reviewed:` comment on its message."""


def catalog_path(locales: Path, lang: str) -> Path:
    return locales / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def template_path(locales: Path) -> Path:
    return locales / f"{DOMAIN}.pot"


# --- extraction ---------------------------------------------------------------


def extract(root: Path, mapping_file: Path) -> Catalog:
    """Run Babel's extraction exactly as `pybabel extract -F babel.cfg .` does."""
    with mapping_file.open(encoding="utf-8") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, str(mapping_file))
    catalog = Catalog(
        project=PROJECT, version=kit_version(), msgid_bugs_address=BUGS_TO, fuzzy=False,
        charset="utf-8", header_comment=TEMPLATE_COMMENT,
        last_translator="none: this is the template", language_team="none: the template",
    )
    catalog.revision_date = catalog.creation_date
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map, options_map
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def same_messages(a: Catalog, b: Catalog) -> bool:
    def key(c: Catalog) -> list[tuple]:
        # Comments come back from a PO file wrapped over several lines.
        return sorted(
            (m.context or "", m.id, tuple(m.locations), " ".join(" ".join(m.auto_comments).split()))
            for m in c if m.id
        )

    return key(a) == key(b)


def write_template(catalog: Catalog, path: Path) -> bool:
    """Write the POT file unless only its dates would change. Returns True if written."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=76)
    text = buffer.getvalue().decode("utf-8")
    if path.exists() and _undated(path.read_text(encoding="utf-8")) == _undated(text):
        return False
    write_text_atomic(path, text)
    return True


def _undated(text: str) -> str:
    return re.sub(r'^"(POT-Creation-Date|PO-Revision-Date): .*$', "", text, flags=re.MULTILINE)


def template_from_content(content: Content) -> dict[tuple[str, str], Text]:
    """The messages the build needs, keyed like a catalog: (context, Dutch text)."""
    return {(t.key, t.source): t for t in content.texts()}


# --- reading and writing catalogs ---------------------------------------------


@dataclass(frozen=True)
class Review:
    """A language's review, summed up from its messages' review marks."""

    status: str = "draft"  # "reviewed" only when every message is reviewed and current
    reviewer: str = ""
    date: datetime.date | None = None


def _marks(catalog: Catalog) -> list[review.Mark]:
    return [mark for m in catalog if m.id and (mark := review.review_mark(m)) is not None]


def _names(marks: list[review.Mark]) -> str:
    return ", ".join(dict.fromkeys(mark.reviewer for mark in marks))


def summarize_review(catalog: Catalog) -> Review:
    messages = [m for m in catalog if m.id]
    if not messages or any(review.state(m) != review.REVIEWED_STATE for m in messages):
        return Review()
    marks = _marks(catalog)
    return Review("reviewed", _names(marks), max(mark.date for mark in marks))


@dataclass
class LoadedCatalog:
    lang: str
    path: Path
    catalog: Catalog
    review: Review

    def translation(self, key: str, source: str) -> str | None:
        """The translation of a message, or None if missing or fuzzy."""
        message = self.catalog.get(source, context=key)
        if message is None or message.fuzzy or not _has_text(message):
            return None
        return message.string

    def line_of(self, key: str, source: str) -> int | None:
        message = self.catalog.get(source, context=key)
        return message.lineno if message is not None else None


def _has_text(message: Message) -> bool:
    """A translation of only spaces is no translation: it would print an empty rule."""
    return isinstance(message.string, str) and bool(message.string.strip())


def read_catalog(path: Path, lang: str) -> LoadedCatalog:
    if lang not in known_languages():
        raise UserError(
            f"catalog for unknown language code `{lang}`; "
            f"known: {', '.join(sorted(known_languages()))}",
            path,
        )
    text = read_utf8(path, "catalog")
    if not text.strip():
        raise UserError("the catalog is empty; create it with `python build.py init`", path, 1)
    # GNU gettext's own check first: it names the line of a syntax error or a
    # duplicate message better than any other parser.
    complaint = msgfmt_check(path)
    if complaint is not None:
        line, message = complaint
        raise UserError(f"msgfmt --check: {message}", path, line)
    try:
        catalog = read_po(io.StringIO(text), locale=cldr_locale(lang), abort_invalid=True)
    except (PoFileError, ValueError) as exc:
        raise UserError(f"the catalog does not parse: {exc}", path) from None
    if catalog.charset.lower().replace("-", "") != "utf8":
        raise UserError(
            f"the catalog's header declares charset={catalog.charset}; the kit's catalogs are "
            "UTF-8: set `Content-Type: text/plain; charset=UTF-8`", path, _header_line(text))
    if catalog.fuzzy:
        raise UserError(
            "the catalog's header is marked fuzzy, so gettext would ignore the whole file; "
            "remove `#, fuzzy` above the first msgid",
            path,
            1,
        )
    return LoadedCatalog(lang, path, catalog, summarize_review(catalog))


def _header_line(text: str) -> int:
    at = text.find('"Content-Type:')
    return text[:at].count("\n") + 1 if at >= 0 else 1


def write_catalog(catalog: Catalog, path: Path) -> None:
    """Write a PO file atomically, with standard headers and the review summed up.

    The summary (`X-Review-Status`, `X-Reviewed-By`, `X-Review-Date`) is for
    people reading the file; the kit itself reads the per-message marks.
    """
    lang = path.parent.parent.name
    catalog.project, catalog.version = PROJECT, kit_version()
    catalog.msgid_bugs_address = BUGS_TO
    catalog.language_team = f"{language_name(lang)} translators of the {PROJECT}"
    summary = summarize_review(catalog)
    catalog.header_comment = HEADER_COMMENT.format(name=language_name(lang), lang=lang)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=76, include_previous=True, sort_output=False)
    text = buffer.getvalue().decode("utf-8")
    # Everyone who reviewed any message, even while the status is still draft.
    marks = _marks(catalog)
    date = max(mark.date for mark in marks).isoformat() if marks else ""
    # A PO string escapes backslashes and quotes: `Anna "Annie" Peeters` must
    # not end the header's string early (msgfmt would refuse the catalog).
    names = _names(marks).replace("\\", "\\\\").replace('"', '\\"')
    extra = (f'"{REVIEW_HEADER}: {summary.status}\\n"\n'
             f'"{REVIEWER_HEADER}: {names}\\n"\n"{REVIEW_DATE_HEADER}: {date}\\n"\n')
    marker = '"Generated-By:'
    at = text.find(marker)
    at = text.find("\n", at) + 1 if at >= 0 else text.find("\n\n") + 1
    text = text[:at] + extra + text[at:]
    write_text_atomic(path, text)


def write_text_atomic(path: Path, text: str) -> None:
    """Write beside the target and rename: a full disk or a kill never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fileobj:
            fileobj.write(text)
            fileobj.flush()
            os.fsync(fileobj.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"cannot write the file: {exc.strerror}; the previous version is "
                        "unchanged", path) from None


def discover_catalogs(locales: Path) -> dict[str, Path]:
    """Every catalog on disk, by language code (including unknown codes, to report them)."""
    found = {}
    for po in sorted(locales.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        found[po.parent.parent.name] = po
    return found


# --- merging ------------------------------------------------------------------


def merge(template: Catalog, old: Catalog) -> Catalog:
    """Bring a language's catalog in line with the template, matching by context.

    A message whose Dutch text changed keeps its old translation marked fuzzy,
    with the previous Dutch text, so the translator sees exactly what changed.
    """
    new = Catalog(
        locale=old.locale,
        project=PROJECT,
        fuzzy=False,
        charset="utf-8",
        header_comment=old.header_comment,
        last_translator=old.last_translator,
        language_team=old.language_team,
        revision_date=old.revision_date,
        creation_date=template.creation_date,
    )
    previous: dict[str, Message] = {}
    for message in list(old.obsolete.values()) + [m for m in old if m.id]:
        previous[message.context or ""] = message
    for message in template:
        if not message.id:
            continue
        ctxt = message.context or ""
        before = previous.pop(ctxt, None)
        common = dict(
            locations=message.locations, auto_comments=message.auto_comments, context=ctxt
        )
        if before is None or not before.string:
            new.add(message.id, "", **common)
        elif before.id == message.id and ctxt not in old.obsolete:
            new.add(
                message.id, before.string, flags=before.flags, user_comments=before.user_comments,
                previous_id=before.previous_id if before.fuzzy else (), **common
            )
        else:
            new.add(
                message.id, before.string, flags={*before.flags, "fuzzy"},
                user_comments=before.user_comments,
                previous_id=(before.previous_id if before.fuzzy and before.previous_id
                             else before.id),
                **common,
            )
    for ctxt, message in previous.items():
        if message.string:
            new.obsolete[(message.id, ctxt)] = message
    return new


def new_catalog(template: Catalog, lang: str) -> Catalog:
    catalog = Catalog(
        locale=cldr_locale(lang),
        project=PROJECT,
        fuzzy=False,
        charset="utf-8",
        last_translator="Draft translator (not reviewed)",
        creation_date=template.creation_date,
    )
    return merge(template, catalog)


def compile_catalog(loaded: LoadedCatalog) -> Path:
    target = loaded.path.with_suffix(".mo")
    with target.open("wb") as fileobj:
        write_mo(fileobj, loaded.catalog, use_fuzzy=False)
    return target


# --- completeness -------------------------------------------------------------


@dataclass(frozen=True)
class Completeness:
    lang: str
    total: int
    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int
    missing: tuple[Text, ...]  # untranslated or fuzzy, in reading order
    review: Review
    reviewed: int = 0  # reviewed, and neither text changed since
    out_of_date: int = 0  # fuzzy, or changed since its review

    @property
    def ratio(self) -> float:
        return self.translated / self.total if self.total else 1.0


def completeness(content: Content, loaded: LoadedCatalog) -> Completeness:
    """Count the catalog against the current content; fuzzy counts as untranslated."""
    texts = list(content.texts())
    wanted = {(t.key, t.source) for t in texts}
    translated = fuzzy = 0
    missing = []
    states = [review.state(loaded.catalog.get(t.source, context=t.key)) for t in texts]
    for text in texts:
        message = loaded.catalog.get(text.source, context=text.key)
        if message is not None and _has_text(message) and not message.fuzzy:
            translated += 1
            continue
        if message is not None and message.fuzzy and _has_text(message):
            fuzzy += 1
        missing.append(text)
    active_extra = sum(
        1 for m in loaded.catalog if m.id and ((m.context or ""), m.id) not in wanted
    )
    obsolete = len(loaded.catalog.obsolete) + active_extra
    return Completeness(
        lang=loaded.lang,
        total=len(texts),
        translated=translated,
        fuzzy=fuzzy,
        untranslated=len(texts) - translated - fuzzy,
        obsolete=obsolete,
        missing=tuple(missing),
        review=loaded.review,
        reviewed=states.count(review.REVIEWED_STATE),
        out_of_date=states.count(review.OUT_OF_DATE),
    )


_MSGFMT_LINE = re.compile(r"^[^:]+:(\d+):(?:\d+:)? (.*)$")


def msgfmt_check(path: Path) -> tuple[int | None, str] | None:
    """GNU gettext's check of a PO file: None, or the first complaint and its line."""
    result = subprocess.run(
        ["msgfmt", "--check", "--output-file=/dev/null", str(path)],
        capture_output=True, text=True, check=False,
    )
    if result.returncode == 0:
        return None
    lines = result.stderr.strip().splitlines() or ["msgfmt failed"]
    match = _MSGFMT_LINE.match(lines[0])
    if match:
        return int(match.group(1)), match.group(2)
    return None, lines[0]
