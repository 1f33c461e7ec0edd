"""Load and validate the content files (`content/*.yaml`).

The YAML is read as a node tree rather than plain Python objects so that
every schema error can name the exact line a content editor has to fix.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import yaml

from kit.errors import UserError, read_utf8
from kit.sources.markup import character_problems

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Ids reserved for message contexts that do not come from the advice itself.
RESERVED_IDS = {"document", "kit"}
# Deeper nesting than this is not a brochure any parent can follow.
MAX_DEPTH = 4
MAX_TEXT_LENGTH = 5000
# The web edition's address (kit-wide or a school's): its QR code, with the path
# of a leaflet's page added (`/zh_Hans/<id>.html`, an id of at most
# MAX_LEAFLET_ID_LENGTH), stays at version 7 (45 modules, 122 bytes at level M),
# which a phone reads at 2 cm.
MAX_LEAFLET_ID_LENGTH = 20
MAX_URL_LENGTH = 88


@dataclass(frozen=True)
class Text:
    """One translatable unit: a heading, a paragraph or a list item."""

    key: str  # stable message context built from ids, e.g. "voorkomen.tips.informeer"
    source: str  # the Dutch text
    where: str  # a note for translators: where the text appears
    file: Path
    line: int


@dataclass(frozen=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    id: str
    text: Text


@dataclass(frozen=True)
class Credit:
    kind: ClassVar[str] = "credit"
    id: str
    text: Text


@dataclass(frozen=True)
class ListItem:
    id: str
    text: Text
    items: tuple[ListItem, ...]
    paragraph: Text | None


@dataclass(frozen=True)
class BulletList:
    kind: ClassVar[str] = "list"
    id: str
    items: tuple[ListItem, ...]


Block = Paragraph | Credit | BulletList


@dataclass(frozen=True)
class Section:
    id: str
    heading: Text
    rules: bool  # the two rules of thumb: highlighted, and the poster's content
    blocks: tuple[Block, ...]
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Document:
    """One leaflet: its own words and where they come from."""

    id: str
    title: Text
    publisher: str
    source: str
    edition: datetime.date
    sections: tuple[Section, ...]
    file: Path
    rules_credit: Text | None = None  # where the rules of thumb come from, in the colophon
    # The message a school sends parents with the leaflet, with a link to its web page
    # (`web`) or with the PDF attached (`file`); a leaflet without one has none.
    app_messages: dict[str, Text] = field(default_factory=dict)

    @property
    def rules(self) -> Section | None:
        """The section marked `rules: true`: the posters' content. A leaflet without one
        has no posters."""
        return next((s for s in walk_sections(self.sections) if s.rules), None)

    def texts(self) -> Iterator[Text]:
        """The leaflet's translatable texts, in reading order."""
        yield self.title
        for section in self.sections:
            yield from section_texts(section)
        if self.rules_credit is not None:
            yield self.rules_credit
        yield from self.app_messages.values()


@dataclass(frozen=True)
class Content:
    """One leaflet with the kit's shared words: what every stage renders from."""

    document: Document
    labels: dict[str, Text]
    guide: dict[str, str] = field(default_factory=dict)  # the printing guide, Dutch only
    site_url: str | None = None  # where the web edition is published, kit-wide
    web: dict[str, str] = field(default_factory=dict)  # the language chooser's words
    titles: dict[str, str] = field(default_factory=dict)  # every leaflet's Dutch title, by id

    @property
    def heading_count(self) -> int:
        """The sections with a heading: each is one bookmark per language column."""
        return sum(1 for _ in walk_sections(self.document.sections))

    def texts(self) -> Iterator[Text]:
        """Every translatable text, in reading order, the kit's labels last."""
        yield from self.document.texts()
        yield from self.labels.values()

    def label(self, label_id: str) -> Text:
        return self.labels[label_id]

    def heading_keys(self) -> frozenset[str]:
        """The contexts of the title and every section heading."""
        return frozenset([self.document.title.key,
                          *(s.heading.key for s in walk_sections(self.document.sections))])

    def body_keys(self) -> frozenset[str]:
        """The contexts of the advice's running text: every text but the title and headings."""
        headings = self.heading_keys()
        texts = (t for section in self.document.sections for t in section_texts(section))
        return frozenset(t.key for t in texts if t.key not in headings)

    def first_naming(self, word: str) -> str | None:
        """The context of the first advice text that names `word`, e.g. where "CLB" first appears.

        The kit explains such a word right after it (`kit.clb-explained`), in every edition.
        """
        pattern = re.compile(rf"\b{re.escape(word)}\b")
        texts = [self.document.title]
        for section in self.document.sections:
            texts += section_texts(section)
        return next((t.key for t in texts if pattern.search(t.source)), None)


