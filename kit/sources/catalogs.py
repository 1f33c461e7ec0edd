"""Message catalogs: extraction, merging, compiling and completeness.

Catalogs are standard gettext PO files that translators edit in Poedit or
Weblate, one per gettext domain: `locales/<lang>/LC_MESSAGES/kit.po` for the
kit's shared words and `<leaflet>.po` for each leaflet, each with its template
`locales/<domain>.pot`. Every message carries a context built from the
content's stable ids, so merging matches messages by context: a reordered list
changes nothing, and an edited Dutch sentence makes exactly its own entry fuzzy.
"""

from __future__ import annotations

import datetime
import difflib
import io
import os
import re
import subprocess
from dataclasses import dataclass, field
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
# The kit's shared words; every other domain is a leaflet's id.
KIT_DOMAIN = "kit"
KIT_CONTEXT = "kit."
REVIEW_HEADER = "X-Review-Status"
REVIEWER_HEADER = "X-Reviewed-By"
REVIEW_DATE_HEADER = "X-Review-Date"
# Where translators and reviewers report a wrong or unclear Dutch message.
BUGS_TO = "the kit's issue tracker (README: Translating)"
TEMPLATE_COMMENT = """\
# The messages of the parent leaflet kit ({domain}), extracted from content/
# by `python build.py extract`. Do not edit: translations start from
# `python build.py init LANG`."""
HEADER_COMMENT = """\
# {name} translation of the parent leaflet kit ({domain}).
# A draft until a native speaker has reviewed every message: the README's
# "Reviewing a translation" says how (`build.py review-sheet {lang}`). The kit
# records each review as a `# reviewed:` comment on its message."""


def catalog_path(locales: Path, lang: str, domain: str) -> Path:
    return locales / lang / "LC_MESSAGES" / f"{domain}.po"


def template_path(locales: Path, domain: str) -> Path:
    return locales / f"{domain}.pot"


def domain_of(location: str) -> str:
    """A message's domain from the file it was extracted from: a leaflet's, or the kit's."""
    path = Path(location)
    return path.stem if path.parent.name == "leaflets" else KIT_DOMAIN


# --- extraction ---------------------------------------------------------------


def extract(root: Path, mapping_file: Path) -> dict[str, Catalog]:
    """Run Babel's extraction as `pybabel extract -F babel.cfg .` does, one template per domain.

    `pybabel extract -F babel.cfg -o locales/<id>.pot content/leaflets/<id>.yaml`
    gives a leaflet's template; the kit's words are everything else.
    """
    with mapping_file.open(encoding="utf-8") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, str(mapping_file))
    templates: dict[str, Catalog] = {}
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map, options_map
    ):
        domain = domain_of(filename)
        if domain not in templates:
            templates[domain] = _template_catalog(domain)
        templates[domain].add(message, None, [(filename, lineno)], auto_comments=comments,
                              context=context)
    return templates


def _template_catalog(domain: str) -> Catalog:
    catalog = Catalog(
        project=PROJECT, version=kit_version(), msgid_bugs_address=BUGS_TO, fuzzy=False,
        charset="utf-8", header_comment=TEMPLATE_COMMENT.format(domain=domain),
        last_translator="none: this is the template", language_team="none: the template",
    )
    catalog.revision_date = catalog.creation_date
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
    """One catalog file, or a leaflet's catalog read together with the kit's (`read_language`)."""

    lang: str
    path: Path  # the file read; a leaflet's, when read with the kit's
    catalog: Catalog
    review: Review
    kit_path: Path | None = None  # the kit's catalog, when read with a leaflet's
    # The files read, each with its own catalog (whose messages `catalog` shares):
    # what a change to `catalog`'s messages is written back to.
    parts: dict[Path, Catalog] = field(default_factory=dict)

    def path_of(self, key: str) -> Path:
        """The file that holds a message: the kit's words are in the kit's catalog."""
        if self.kit_path is not None and key.startswith(KIT_CONTEXT):
            return self.kit_path
        return self.path

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
    catalog.header_comment = HEADER_COMMENT.format(name=language_name(lang), lang=lang,
                                                   domain=path.stem)
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


def discover_catalogs(locales: Path, domain: str = KIT_DOMAIN) -> dict[str, Path]:
    """Every catalog of a domain on disk, by language code (including unknown codes, to
    report them). A language is in the kit when it has the kit's catalog."""
    found = {}
    for po in sorted(locales.glob(f"*/LC_MESSAGES/{domain}.po")):
        found[po.parent.parent.name] = po
    return found


