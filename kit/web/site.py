"""The web edition: a static site a parent opens on a phone from a QR code.

`output/site/` (and `output/schools/<slug>/site/` for a school) holds a
language chooser; per language, the list of its leaflets (`<lang>/index.html`)
and one page per leaflet (`<lang>/<leaflet>.html`, and `<leaflet>-nl.html`
beside the Dutch), the PDFs to download with a preview of their first page;
the stylesheet and the fonts as WOFF2 subsets. No JavaScript, no request to
another host: the folder is the site, and deploying is copying it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import threading
import types
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jinja2

from kit.inputs import file_hash
from kit.qr import leaflet_page
from kit.render import ROOT, STYLES_DIR, TEMPLATES_DIR, columns, make_environment
from kit.sources.content import Content
from kit.sources.fonts import FACES, FONTS_DIR, STACKS, Face
from kit.sources.languages import SOURCE_LANGUAGE, language
from kit.sources.school import School
from kit.translations import LanguageState, Leaflet, translations_for

SITE = "site"
INPUTS = ".site-inputs"
# The web fonts' subsets, kept across builds (`_subsets`).
FONT_CACHE = ".web-fonts"
# The downloads' previews, kept across builds by their PDF's hash (`make_previews`).
PREVIEW_CACHE = ".web-previews"
# What a parent downloads, per language set: (product, edition, paper, label).
DOWNLOADS = (
    ("brochure", "screen", "A5", "web-file-brochure"),
    ("brochure", "office", "A5", "web-file-booklet"),
    ("poster", "office", "A4", "web-file-poster"),
)


@dataclass(frozen=True)
class Download:
    href: str  # relative to the language's page
    label: str  # a label id of content/kit.yaml
    size_kb: int
    preview: str | None  # PNG of the first page, relative to the page


def build_site(out: Path, folder: Path, entries: list[dict], leaflets: dict[str, Leaflet],
               codes: list[str], school: School | None, shared: Content, jobs: int = 1) -> bool:
    """Write the site into `folder` unless nothing it shows changed. True if written.

    `leaflets` are those the site shows, with every language's catalogs;
    `shared` holds the kit's words, for the pages of no one leaflet; `jobs` processes
    make the web fonts not made before.
    """
    codes = [SOURCE_LANGUAGE, *(c for c in codes if c != SOURCE_LANGUAGE)]
    digest = _inputs_digest(entries, [leaflet.content for leaflet in leaflets.values()],
                            codes, school)
    if (folder / INPUTS).is_file() and (folder / INPUTS).read_text() == digest:
        return False
    staging = folder.with_name(f".{folder.name}-staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        _write_site(out, staging, entries, leaflets, codes, school, shared, jobs)
        (staging / INPUTS).write_text(digest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # the published site stays as it was
        raise
    _swap(staging, folder)
    return True


def _write_site(out: Path, staging: Path, entries: list[dict], leaflets: dict[str, Leaflet],
                codes: list[str], school: School | None, shared: Content, jobs: int) -> None:
    env = make_environment()
    pages: dict[str, str] = {}
    previews: list[Preview] = []
    for code in codes:
        sets = [(code,)] if code == SOURCE_LANGUAGE else [(code,), (SOURCE_LANGUAGE, code)]
        shown: list[tuple[str, str]] = []  # (page, title) of each leaflet in this language
        for ident, leaflet in leaflets.items():
            mine = [e for e in entries if e.get("leaflet") == ident]
            if not any(tuple(e["languages"]) == (code,) for e in mine):
                continue  # not (yet) translated into this language
            for languages in sets:
                downloads = _downloads(out, staging / code, mine, languages, ident, previews)
                name = leaflet_page(ident, bilingual=len(languages) == 2)
                pages[f"{code}/{name}"] = _page(env, leaflet.content, leaflet.states, languages,
                                                downloads, school)
            tr = translations_for(leaflet.content, leaflet.states, (code,))
            title = columns(leaflet.content, (code,), tr, paper=False)[0]
            shown.append((leaflet_page(ident), title.t(leaflet.content.document.title)))
        pages[f"{code}/index.html"] = _leaflets(env, shared, leaflets, code, shown, school)
    pages["index.html"] = _chooser(env, shared, codes, school)
    for relative, html in pages.items():
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    shutil.copyfile(STYLES_DIR / "web.css", staging / "style.css")
    make_previews(previews, out / PREVIEW_CACHE, jobs)
    write_fonts(staging, "".join(pages.values()), codes, out / FONT_CACHE, jobs)


def _inputs_digest(entries: list[dict], content: list[Content], codes: list[str],
                   school: School | None) -> str:
    files = sorted([*(TEMPLATES_DIR / "web").glob("*.html"), STYLES_DIR / "web.css",
                    *ROOT.glob("kit/web/*.py"), *FONTS_DIR.glob("*.*")])
    data = {
        "entries": sorted((e["path"], e["sha256"]) for e in entries),
        "codes": codes,
        "content": repr(content),
        # The quantities of the print shop's order are not on the site.
        "school": repr(school and dataclasses.replace(school, quantities=())),
        "files": [file_hash(p) for p in files],  # read once per process, for every school
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _downloads(out: Path, folder: Path, entries: list[dict], languages: tuple[str, ...],
               leaflet: str, previews: list[Preview]) -> list[Download]:
    """A page's files to download, linked into its folder; their previews, to make, are
    added to `previews`."""
    folder.mkdir(parents=True, exist_ok=True)
    found = []
    prefix = f"{leaflet}-" if len(languages) == 1 else f"{leaflet}-nl-"
    for product, edition, paper, label in DOWNLOADS:
        entry = next((e for e in entries if e["product"] == product
                      and e["edition"] == edition and e["paper"] == paper
                      and tuple(e["languages"]) == languages), None)
        if entry is None:
            continue
        source = out / entry["path"]
        name = f"{prefix}{Path(entry['path']).name}".replace(".pdf", f"-{edition}.pdf")
        _link(source, folder / name)
        preview = None
        if edition == "screen" or product == "poster":
            target = (folder / name).with_suffix(".png")
            previews.append(Preview(source, entry["sha256"], target))
            preview = target.name
        found.append(Download(name, label, max(1, source.stat().st_size // 1024), preview))
    return found


@dataclass(frozen=True)
class Preview:
    """The first page of a PDF to download, as a small PNG beside it."""

    source: Path
    sha256: str  # of the PDF: the preview's name in the cache
    target: Path


def make_previews(previews: list[Preview], cache: Path, jobs: int) -> None:
    """Every preview, from the cache when its PDF was previewed before (by any build),
    else made with poppler, `jobs` at a time: an edit makes only its own files' again."""
    cache.mkdir(parents=True, exist_ok=True)

    def one(preview: Preview) -> None:
        cached = cache / f"{preview.sha256}.png"
        if not cached.is_file():
            stem = cache / f".{preview.sha256}-{threading.get_ident()}"
            # A session of its own: a Ctrl-C to the build's process group would
            # kill poppler mid-picture and turn the build's clean stop into a crash;
            # a preview takes a tenth of a second, then the build stops.
            subprocess.run(["pdftoppm", "-r", "30", "-png", "-singlefile", "-l", "1",
                            str(preview.source), str(stem)], check=True, capture_output=True,
                           start_new_session=True)
            os.replace(f"{stem}.png", cached)  # never half a picture in the cache
        _link(cached, preview.target)

    # Threads: each waits on its own poppler process.
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(one, previews))