def walk_sections(sections: tuple[Section, ...]) -> Iterator[Section]:
    for section in sections:
        yield section
        yield from walk_sections(section.sections)


def section_texts(section: Section) -> Iterator[Text]:
    yield section.heading
    for block in section.blocks:
        if isinstance(block, BulletList):
            yield from _item_texts(block.items)
        else:
            yield block.text
    for sub in section.sections:
        yield from section_texts(sub)


def _item_texts(items: tuple[ListItem, ...]) -> Iterator[Text]:
    for item in items:
        yield item.text
        yield from _item_texts(item.items)
        if item.paragraph is not None:
            yield item.paragraph


# --- reading YAML nodes -------------------------------------------------------


class _Reader:
    """Typed access to a YAML node tree, with errors that carry file and line."""

    def __init__(self, file: Path):
        self.file = file

    def error(self, node: yaml.Node, message: str) -> UserError:
        return UserError(message, self.file, node.start_mark.line + 1)

    def mapping(
        self, node: yaml.Node, what: str, required: set[str], optional: set[str] = frozenset()
    ) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} must be a mapping of keys to values")
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node)
            if key in result:
                raise self.error(key_node, f"duplicate key `{key}` in {what}")
            if key not in required | optional:
                allowed = ", ".join(f"`{k}`" for k in sorted(required | optional))
                raise self.error(key_node, f"unknown key `{key}` in {what} (allowed: {allowed})")
            result[key] = value_node
        missing = sorted(required - result.keys())
        if missing:
            raise self.error(node, f"{what} is missing the field `{missing[0]}`")
        return result

    def key(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            raise self.error(node, "keys must be plain words")
        return node.value

    def string(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            raise self.error(node, f"{what} must be text, not {_describe(node)}")
        value = " ".join(node.value.split())
        if not value:
            raise self.error(node, f"{what} is empty")
        if len(value) > MAX_TEXT_LENGTH:
            raise self.error(node, f"{what} is longer than {MAX_TEXT_LENGTH} characters; split it")
        bad = [ch for ch in value if _is_control(ch)]
        if bad:
            raise self.error(node, f"{what} contains the control character U+{ord(bad[0]):04X}")
        reason = character_problems(value)
        if reason:
            raise self.error(node, f"{what}: {reason}")
        return value

    def identifier(self, node: yaml.Node, what: str) -> str:
        value = self.string(node, what)
        if not ID_PATTERN.match(value):
            raise self.error(
                node, f"id `{value}` must be lowercase letters, digits and single hyphens"
            )
        return value

    def boolean(self, node: yaml.Node, what: str) -> bool:
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:bool":
            raise self.error(node, f"{what} must be true or false, not {_describe(node)}")
        return node.value.lower() in {"true", "yes", "on"}

    def date(self, node: yaml.Node, what: str) -> datetime.date:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
            try:
                return datetime.date.fromisoformat(node.value)
            except ValueError:
                pass
        raise self.error(node, f"{what} must be a date written as YYYY-MM-DD")

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, f"{what} must be a list, not {_describe(node)}")
        if not node.value:
            raise self.error(node, f"{what} is an empty list")
        return list(node.value)


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    kind = node.tag.rsplit(":", 1)[-1]
    return {"str": "text", "int": "a number", "float": "a number", "bool": "true/false",
            "null": "empty", "timestamp": "a date"}.get(kind, kind)


def _is_control(ch: str) -> bool:
    code = ord(ch)
    return code < 0x20 or 0x7F <= code < 0xA0


def compose(path: Path) -> yaml.Node:
    """Parse a YAML file into nodes; syntax and encoding errors become UserErrors."""
    return compose_text(read_utf8(path, "file"), path)


def compose_text(text: str, path: Path) -> yaml.Node:
    text = text.removeprefix("\ufeff")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise UserError(f"YAML syntax error: {problem}", path, line) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise UserError(
            f"the character U+{exc.character:04X} is not allowed in YAML; remove it", path, line
        ) from None
    except yaml.YAMLError as exc:
        raise UserError(f"YAML error: {str(exc).splitlines()[0]}", path) from None
    except RecursionError:
        raise UserError("the YAML is nested far too deeply to be content", path) from None
    if node is None:
        raise UserError("the file is empty", path, 1)
    return node


# --- the content schema -------------------------------------------------------


class _ContentReader(_Reader):
    def unique(self, node: yaml.Node, ident: str, seen: set[str], scope: str) -> None:
        if ident in seen:
            raise self.error(node, f"duplicate id `{ident}` in {scope}; ids must be unique")
        seen.add(ident)

    def text(self, node: yaml.Node, key: str, where: str, what: str) -> Text:
        return Text(key, self.string(node, what), where, self.file, node.start_mark.line + 1)

    def document(self, node: yaml.Node) -> Document:
        root = self.mapping(node, "the leaflet file", {"document", "sections"})
        meta = self.mapping(
            root["document"], "`document`", {"id", "title", "publisher", "source", "edition"},
            {"rules-credit", *APP_MESSAGES.values()},
        )
        title = self.text(meta["title"], "document.title", "Document title (cover, poster)",
                          "`title`")
        credit = None
        if "rules-credit" in meta:
            credit = self.text(meta["rules-credit"], "document.rules-credit",
                               "Colophon: where the rules of thumb come from", "`rules-credit`")
        seen: set[str] = set(RESERVED_IDS)
        sections = []
        for section_node in self.sequence(root["sections"], "`sections`"):
            sections.append(self.section(section_node, "", [], seen, depth=1))
        rules = [s for s in walk_sections(tuple(sections)) if s.rules]
        if len(rules) > 1:
            raise self.error(root["sections"], "only one section may be marked `rules: true`")
        ident = self.identifier(meta["id"], "`id`")
        if len(ident) > MAX_LEAFLET_ID_LENGTH:
            raise self.error(meta["id"], f"the leaflet's id `{ident}` is longer than "
                                         f"{MAX_LEAFLET_ID_LENGTH} characters; the web page's "
                                         "address in its QR codes must stay short")
        # The id names the leaflet's catalogs (`<id>.po`) and folders.
        if ident != self.file.stem:
            raise self.error(meta["id"], f"the leaflet's id `{ident}` must be its file's name "
                                         f"`{self.file.stem}` (rename one of them)")
        if ident in RESERVED_LEAFLET_IDS:
            raise self.error(meta["id"], f"`{ident}` is a name the kit uses for its own "
                                         "catalog or folders; choose another leaflet id")
        return Document(
            id=ident,
            title=title,
            publisher=self.string(meta["publisher"], "`publisher`"),
            source=self.string(meta["source"], "`source`"),
            edition=self.date(meta["edition"], "`edition`"),
            sections=tuple(sections),
            file=self.file,
            rules_credit=credit,
            app_messages={
                kind: self.text(meta[key], f"document.{key}",
                                "The message a school sends parents with this leaflet (parent "
                                "app, e-mail); at most 70 characters besides {school}",
                                f"`{key}`")
                for kind, key in APP_MESSAGES.items() if key in meta},
        )

    def section(
        self, node: yaml.Node, prefix: str, trail: list[str], seen: set[str], depth: int
    ) -> Section:
        fields = self.mapping(node, "a section", {"id", "heading"}, {"blocks", "sections", "rules"})
        ident = self.identifier(fields["id"], "a section `id`")
        self.unique(fields["id"], ident, seen, "this part of the content")
        if depth > MAX_DEPTH:
            raise self.error(node, f"sections are nested more than {MAX_DEPTH} deep")
        if "blocks" not in fields and "sections" not in fields:
            raise self.error(node, f"section `{ident}` has neither `blocks` nor `sections`")
        key = f"{prefix}{ident}"
        heading = self.string(fields["heading"], "`heading`")
        here = [*trail, heading]
        children: set[str] = set()
        blocks = tuple(
            self.block(b, key, here, children)
            for b in (self.sequence(fields["blocks"], "`blocks`") if "blocks" in fields else [])
        )
        sections = tuple(
            self.section(s, f"{key}.", here, children, depth + 1)
            for s in (
                self.sequence(fields["sections"], "`sections`") if "sections" in fields else []
            )
        )
        return Section(
            id=ident,
            heading=Text(key, heading, f"Heading: {' › '.join(here)}", self.file,
                         fields["heading"].start_mark.line + 1),
            rules=self.boolean(fields["rules"], "`rules`") if "rules" in fields else False,
            blocks=blocks,
            sections=sections,
        )

    def block(self, node: yaml.Node, prefix: str, trail: list[str], seen: set[str]) -> Block:
        kinds = {"paragraph", "list", "credit"}
        fields = self.mapping(node, "a block", {"id"}, kinds)
        present = kinds & fields.keys()
        if len(present) != 1:
            raise self.error(node, "a block needs exactly one of `paragraph`, `list` or `credit`")
        ident = self.identifier(fields["id"], "a block `id`")
        self.unique(fields["id"], ident, seen, f"section “{trail[-1]}”")
        key = f"{prefix}.{ident}"
        place = " › ".join(trail)
        kind = present.pop()
        if kind == "list":
            items = self.items(fields["list"], key, place, depth=1)
            return BulletList(ident, items)
        if kind == "paragraph":
            return Paragraph(ident, self.text(fields[kind], key, f"Paragraph in: {place}",
                                              "`paragraph`"))
        return Credit(ident, self.text(fields[kind], key, f"Source credit in: {place}",
                                       "`credit`"))

    def items(self, node: yaml.Node, prefix: str, place: str, depth: int) -> tuple[ListItem, ...]:
        if depth > MAX_DEPTH:
            raise self.error(node, f"lists are nested more than {MAX_DEPTH} deep")
        seen: set[str] = set()
        result = []
        for item_node in self.sequence(node, "`list`"):
            fields = self.mapping(item_node, "a list item", {"id", "text"}, {"list", "paragraph"})
            ident = self.identifier(fields["id"], "a list item `id`")
            self.unique(fields["id"], ident, seen, "this list")
            key = f"{prefix}.{ident}"
            level = "Sub-item" if depth > 1 else "List item"
            text = self.text(fields["text"], key, f"{level} in: {place}", "`text`")
            sub: tuple[ListItem, ...] = ()
            inner: set[str] = set()
            if "list" in fields:
                sub = self.items(fields["list"], key, place, depth + 1)
                inner = {i.id for i in sub}
            paragraph = None
            if "paragraph" in fields:
                para = self.mapping(fields["paragraph"], "an item's `paragraph`", {"id", "text"})
                para_id = self.identifier(para["id"], "a paragraph `id`")
                self.unique(para["id"], para_id, inner, "this list item")
                paragraph = self.text(para["text"], f"{key}.{para_id}",
                                      f"Paragraph under a list item in: {place}", "`text`")
            result.append(ListItem(ident, text, sub, paragraph))
        return tuple(result)

    def labels(self, node: yaml.Node, root_key: str = "labels") -> dict[str, Text]:
        extra = LABELS_SETTINGS if root_key == "labels" else set()
        root = self.mapping(node, f"the {root_key} file", {root_key}, extra)
        labels: dict[str, Text] = {}
        for item in self.sequence(root[root_key], f"`{root_key}`"):
            fields = self.mapping(item, "a label", {"id", "text"})
            ident = self.identifier(fields["id"], "a label `id`")
            if ident in labels:
                raise self.error(fields["id"], f"duplicate id `{ident}` in `{root_key}`")
            labels[ident] = self.text(fields["text"], f"kit.{ident}",
                                      "The kit's own text (cover, colophon, poster)", "`text`")
        return labels


LEAFLETS_DIR = "leaflets"
# A leaflet's parent-app messages: with a link to its web page, or with its PDF.
APP_MESSAGES = {"web": "app-message-web", "file": "app-message-file"}
# The department's leaflet, the kit's first: shown first wherever leaflets are listed.
FIRST_LEAFLET = "cyberpesten"
# A leaflet's id names its catalogs (`<id>.po`) and its folders in output/ and in
# a school's pack: it must not be the kit's own catalog or a folder the kit writes.
RESERVED_LEAFLET_IDS = {"kit", "messages", "site", "schools", "review", "corpus", "leaflets",
                        "fonts", "print", "office", "screen", "multilingual"}
LABELS_FILE = "kit.yaml"
GUIDE_FILE = "guide.yaml"
# kit.yaml's settings beside its labels.
LABELS_SETTINGS = {"site_url"}
REVIEW_SHEET_FILE = "review-sheet.yaml"
WEB_FILE = "web.yaml"
REQUIRED_WEB = {"title", "choose", "choose-en", "intro", "intro-en", "schools-title",
                "schools-intro", "schools-school", "schools-languages", "schools-pack",
                "schools-site", "schools-zip", "schools-guide", "schools-failed",
                "schools-report"}
# Top keys of content files that are not translated.
UNTRANSLATED_FILES = {"guide", "languages", "review-sheet", "web"}
REQUIRED_GUIDE = {
    "title", "intro", "office-heading", "office-booklet", "office-poster", "print-heading",
    "print-text", "screen-heading", "screen-text", "languages-heading", "languages-text",
    "multilingual-text", "draft-text", "files-heading", "language-dutch", "language-line",
}
REQUIRED_LABELS = {
    "cover-audience", "colophon-heading", "source-text", "edition",
    "translation-notice", "translation-notice-single", "review-draft", "review-done",
    "poster-from", "school-heading", "school-intro", "label-phone", "label-email",
    "label-hours", "label-website", "label-address", "clb-heading", "clb-explained",
    "poster-school-contact", "poster-multi-notice", "translation-incomplete",
    "web-beside", "web-alone", "web-downloads", "web-file-brochure", "web-file-booklet",
    "web-file-poster", "note-added", "web-contact", "review-intro",
}


def load_document(path: Path) -> Document:
    return _ContentReader(path).document(compose(path))


def load_leaflets(content_dir: Path) -> dict[str, Document]:
    """Every leaflet of `content/leaflets/`, the department's first, then by id.

    Top-level section ids are unique across leaflets, so a message context
    (`voorkomen.tips`) names one text wherever the kit reports it: in review
    sheets, in the translation memory's notes and in error messages.
    """
    folder = content_dir / LEAFLETS_DIR
    paths = sorted(folder.glob("*.yaml"), key=lambda p: (p.stem != FIRST_LEAFLET, p.stem))
    if not paths:
        raise UserError("no leaflet: add one as content/leaflets/<id>.yaml "
                        "(`python build.py new-leaflet ID` writes a skeleton)", folder)
    leaflets: dict[str, Document] = {}
    owners: dict[str, str] = {}
    for path in paths:
        document = load_document(path)
        for section in document.sections:
            other = owners.setdefault(section.id, document.id)
            if other != document.id:
                raise UserError(f"the section id `{section.id}` is used by the leaflet "
                                f"`{other}` too; section ids must be unique across leaflets",
                                path, section.heading.line - 1)
        leaflets[document.id] = document
    return leaflets


def load_site_url(path: Path) -> str | None:
    """The kit-wide address of the web edition, from kit.yaml, or None."""
    node = compose(path)
    reader = _ContentReader(path)
    fields = reader.mapping(node, "the labels file", {"labels"}, LABELS_SETTINGS)
    if "site_url" not in fields or fields["site_url"].value in ("", None, "null"):
        return None
    url = reader.string(fields["site_url"], "`site_url`")
    if len(url) > MAX_URL_LENGTH:
        raise reader.error(fields["site_url"], f"`site_url` is {len(url)} characters long; at "
                                               f"most {MAX_URL_LENGTH} make a QR code a phone "
                                               "can read")
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url):
        raise reader.error(fields["site_url"], f"`site_url` must be a web address such as "
                                               f"https://www.school.be/cyberpesten, not `{url}`")
    return url


