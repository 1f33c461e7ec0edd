"""A school's pack, handed on: one folder and one zip for each person it goes to.

- `drukkerij` (the print shop): the print-shop files and an order sheet, as
  PDF and as plain text, with a quantity to fill in for each file;
- `secretariaat` (the school office): the office booklets and posters and the
  printing guide, in the folders the guide names;
- `ouders` (parents): the screen brochures, named so that a parent sees the
  topic and the language, and the message for the parent app in every
  language beside the Dutch (text files and one page to copy from);
- `website`: the school's web edition and a one-page guide to publishing it.

Each opens with `00-LEESMIJ.txt`, in Dutch, for the staff. A hand-off holds
the pack's own files (hard links in its folder, the same bytes in its zip):
nothing is rendered twice. It is made after the school's site, from the
manifest's records, and made again only when something it holds changed; a
zip whose bytes are unchanged is not rewritten.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from kit.errors import UserError
from kit.manifest import sha256_file, write_bytes_atomic
from kit.pack import ZIP_DATE
from kit.plan import CONDITIONS, PAPER_MM
from kit.qr import page_url
from kit.render import ROOT, STYLES_DIR, TEMPLATES_DIR, booklet_rtl, columns, make_environment
from kit.sources.languages import SOURCE_LANGUAGE, language
from kit.translations import translations_for

if TYPE_CHECKING:
    from kit.sources.content import Document, Text
    from kit.sources.school import School
    from kit.translations import LanguageState, Leaflet

FOLDER = "overdracht"
# Who each hand-off is for, as the batch's index and the zips name them.
HANDOFFS: dict[str, str] = {
    "drukkerij": "Voor de drukkerij",
    "secretariaat": "Voor het secretariaat",
    "ouders": "Voor de ouders",
    "website": "Webversie om te publiceren",
}
README = "00-LEESMIJ.txt"  # first in every folder listing and zip
INPUTS = ".handoff-inputs"
# A parent app (Smartschool, Gimme, Questi, Bingel) or a phone's notification
# shows about the first 100 to 150 characters of a message. The sentence
# before the link must be read whole there, so it may be at most 150
# characters long with the school's name in it. A translation of a message
# is held to 70 characters without the name, so that the longest name a
# profile allows (80) still fits; the link follows on a line of its own,
# where every app makes it tappable and no preview needs it.
MESSAGE_PREVIEW = 150
MESSAGE_TEXT = 70
# Direction marks and isolates: not characters a parent sees.
BIDI_CONTROLS = re.compile("[\u200e\u200f\u2066-\u2069]")


@dataclass(frozen=True)
class Topic:
    """What a leaflet is called in file names and on the order sheet."""

    stem: str  # the start of every file name a parent or a print shop sees
    title: str  # the leaflet's Dutch title


def topic(document: Document) -> Topic:
    """The one place a leaflet's name for hand-offs is made: from its id and its title."""
    return Topic(document.id, document.title.source)


def titles(topics: dict[str, Topic]) -> str:
    """The pack's leaflets as its hand-offs name them: “A”, “B”."""
    return ", ".join(f"“{t.title}”" for t in topics.values())


def zip_path(slug: str, name: str) -> str:
    """Where a hand-off's zip lands, relative to `output/`."""
    return f"schools/{slug}/{FOLDER}/{slug}-{name}.zip"


def zip_paths(slug: str) -> list[str]:
    return [zip_path(slug, name) for name in HANDOFFS]


def folder_path(slug: str, name: str) -> str:
    return f"schools/{slug}/{FOLDER}/{name}"


# --- names a parent can read ---------------------------------------------------------------


def _name_part(text: str) -> str:
    """A language's name as part of a file name: its letters, in any script, and hyphens."""
    text = unicodedata.normalize("NFC", text.lower())
    kept = "".join(ch if unicodedata.category(ch)[0] in "LMN" else "-" for ch in text)
    return re.sub("-+", "-", kept).strip("-")


def parent_file_name(leaflet: Topic, languages: tuple[str, ...]) -> str:
    """`cyberpesten-nederlands-arabisch-العربية.pdf`: the topic, then each language.

    Each language is named in Dutch (what the school reads, and what any mail
    client shows right) and in its own script (what a parent recognises),
    once where the two are the same. The name starts with Latin letters, so
    it reads left to right also on a phone set to Arabic.
    """
    parts = [leaflet.stem]
    for code in languages:
        names = [_name_part(language(code).name_in(SOURCE_LANGUAGE)),
                 _name_part(language(code).native_name)]
        parts += dict.fromkeys(names)
    return "-".join(parts) + ".pdf"