def _link(source: Path, target: Path) -> None:
    """A hard link where the file system allows it: the same bytes, no copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _page(env: jinja2.Environment, content: Content, states: dict[str, LanguageState],
          languages: tuple[str, ...], downloads: list[Download],
          school: School | None) -> str:
    tr = translations_for(content, states, languages)
    cols = columns(content, languages, tr, paper=False)
    translation = next((c for c in cols if c.lang.code != SOURCE_LANGUAGE), None)
    main = translation or cols[0]
    colophon_cols = cols
    if translation is not None and len(cols) == 1:
        # As on paper: a translation says so in Dutch too.
        colophon_cols = [*cols, *columns(content, (SOURCE_LANGUAGE,), tr, paper=False)]
    return env.get_template("web/page.html").render(
        doc=content.document, cols=cols, main=main, translation=translation,
        alone=leaflet_page(content.document.id),
        beside=leaflet_page(content.document.id, bilingual=True),
        colophon_cols=colophon_cols, words=content.web,
        bilingual=len(cols) == 2, review=tr.review, untranslated=tr.untranslated,
        downloads=downloads, school=school, rules=content.document.rules,
        title=" / ".join(c.t(content.document.title).striptags() for c in cols),
    )


def _leaflets(env: jinja2.Environment, shared: Content, leaflets: dict[str, Leaflet],
              code: str, shown: list[tuple[str, str]], school: School | None) -> str:
    """A language's page: its leaflets, each by its title in that language."""
    any_leaflet = next(iter(leaflets.values()))
    tr = translations_for(any_leaflet.content, any_leaflet.states, (code,))
    main = columns(shared, (code,), tr, paper=False)[0]
    return env.get_template("web/leaflets.html").render(
        main=main, leaflets=shown, words=shared.web, school=school,
        title=main.label("cover-audience").striptags())