def load_labels(path: Path) -> dict[str, Text]:
    node = compose(path)
    labels = _ContentReader(path).labels(node)
    missing = sorted(REQUIRED_LABELS - labels.keys())
    if missing:
        raise UserError(f"the label `{missing[0]}` is missing", path, node.start_mark.line + 1)
    return labels


def load_untranslated(path: Path, root_key: str, required: set[str]) -> dict[str, str]:
    """Dutch- or English-only words for staff and reviewers: id -> text."""
    node = compose(path)
    texts = _ContentReader(path).labels(node, root_key=root_key)
    missing = sorted(required - texts.keys())
    if missing:
        raise UserError(f"the {root_key} text `{missing[0]}` is missing", path,
                        node.start_mark.line + 1)
    return {ident: text.source for ident, text in texts.items()}


def load_guide(path: Path) -> dict[str, str]:
    return load_untranslated(path, "guide", REQUIRED_GUIDE)


@dataclass(frozen=True)
class Library:
    """Every leaflet, and the kit's words they share."""

    leaflets: dict[str, Document]
    shared: Content  # the kit's words, with the first leaflet

    def content(self, leaflet: str) -> Content:
        """A leaflet with the kit's words: what the stages render from."""
        return dataclasses.replace(self.shared, document=self.leaflets[leaflet])

    def ids(self, asked: list[str] | None = None) -> list[str]:
        """Every leaflet's id, or the ones asked for (`--leaflet`), checked."""
        for ident in asked or ():
            if ident not in self.leaflets:
                raise UserError(f"unknown leaflet `{ident}`; the kit has: "
                                f"{', '.join(self.leaflets)}")
        return [i for i in self.leaflets if not asked or i in asked]


def load_content(content_dir: Path, leaflet: str = FIRST_LEAFLET) -> Content:
    """One leaflet with the kit's words, e.g. the department's for a benchmark or a check."""
    return load_library(content_dir).content(leaflet)


def load_library(content_dir: Path) -> Library:
    leaflets = load_leaflets(content_dir)
    labels = load_labels(content_dir / LABELS_FILE)
    shared = Content(next(iter(leaflets.values())), labels, load_guide(content_dir / GUIDE_FILE),
                     load_site_url(content_dir / LABELS_FILE),
                     load_untranslated(content_dir / WEB_FILE, "web", REQUIRED_WEB),
                     {ident: doc.title.source for ident, doc in leaflets.items()})
    return Library(leaflets, shared)


def texts_of_file(path: Path, text: str) -> list[Text]:
    """The translatable texts of one content file, for the message extractor."""
    node = compose_text(text, path)
    reader = _ContentReader(path)
    keys = {k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)} if isinstance(
        node, yaml.MappingNode) else set()
    if keys & UNTRANSLATED_FILES:
        return []  # words for staff and reviewers, and the list of languages
    if "labels" in keys:
        return list(reader.labels(node).values())
    return list(reader.document(node).texts())