# --- the hand-offs' members ----------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One file of a hand-off: a file of the pack, or one made for the hand-off."""

    name: str  # inside the hand-off's folder and zip
    source: str | None = None  # the pack's file, relative to `output/`
    sha256: str | None = None  # of the source, as the manifest records it
    data: bytes | None = None  # a text made here
    html: str | None = None  # a PDF made here from this page, only when the hand-off changed


@dataclass(frozen=True)
class Message:
    """A leaflet's parent-app message in one language: a sentence per language, then the link."""

    leaflet: Topic
    code: str
    lines: tuple[tuple[str, str, str], ...]  # (BCP 47 tag, direction, sentence)
    link: str

    @property
    def text(self) -> str:
        return "\n".join([*(line for _, _, line in self.lines), self.link]) + "\n"

    @property
    def file(self) -> str:
        """Its text file in the parents' hand-off."""
        return f"berichten/bericht-{self.leaflet.stem}-{self.code}.txt"


def school_entries(state: dict, slug: str) -> list[dict]:
    """The records of a school's pack as the build state holds them, files that exist only."""
    return [info["entry"] for info in state.values()
            if isinstance(info, dict) and isinstance(info.get("entry"), dict)
            and info["entry"].get("school") == slug
            and info["entry"].get("product") in ("brochure", "poster", "guide")
            and not info["entry"].get("stale")]


def _by_languages(entries: list[dict], edition: str, product: str) -> list[dict]:
    order = {code: n for n, code in enumerate(
        dict.fromkeys(c for e in entries for c in e["languages"]))}
    chosen = [e for e in entries if e["edition"] == edition and e["product"] == product]
    return sorted(chosen, key=lambda e: (e.get("leaflet") or "", [order[c] for c in e["languages"]],
                                         e["paper"]))


def messages(leaflets: list[Leaflet], school: School, entries: list[dict]) -> list[Message]:
    """Each leaflet's parent-app message in Dutch and in each of the school's languages,
    beside the Dutch; a leaflet that has no message (`app-message-web`) gets none.

    With a `site_url`, each links to the leaflet's web page in its language;
    without one, the school has no page to link to, and the message names the
    screen brochure (beside the Dutch) to attach to it instead.
    """
    kind = "web" if school.site_url else "file"
    result = []
    for leaflet in leaflets:
        text = leaflet.content.document.app_messages.get(kind)
        if text is None:
            continue
        name = topic(leaflet.content.document)
        mine = [e for e in entries if e.get("leaflet") == leaflet.id]
        for code in [SOURCE_LANGUAGE, *school.languages]:
            message = _message(leaflet, name, text, code, school, mine)
            if message is not None:
                result.append(message)
    return result


def _message(leaflet: Leaflet, name: Topic, text: Text, code: str, school: School,
             entries: list[dict]) -> Message | None:
    languages = (code,) if code == SOURCE_LANGUAGE else (code, SOURCE_LANGUAGE)
    attached = (code,) if code == SOURCE_LANGUAGE else (SOURCE_LANGUAGE, code)
    screen = {tuple(e["languages"]) for e in entries
              if e["edition"] == "screen" and e["product"] == "brochure"}
    if (code,) not in screen and attached not in screen:
        return None  # the leaflet is not (yet) in this language, or no screen file was built
    tr = translations_for(leaflet.content, leaflet.states, languages)
    lines = []
    for col in columns(leaflet.content, languages, tr, paper=False):
        sentence = str(Markup(col.t(text, school=school.name)).striptags())
        if col.lang.direction == "ltr":
            # Isolates keep the name in place in a right-to-left line; in a
            # left-to-right one they only risk showing as boxes in older apps.
            sentence = BIDI_CONTROLS.sub("", sentence)
        _check_preview(leaflet.states, col.lang.code, text, sentence)
        lines.append((col.lang.tag, col.lang.direction, sentence))
    if school.site_url:
        link = page_url(school.site_url, code, leaflet.id)
    elif attached in screen:
        link = parent_file_name(name, attached)
    else:
        return None  # nothing to attach
    return Message(name, code, tuple(lines), link)


def _check_preview(states: dict[str, LanguageState], code: str, text: Text,
                   sentence: str) -> None:
    """A message must be read whole in a parent app's preview; a longer one names its catalog."""
    length = len(BIDI_CONTROLS.sub("", sentence))
    if length <= MESSAGE_PREVIEW:
        return
    catalog = states[code].catalog
    file, line = (catalog.path_of(text.key), catalog.line_of(text.key, text.source)) if catalog \
        else (text.file, text.line)
    raise UserError(f"`{text.key}` is {length} characters long with the school's name; a "
                    f"parent app's preview shows about {MESSAGE_PREVIEW}: shorten the text to "
                    f"at most {MESSAGE_TEXT} characters besides {{school}}", file, line)