def _chooser(env: jinja2.Environment, content: Content, codes: list[str],
             school: School | None) -> str:
    return env.get_template("web/chooser.html").render(
        doc=content.document, languages=[language(c) for c in codes],
        dutch_names={c: language(c).name_in(SOURCE_LANGUAGE) for c in codes},
        words=content.web, school=school,
    )


# A face carries every character of each 64-code-point range of which a
# page uses one (printable ASCII and Latin-1 always): its subset then depends
# on the scripts a site shows, hardly on a school's name or on which other
# languages share the face, so a batch makes each subset once for many
# schools (`_subset`). Ranges of 64 rather than 256 cut the Latin, Arabic and
# Ethiopic faces' downloads and WOFF2 compression by a fifth to a half. The
# Chinese face is the exception: whole ranges of it would be megabytes, and
# its characters are those of the Chinese pages, from General Punctuation on
# (Chinese quotation marks and dashes): the Latin letters and digits of a
# Chinese page are drawn by the Latin face next in its stack. Its subset then
# does not change with a school's name, which made one per school in a batch.
ALWAYS = frozenset(range(0x20, 0x7F)) | frozenset(range(0xA0, 0x100))
RANGE = 0x40
BY_CHARACTER = frozenset({"Kit Chinese"})
BY_CHARACTER_FROM = 0x2000
# Part of a cached subset's name: another subsetter makes other bytes.
# Brotli's quality for WOFF2. fontTools always packs at 11, the slowest; on the
# kit's 14 subsets Brotli takes 2.5 s of processor time at 10 where it takes
# 5.5 s at 11, for files 2 % larger (994 kB against 973 kB in all), and 9
# would add 10 %.
WOFF2_QUALITY = 10
# What makes a subset, part of its cache key: a change here makes every subset again.
SUBSETTER = f"harfbuzz|brotli-{WOFF2_QUALITY}"