def read_language(locales: Path, lang: str, leaflet: str) -> LoadedCatalog:
    """A language's catalog of one leaflet, read together with its kit catalog.

    A leaflet not yet started in the language (no file) counts as untranslated:
    that leaflet is not built in it, and every other leaflet still is.
    """
    kit = read_catalog(catalog_path(locales, lang, KIT_DOMAIN), lang)
    path = catalog_path(locales, lang, leaflet)
    own = (read_catalog(path, lang).catalog if path.exists()
           else new_catalog(Catalog(), lang))
    combined = Catalog(locale=kit.catalog.locale, charset="utf-8", fuzzy=False)
    for message in [*own, *kit.catalog]:
        if message.id:
            combined[message.id] = message
    combined.obsolete.update(own.obsolete)
    combined.obsolete.update(kit.catalog.obsolete)
    return LoadedCatalog(lang, path, combined, summarize_review(combined), kit.path,
                         {path: own, kit.path: kit.catalog})


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


# --- translation memory --------------------------------------------------------

# How alike two Dutch sentences must be (difflib's ratio) for one's translation
# to be offered for the other, marked fuzzy. GNU msgmerge offers from 0.6; a
# volunteer fixing a suggestion should mostly keep it, so the kit asks more.
CLOSE_MATCH = 0.8


@dataclass(frozen=True)
class Remembered:
    identical: int = 0  # filled as translated: the same Dutch in another leaflet
    close: int = 0  # filled as fuzzy suggestions: nearly the same Dutch


def fill_from_memory(catalog: Catalog, memory: dict[str, Catalog]) -> Remembered:
    """Fill untranslated messages from the same language's other leaflets, as
    `msgmerge --compendium` does.

    The same Dutch gives the same translation, with its back-translation and,
    when it was reviewed as it stands, its review mark: the reviewer approved
    exactly this Dutch and this translation. Nearly the same Dutch gives a
    fuzzy suggestion, never printed until a translator confirms it. Each says
    where it came from in a `# memory:` comment.
    """
    known: dict[str, tuple[str, Message]] = {}
    for leaflet, other in memory.items():
        for message in other:
            if message.id and not message.fuzzy and _has_text(message):
                known.setdefault(str(message.id), (leaflet, message))
    sources = list(known)
    identical = close = 0
    for message in catalog:
        if not message.id or _has_text(message):
            continue
        same = known.get(str(message.id))
        nearest = same or next(
            (known[m] for m in difflib.get_close_matches(str(message.id), sources, 1, CLOSE_MATCH)),
            None)
        if nearest is None:
            continue
        leaflet, source = nearest
        how = "identical Dutch" if same else "close Dutch: check the difference"
        message.string = source.string
        back = review.back_translation(source)
        message.user_comments = [
            *([f"{review.BACK_TRANSLATION} {back}"] if back else []),
            f"{review.MEMORY} from the leaflet `{leaflet}`, message `{source.context}` ({how})",
        ]
        if same:
            identical += 1
            mark = review.review_mark(source)
            if mark is not None and review.state(source) == review.REVIEWED_STATE:
                review.mark_reviewed(message, mark.reviewer, mark.date)
        else:
            close += 1
            message.flags.add("fuzzy")
            message.previous_id = [source.id]
    return Remembered(identical, close)


def new_catalog(template: Catalog, lang: str) -> Catalog:
    catalog = Catalog(
        locale=cldr_locale(lang),
        project=PROJECT,
        fuzzy=False,
        charset="utf-8",
        last_translator="Draft translator (not reviewed)",
        creation_date=template.creation_date,
        # A real date, not gettext's placeholder: msgfmt warns of that one.
        revision_date=template.creation_date,
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
    remembered: int = 0  # filled by the translation memory, as translated or fuzzy

    @property
    def ratio(self) -> float:
        return self.translated / self.total if self.total else 1.0


def completeness(content: Content, loaded: LoadedCatalog) -> Completeness:
    """Count the catalog against the current content; fuzzy counts as untranslated."""
    texts = list(content.texts())
    wanted = {(t.key, t.source) for t in texts}
    translated = fuzzy = 0
    missing = []
    found = [loaded.catalog.get(t.source, context=t.key) for t in texts]
    states = [review.state(m) for m in found]
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
        remembered=sum(1 for m in found if m is not None and review.memory_note(m)),
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