def members(out: Path, leaflets: list[Leaflet], school: School, entries: list[dict],
            site_folder: Path) -> dict[str, list[Member]]:
    """What each hand-off holds, in the order its zip lists it."""
    env = make_environment()
    topics = {leaflet.id: topic(leaflet.content.document) for leaflet in leaflets}
    named = titles(topics)
    readme = env.get_template("handoff/leesmij.txt")

    def text(name: str, **values: object) -> Member:
        body = readme.render(handoff=name, school=school, titles=named, **values)
        return Member(README, data=body.encode("utf-8"))

    def pack(entry: dict, name: str) -> Member:
        return Member(name, entry["path"], entry["sha256"])

    rows = order_rows(out, topics, school, entries)
    order_text = env.get_template("handoff/bestelbon.txt").render(
        school=school, titles=named, rows=rows)
    sheet = env.get_template("handoff/sheet.html")
    printshop = [text("drukkerij", rows=rows),
                 Member("bestelbon.pdf", html=sheet.render(
                     kind="order", title=f"Bestelbon: {school.name}", school=school,
                     titles=named, rows=rows)),
                 Member("bestelbon.txt", data=order_text.encode("utf-8")),
                 *(pack(row.entry, row.file) for row in rows)]

    office = [text("secretariaat"),
              *(pack(e, e["path"].split("/", 2)[2]) for e in entries
                if e["product"] == "guide"),
              *(pack(e, e["path"].split("/", 2)[2]) for product in ("brochure", "poster")
                for e in _by_languages(entries, "office", product))]

    said = messages(leaflets, school, entries)
    page = env.get_template("handoff/berichten.html").render(
        school=school, titles=named, messages=said,
        names={m.code: language(m.code).name_in(SOURCE_LANGUAGE) for m in said})
    screen = _by_languages(entries, "screen", "brochure")

    def parent_name(entry: dict) -> str:
        return parent_file_name(topics[entry["leaflet"]], tuple(entry["languages"]))

    parents = [text("ouders", messages=said, files=[parent_name(e) for e in screen]),
               Member("berichten.html", data=page.encode("utf-8")),
               *(Member(m.file, data=m.text.encode("utf-8")) for m in said),
               *(pack(e, parent_name(e)) for e in screen)]

    guide = env.get_template("handoff/leesmij.txt").render(
        handoff="website", school=school, titles=named,
        pages=[(language(c).name_in(SOURCE_LANGUAGE), page_url(school.site_url, c, None))
               for c in [SOURCE_LANGUAGE, *school.languages]] if school.site_url else [])
    site = [Member(README, data=guide.encode("utf-8")),
            Member("publiceren.pdf", html=sheet.render(
                kind="text", title=f"Je webversie publiceren: {school.name}",
                school=school, blocks=text_blocks(guide))),
            *(Member(f"site/{p.relative_to(site_folder).as_posix()}",
                     p.relative_to(out).as_posix())
              for p in sorted(site_folder.rglob("*"))
              if p.is_file() and not any(part.startswith(".")
                                         for part in p.relative_to(site_folder).parts))]
    return {"drukkerij": printshop, "secretariaat": office, "ouders": parents,
            "website": site}


# --- the order sheet -----------------------------------------------------------------------


@dataclass(frozen=True)
class OrderRow:
    """One file of the print shop's order: what it is and how it is finished."""

    entry: dict
    file: str
    what: str
    languages: str
    paper: str
    pages: int
    colours: str
    bleed: str
    binding: str
    condition: str
    quantity: int | None


def print_name(leaflet: Topic, entry: dict) -> str:
    """`cyberpesten-nl-ar-brochure-a5.pdf`: a print shop keeps many schools' files."""
    folder, name = entry["path"].split("/")[-2:]
    return f"{leaflet.stem}-{folder}-{name}"