def write_fonts(folder: Path, html: str, codes: list[str], cache: Path | None = None,
                jobs: int = 1) -> None:
    """Each face the site uses, cut down to the characters its pages need, as WOFF2.

    With `cache`, each subset is kept there under the hash of its face and
    characters, for every later build: a translation edit that adds no new
    range of characters subsets nothing again. The subsets not in the cache
    are made `jobs` at a time, in worker processes.
    """
    text = {ord(c) for c in re.sub(r"<[^>]+>", " ", html)}
    scripts = {language(c).script for c in codes} | {"Latn"}
    families = {family for script in scripts for family in STACKS[script]}
    (folder / "fonts").mkdir()
    wanted: list[tuple[Face, frozenset[str]]] = []
    for face in (f for f in FACES if f.family in families):
        coverage = _coverage(face.file)
        used = text & coverage
        if face.family in BY_CHARACTER:
            used = {c for c in used if c >= BY_CHARACTER_FROM}
        if not used:
            continue
        if face.family not in BY_CHARACTER:
            ranges = {c // RANGE for c in used}
            used = {c for c in coverage if c // RANGE in ranges} | (ALWAYS & coverage)
        wanted.append((face, frozenset(chr(c) for c in used)))
    made = _subsets([(face.file, chars) for face, chars in wanted], cache, jobs)
    rules = []
    for (face, _), data in zip(wanted, made, strict=True):
        name = f"{Path(face.file).stem}.woff2"
        (folder / "fonts" / name).write_bytes(data)
        rules.append(f'@font-face {{ font-family: "{face.family}"; src: url("fonts/{name}") '
                     f'format("woff2"); font-weight: {face.weight}; font-style: {face.style}; '
                     "font-display: swap; }")
    for script in sorted(scripts):
        stack = ", ".join(f'"{family}"' for family in STACKS[script])
        rules.append(f'[data-script="{script}"] {{ font-family: {stack}, sans-serif; }}')
    (folder / "fonts.css").write_text("\n".join(rules) + "\n", encoding="utf-8")


@functools.cache
def _coverage(file: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(FONTS_DIR / file, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _subsets(wanted: list[tuple[str, frozenset[str]]], cache: Path | None,
             jobs: int) -> list[bytes]:
    """Each (face, characters) as WOFF2: from the cache when made before (by any build,
    any school), else made now, several at a time when there are several to make."""
    found: list[bytes | None] = []
    for file, chars in wanted:
        target = _cache_file(cache, file, chars)
        found.append(target.read_bytes() if target is not None and target.is_file() else None)
    missing = [n for n, data in enumerate(found) if data is None]
    if len(missing) > 1 and jobs > 1:
        # The biggest faces first, so that no process is left with one at the end.
        missing.sort(key=lambda n: -(FONTS_DIR / wanted[n][0]).stat().st_size)
        with ProcessPoolExecutor(max_workers=min(jobs, len(missing))) as pool:
            made = pool.map(_make_subset, *zip(*(wanted[n] for n in missing), strict=True))
            for n, data in zip(missing, made, strict=True):
                found[n] = data
    for n in missing:
        file, chars = wanted[n]
        data = found[n] if found[n] is not None else _subset(file, chars)
        found[n] = data
        target = _cache_file(cache, file, chars)
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)  # never half a font in the cache
    return [data for data in found if data is not None]


def _cache_file(cache: Path | None, file: str, chars: frozenset[str]) -> Path | None:
    """Where a subset is kept: named by the hash of the face's file and the characters."""
    if cache is None:
        return None
    key = hashlib.sha256(
        f"{SUBSETTER}|{_face_hash(file)}|{''.join(sorted(chars))}".encode()).hexdigest()
    return cache / f"{Path(file).stem}-{key[:24]}.woff2"


@functools.cache
def _face_hash(file: str) -> str:
    return file_hash(FONTS_DIR / file)


@functools.lru_cache(maxsize=128)
def _subset(file: str, chars: frozenset[str]) -> bytes:
    """One face cut down to `chars`, as WOFF2; the same request is answered from memory."""
    return _make_subset(file, chars)


def _make_subset(file: str, chars: frozenset[str]) -> bytes:
    """HarfBuzz cuts the face (every layout feature kept, so shaping is the face's own);
    fontTools packs it as WOFF2. HarfBuzz's subsetter takes milliseconds where
    fontTools' took seconds on the Nastaliq and Ethiopic faces' large GSUB tables."""
    import uharfbuzz
    from fontTools.ttLib import TTFont

    wanted = uharfbuzz.SubsetInput()
    wanted.unicode_set.update(ord(c) for c in chars)
    # The default set is a list of common features: all of them means none listed, inverted.
    wanted.layout_feature_tag_set.clear()
    wanted.layout_feature_tag_set.invert()
    face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(FONTS_DIR / file)))
    cut = uharfbuzz.subset(face, wanted)
    if cut is None:
        raise RuntimeError(f"HarfBuzz could not subset {file}")
    # The face's own date kept: the same subset is the same bytes, in any build.
    with TTFont(io.BytesIO(cut.blob.data), recalcTimestamp=False) as font, _woff2_quality():
        font.flavor = "woff2"
        buffer = io.BytesIO()
        font.save(buffer)
    return buffer.getvalue()


@contextlib.contextmanager
def _woff2_quality() -> Iterator[None]:
    """fontTools' WOFF2 writer compressing at `WOFF2_QUALITY` (it has no setting of its own:
    it calls its module's `brotli.compress`, which is swapped for the time of one save)."""
    import brotli
    from fontTools.ttLib import woff2

    def compress(data: bytes, **options: object) -> bytes:
        return brotli.compress(data, **{**options, "quality": WOFF2_QUALITY})

    module = woff2.brotli
    if module is not brotli:
        raise RuntimeError("fontTools no longer packs WOFF2 with the brotli module")
    woff2.brotli = types.SimpleNamespace(compress=compress, decompress=brotli.decompress,
                                         MODE_FONT=brotli.MODE_FONT)
    try:
        yield
    finally:
        woff2.brotli = module


def _swap(staging: Path, folder: Path) -> None:
    """Replace the published site in two renames: never half a site in place."""
    old = folder.with_name(f".{folder.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