def order_rows(out: Path, topics: dict[str, Topic], school: School,
               entries: list[dict]) -> list[OrderRow]:
    """Every print-shop file of the pack, with what the print shop needs to know."""
    quantities = dict(school.quantities)
    rows = []
    for product in ("brochure", "poster"):
        for entry in _by_languages(entries, "print", product):
            languages = tuple(entry["languages"])
            names = [language(c).name_in(SOURCE_LANGUAGE) for c in languages]
            if len(languages) > 2:
                said = "Nederlands en " + ", ".join(names[1:])
            else:
                said = " naast ".join(names)
            # The brochure's default: `nl` for the Dutch one, a translation's
            # for the one beside the Dutch (the version the rules ask for).
            quantity = None
            if product == "brochure" and languages[0] == SOURCE_LANGUAGE:
                quantity = quantities.get(languages[-1])
            width, height = PAPER_MM[entry["paper"]]
            brochure = product == "brochure"
            leaflet = topics[entry["leaflet"]]
            rows.append(OrderRow(
                entry=entry,
                file=print_name(leaflet, entry),
                what=(f"Brochure “{leaflet.title}”" if brochure
                      else f"Affiche met de vuistregels van “{leaflet.title}”"),
                languages=said,
                paper=f"{entry['paper']} ({width} × {height} mm)",
                pages=entry["pages"],
                colours="CMYK, recto verso (4/4)" if brochure else "CMYK, enkelzijdig (4/0)",
                bleed="3 mm rondom, snijtekens buiten de afloop",
                binding=(("rugnieten (saddle-stitch), rug rechts: leest van rechts naar links"
                          if booklet_rtl(languages) else "rugnieten (saddle-stitch), rug links")
                         if brochure else "geen, plano"),
                condition=output_condition(out / entry["path"]),
                quantity=quantity,
            ))
    return rows


def output_condition(path: Path) -> str:
    """The printing condition a print-shop file's output intent names, read from the file."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        intents = pdf.Root.get("/OutputIntents", [])
        identifier = str(intents[0].get("/OutputConditionIdentifier", "")) if intents else ""
    known = next((c for c in CONDITIONS.values() if c.identifier == identifier), None)
    return f"{identifier}: {known.info}" if known else identifier or "onbekend"


def text_blocks(text: str) -> list[tuple[str, str]]:
    """A LEESMIJ text as blocks for its PDF: `# ` a title, `## ` a heading, `- ` an item."""
    blocks = []
    # `site_url` marks a profile key in the text; the PDF prints the key alone.
    for part in re.split(r"\n\s*\n", text.replace("`", "").strip()):
        lines = part.splitlines()
        if part.startswith("# "):
            blocks.append(("h1", part[2:].strip()))
        elif part.startswith("## "):
            blocks.append(("h2", part[3:].strip()))
        elif all(line.startswith(("- ", "  ")) for line in lines):
            items = re.split(r"\n(?=- )", part)
            blocks += [("li", " ".join(item[2:].split())) for item in items]
        else:
            blocks.append(("p", " ".join(part.split())))
    return blocks


# --- writing -------------------------------------------------------------------------------


def seal_handoffs(out: Path, leaflets: list[Leaflet], school: School,
                  state: dict) -> list[str]:
    """Make a school's hand-offs that changed, and record each zip; the paths rewritten.

    `leaflets` are the pack's, each with the catalogs of the school's languages.
    """
    entries = school_entries(state, school.slug)
    site = out / "schools" / school.slug / "site"
    made = members(out, leaflets, school, entries, site)
    written = []
    for name, files in made.items():
        target = zip_path(school.slug, name)
        digest = _digest(name, files, site)
        folder = out / folder_path(school.slug, name)
        record = state.get(target, {}).get("entry")
        if (record and (folder / INPUTS).is_file() and (folder / INPUTS).read_text() == digest
                and (out / target).is_file() and sha256_file(out / target) == record["sha256"]):
            continue
        data = _fill(out, files)
        _write_folder(out, folder, files, data, digest)
        archive = zip_bytes(f"{school.slug}-{name}", [(m.name, data[m.name]) for m in files])
        if not (out / target).is_file() or (out / target).read_bytes() != archive:
            write_bytes_atomic(out / target, archive)
            written.append(target)
        state[target] = {"entry": handoff_entry(target, name, school, archive, files, data)}
    return written


def _digest(name: str, files: list[Member], site: Path) -> str:
    """Everything a hand-off is made from: its files, the pages of its PDFs, the kit's code."""
    code = [TEMPLATES_DIR / "handoff" / p for p in ("leesmij.txt", "bestelbon.txt",
                                                     "sheet.html", "berichten.html")]
    code += [STYLES_DIR / "handoff.css", STYLES_DIR / "kit.css", ROOT / "kit" / "handoff.py"]
    site_inputs = site / ".site-inputs"
    parts = {
        "handoff": name,
        # The site is replaced whole when anything on it changes, and says so here.
        "site": site_inputs.read_text() if site_inputs.is_file() else "",
        "files": [(m.name, m.source, m.sha256,
                   hashlib.sha256(m.data).hexdigest() if m.data is not None else None,
                   hashlib.sha256(m.html.encode()).hexdigest() if m.html else None)
                  for m in files],
        "code": [hashlib.sha256(p.read_bytes()).hexdigest() for p in code],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _fill(out: Path, files: list[Member]) -> dict[str, bytes]:
    """Each member's bytes: the pack's file as it is, a text, or a PDF laid out now."""
    data = {}
    for m in files:
        if m.html is not None:
            data[m.name] = render_pdf(m.html)
        elif m.data is not None:
            data[m.name] = m.data
        else:
            data[m.name] = (out / m.source).read_bytes()
    return data


def render_pdf(html: str) -> bytes:
    """A page of the hand-offs (order sheet, publishing guide) as a PDF, in the kit's fonts."""
    from kit.errors import BuildFailure
    from kit.render import Renderer, RenderLog

    renderer = Renderer()
    log = RenderLog()
    sheets = renderer.stylesheets((STYLES_DIR / "kit.css", STYLES_DIR / "handoff.css"), log)
    document = renderer.render(html, sheets, log)
    data = document.write_pdf(pdf_tags=True)
    if log.missing_glyphs or log.refused:
        raise BuildFailure(f"a hand-off page could not be made: "
                           f"{(log.missing_glyphs + log.refused)[0]}")
    return data


def _write_folder(out: Path, folder: Path, files: list[Member], data: dict[str, bytes],
                  digest: str) -> None:
    """The hand-off's folder, replaced whole: the pack's files as hard links, no copies."""
    from kit.web.site import _link, _swap

    staging = folder.with_name(f".{folder.name}-staging")
    shutil.rmtree(staging, ignore_errors=True)
    for m in files:
        target = staging / m.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if m.source is not None:
            _link(out / m.source, target)
        else:
            target.write_bytes(data[m.name])
    (staging / INPUTS).write_text(digest)
    _swap(staging, folder)


def zip_bytes(root: str, files: list[tuple[str, bytes]]) -> bytes:
    """A reproducible zip: a fixed date, the order given, names in UTF-8 (the zip's flag 11)."""
    buffer = io.BytesIO()
    # PDFs and WOFF2 fonts are compressed already; the texts are small.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(f"{root}/{name}", ZIP_DATE)
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def handoff_entry(path: str, name: str, school: School, archive: bytes,
                  files: list[Member], data: dict[str, bytes]) -> dict:
    """The manifest record of a hand-off's zip, with every file it holds."""
    return {
        "path": path, "product": "handoff", "handoff": name, "edition": None,
        "languages": [SOURCE_LANGUAGE, *school.languages], "paper": None, "sheet": None,
        "imposed": False, "pages": None, "sha256": hashlib.sha256(archive).hexdigest(),
        "text_scale": None, "stale": False, "review": None, "school": school.slug,
        "files": [{"name": m.name, "source": m.source,
                   "sha256": hashlib.sha256(data[m.name]).hexdigest()} for m in files],
    }


# --- checking ------------------------------------------------------------------------------


def verify_handoff(out: Path, entry: dict, manifest: list[dict]) -> list[str]:
    """A hand-off's zip and folder hold exactly its files, and its pack files are the pack's."""
    path = out / entry["path"]
    if sha256_file(path) != entry["sha256"]:
        return ["checksum differs from the manifest"]
    listed = {e["path"]: e for e in manifest}
    root = path.stem
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            wanted = [f"{root}/{f['name']}" for f in entry["files"]]
            if names != wanted:
                missing = sorted(set(wanted) - set(names))
                extra = sorted(set(names) - set(wanted))
                return [f"zip does not match its record: missing {missing[:3]}, "
                        f"extra {extra[:3]}"]
            for f in entry["files"]:
                if hashlib.sha256(archive.read(f"{root}/{f['name']}")).hexdigest() != f["sha256"]:
                    return [f"{f['name']} in the zip differs from its record"]
    except zipfile.BadZipFile as exc:
        return [f"not a zip file: {exc}"]
    folder = out / folder_path(entry["school"], entry["handoff"])
    for f in entry["files"]:
        source = listed.get(f["source"] or "")
        if source is not None and source["sha256"] != f["sha256"]:
            return [f"{f['name']} is not the pack's {f['source']} as the manifest lists it"]
        if entry["handoff"] == "drukkerij" and source is not None and (
                source["edition"] != "print"):
            return [f"{f['name']} is not a print-shop file"]
        copy = folder / f["name"]
        if not copy.is_file() or sha256_file(copy) != f["sha256"]:
            return [f"{folder_path(entry['school'], entry['handoff'])}/{f['name']} is missing "
                    "or differs from the zip"]
    return []
