"""The commands besides `build`: catalog upkeep, status and the preflight of output/."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import os
import time
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from kit.errors import UserError, display_path
from kit.manifest import MANIFEST, read_json
from kit.pipeline import Options, build
from kit.sources import catalogs
from kit.sources.content import (
    ID_PATTERN,
    LEAFLETS_DIR,
    MAX_LEAFLET_ID_LENGTH,
    RESERVED_LEAFLET_IDS,
    load_library,
)
from kit.sources.languages import SOURCE_LANGUAGE, check_script_has_fonts, known_languages
from kit.sources.school import MAX_SLUG_LENGTH, RESERVED_SLUGS, load_school, load_schools


@dataclass(frozen=True)
class Paths:
    root: Path  # where babel.cfg is, and the paths it names
    content: Path
    locales: Path
    output: Path


def _domains(paths: Paths, leaflets: list[str] | None) -> list[str]:
    """The kit's catalog, then each leaflet's asked for (`--leaflet`, default all)."""
    return [catalogs.KIT_DOMAIN, *load_library(paths.content).ids(leaflets)]


def extract(paths: Paths, leaflets: list[str] | None = None) -> int:
    # babel.cfg names `content/`: the tree that holds the content being extracted.
    templates = catalogs.extract(paths.content.parent, paths.root / "babel.cfg")
    for domain in _domains(paths, leaflets):
        template = templates.get(domain, Catalog())
        target = catalogs.template_path(paths.locales, domain)
        verb = "wrote" if catalogs.write_template(template, target) else "unchanged:"
        print(f"{verb} {display_path(target)} ({len(template)} messages)")
    return 0


def _template(paths: Paths, domain: str) -> Catalog:
    path = catalogs.template_path(paths.locales, domain)
    if not path.exists():
        raise UserError("no template yet; run `python build.py extract` first", path)
    with path.open("rb") as fileobj:
        return read_po(fileobj)


def _memory(paths: Paths, code: str, leaflet: str) -> dict[str, Catalog]:
    """The language's catalogs of the other leaflets, for the translation memory."""
    found = {}
    for other in load_library(paths.content).leaflets:
        path = catalogs.catalog_path(paths.locales, code, other)
        if other != leaflet and path.exists():
            found[other] = catalogs.read_catalog(path, code).catalog
    return found


def _refresh(paths: Paths, code: str, domain: str, template: Catalog) -> str:
    """Merge one catalog with its template (creating it if new), fill what the memory
    knows, write it; a line saying what happened."""
    path = catalogs.catalog_path(paths.locales, code, domain)
    if path.exists():
        catalog = catalogs.merge(template, catalogs.read_catalog(path, code).catalog)
        verb = "updated"
    else:
        catalog = catalogs.new_catalog(template, code)
        verb = "created"
    memory = catalogs.Remembered()
    if domain != catalogs.KIT_DOMAIN:
        memory = catalogs.fill_from_memory(catalog, _memory(paths, code, domain))
    catalogs.write_catalog(catalog, path)
    fuzzy = sum(1 for m in catalog if m.id and m.fuzzy)
    remembered = (f", from the memory: {memory.identical} identical, {memory.close} close"
                  if memory.identical or memory.close else "")
    return f"{verb} {display_path(path)} ({fuzzy} fuzzy{remembered})"


def update(paths: Paths, leaflets: list[str] | None = None) -> int:
    """Every language's catalogs in line with the content; a new leaflet's are created."""
    extract(paths, leaflets)
    domains = _domains(paths, leaflets)
    templates = {domain: _template(paths, domain) for domain in domains}
    for code in catalogs.discover_catalogs(paths.locales):
        for domain in domains:
            print(_refresh(paths, code, domain, templates[domain]))
    return 0


def init(paths: Paths, code: str, leaflets: list[str] | None = None) -> int:
    if code not in known_languages() or code == SOURCE_LANGUAGE:
        raise UserError(f"unknown language `{code}`; choose from: "
                        f"{', '.join(c for c in known_languages() if c != SOURCE_LANGUAGE)}")
    check_script_has_fonts(code)
    domains = _domains(paths, leaflets)
    paths_of = [catalogs.catalog_path(paths.locales, code, d) for d in domains]
    if all(p.exists() for p in paths_of):
        raise UserError("the catalogs exist already; use `python build.py update`",
                        paths_of[-1])
    extract(paths, leaflets)
    for domain, path in zip(domains, paths_of, strict=True):
        if not path.exists():
            print(_refresh(paths, code, domain, _template(paths, domain)))
    return 0


def compile_all(paths: Paths, leaflets: list[str] | None = None) -> int:
    for domain in _domains(paths, leaflets):
        for code, path in catalogs.discover_catalogs(paths.locales, domain).items():
            target = catalogs.compile_catalog(catalogs.read_catalog(path, code))
            print(f"compiled {display_path(target)}")
    return 0


def status(paths: Paths, threshold: float, leaflets: list[str] | None = None) -> int:
    """Per leaflet and language: what is translated, reviewed, filled by the memory."""
    library = load_library(paths.content)
    manifest = read_json(paths.output / MANIFEST, [])
    stale = {(e.get("leaflet"), c) for e in manifest if e.get("stale") for c in e["languages"]}
    print(f"{'leaflet':<14} {'lang':<5} {'translated':>10} {'reviewed':>8} {'out of date':>11} "
          f"{'untransl.':>9} {'memory':>6} {'obsolete':>8}  {'complete':>8}  review")
    for leaflet in library.ids(leaflets):
        content = library.content(leaflet)
        for code in catalogs.discover_catalogs(paths.locales):
            c = catalogs.completeness(content,
                                      catalogs.read_language(paths.locales, code, leaflet))
            review = c.review.status
            if c.review.status == "reviewed" and c.review.date:
                review += f" by {c.review.reviewer} on {c.review.date.isoformat()}"
            flags = "" if c.ratio >= threshold else "  below threshold"
            flags += "  outputs stale" if (leaflet, code) in stale else ""
            print(f"{leaflet:<14} {code:<5} {c.translated:>6}/{c.total:<3} {c.reviewed:>8} "
                  f"{c.out_of_date:>11} {c.untranslated:>9} {c.remembered:>6} {c.obsolete:>8}  "
                  f"{c.ratio:>8.0%}  {review}{flags}")
    return 0


def check(paths: Paths, profiles: list[Path] | None = None) -> int:
    """Preflight every file of the manifest; a school's with its profile's values when given."""
    # PDF libraries, needed by this command only
    from kit.pdf import preflight
    from kit.pdf.rules.text import message_texts
    from kit.plan import Output
    from kit.translations import load_languages, strings_for
    from kit.values import school_values

    manifest = read_json(paths.output / MANIFEST, None)
    if manifest is None:
        raise UserError("no manifest; build first with `python build.py`",
                        paths.output / MANIFEST)
    library = load_library(paths.content)
    known = [c for c in catalogs.discover_catalogs(paths.locales) if c != SOURCE_LANGUAGE]
    schools = {s.slug: s for s in load_schools(list(profiles or ()), known, library.leaflets)}
    # What each language must say, from the catalogs as they are now, per leaflet.
    strings: dict[str, dict] = {}
    for leaflet in {e.get("leaflet") for e in manifest} & set(library.leaflets):
        content = library.content(leaflet)
        codes = sorted({c for e in manifest if e.get("leaflet") == leaflet
                        for c in e.get("languages", ())})
        states = load_languages(content, paths.locales, codes)
        strings[leaflet] = {code: strings_for(content, state) for code, state in states.items()}

    def expect(entry: dict) -> preflight.Expectation:
        leaflet = entry.get("leaflet")
        if entry["product"] in ("pack", "handoff"):
            return preflight.NOTHING
        languages = tuple(entry["languages"])
        school = schools.get(entry.get("school") or "")
        values = school_values(school, entry["product"], languages) if school else ()
        if leaflet not in strings:  # the printing guide: the school's name, no leaflet's words
            return preflight.Expectation(values)
        output = Output(entry["product"], entry["paper"], languages, entry["edition"],
                        leaflet=leaflet)
        return preflight.Expectation(values, message_texts(library.content(leaflet), output,
                                                           strings[leaflet]))

    def headings(entry: dict) -> int:
        leaflet = entry.get("leaflet")
        return library.content(leaflet).heading_count if leaflet in library.leaflets else 0

    return 1 if preflight.check_manifest(paths.output, manifest, headings, expect) else 0


# The stress corpus: the hardest realistic school profile, in every language.
CORPUS_PROFILE = Path("tests/corpus/hard-school.yaml")
CORPUS_OUTPUT = "corpus"


def check_all_languages(paths: Paths, profile: Path | None, options: Options) -> int:
    """Build a school's pack in every language it names, in strict mode, then check it all.

    Every file is checked as it is written (the line rules on its layout,
    the others on the file) and then once more by `check`, with the
    profile's values. The pack goes to `output/corpus/`, beside the real one.
    """
    profile = profile or paths.root / CORPUS_PROFILE
    out = options.output / CORPUS_OUTPUT
    started = time.perf_counter()
    status = build(dataclasses.replace(options, output=out, schools=(profile,), strict=True))
    built = time.perf_counter() - started
    started = time.perf_counter()
    status = status or check(dataclasses.replace(paths, output=out), [profile])
    print(f"corpus: built and checked in {built:.0f} s, checked again in "
          f"{time.perf_counter() - started:.0f} s; {display_path(out)}")
    return status


def review_sheet(paths: Paths, code: str, leaflets: list[str] | None = None) -> int:
    """One sheet per leaflet (with the kit's words) for a reviewer of one language."""
    from kit import reviewing  # spreadsheets and PDF rendering, for this command only

    library = load_library(paths.content)
    for leaflet in library.ids(leaflets):
        xlsx, pdf = reviewing.write_sheets(library.content(leaflet), paths.content,
                                           paths.locales, code, paths.output / "review")
        print(f"wrote {display_path(xlsx)} (to fill in) and {display_path(pdf)} "
              "(to read or print)")
    return 0


def review_import(paths: Paths, code: str, sheet: Path) -> int:
    from kit import reviewing

    if not sheet.exists():
        raise UserError("no such file", sheet)
    reviewing.import_sheet(paths.locales, code, sheet)
    return 0


def serve(paths: Paths, port: int, schools: list[Path] | None) -> int:
    """Serve the web edition on this machine, as a web host would (Ctrl-C stops)."""
    import functools
    import http.server

    folder = paths.output / "site"
    if schools:
        # The pack's folder is named by the profile's slug, not by its file name.
        known = [c for c in catalogs.discover_catalogs(paths.locales) if c != SOURCE_LANGUAGE]
        slug = load_school(schools[0], known, load_library(paths.content).leaflets).slug
        folder = paths.output / "schools" / slug / "site"
    if not (folder / "index.html").is_file():
        raise UserError("no web edition yet; build first with `./run build`", folder)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise UserError(f"cannot serve on port {port}: {exc.strerror or exc}; choose another "
                        "with --port") from None
    with server:
        print(f"serving {display_path(folder)} at http://127.0.0.1:{port}/ (Ctrl-C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    return 0


NEW_SCHOOL = """\
# The profile of one school: fill in every empty value, then build its pack:
#     ./run build --school {path}
# Everything is printed exactly as written. See schools/example.yaml for a
# filled-in example and the README for every key.

name: ""            # the school's name, as on its letters
slug: {slug}        # the folder: output/schools/{slug}/
address: ""         # street and number, postcode and town
website: ""         # e.g. www.school.be (or delete this line)
site_url:           # optional: where the school publishes the web edition
logo:               # optional: an SVG, PNG or JPEG file beside this profile, e.g. logo.svg
languages: []       # translations to hand out, e.g. [ar, tr, uk]: {codes}
contacts:           # who a parent can contact (one to four people)
  - role: zorgcoördinator   # or leerlingenbegeleider, directie, secretariaat, leerkracht
    name: ""
    phone: ""
    email: ""
    #hours:                 # optional, in every language: remove the first # of these 3 lines
    #  - {{days: mo-fr, from: "08:30", to: "16:00"}}    # days: mo tu we th fr sa su
    #  - {{days: we, from: "08:30", to: "12:00"}}       # a later line for a day replaces it
clb:                # the school's CLB (pupil guidance centre)
  name: ""
  phone: ""
  email: ""
  website: ""
"""


def new_school(folder: Path, slug: str, locales: Path) -> int:
    """Write a fresh profile to fill in; its empty values are reported until filled."""
    if not ID_PATTERN.match(slug) or len(slug) > MAX_SLUG_LENGTH:
        raise UserError(f"`{slug}` is not a safe folder name: use lowercase letters, digits and "
                        "single hyphens")
    if slug in RESERVED_SLUGS:
        raise UserError(f"`{slug}` is a folder the kit writes itself in output/schools/; "
                        "choose another slug")
    path = folder / f"{slug}.yaml"
    if path.exists():
        raise UserError("a profile with this slug exists already", path)
    codes = " ".join(c for c in catalogs.discover_catalogs(locales) if c != SOURCE_LANGUAGE)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(NEW_SCHOOL.format(slug=slug, path=display_path(path), codes=codes),
                   encoding="utf-8")
    os.replace(tmp, path)
    print(f"created {display_path(path)}: fill it in, then run "
          f"`./run build --school {display_path(path)}`")
    return 0


NEW_LEAFLET = """\
# A parent leaflet: its words in Dutch, as structured content. Fill it in,
# then give it to translators:
#     ./run build extract          # locales/{id}.pot, the template to translate
#     ./run build update           # locales/<lang>/LC_MESSAGES/{id}.po in every language,
#                                  # with what other leaflets translated already filled in
# and build it: ./run build --leaflet {id}
# Print every word as the publisher wrote it: the kit adds nothing to a leaflet.
#
# Every section, block and list item has an `id`: translations are keyed on the
# path of ids (e.g. `samenvatting.eerste`), so never change an id once a text
# is translated. Top-level section ids must differ from every other leaflet's.

document:
  id: {id}          # the file's name: names its catalogs and folders
  title: ""         # the leaflet's title, as the publisher wrote it
  publisher: ""     # who wrote it, e.g. the school board
  source: ""        # where the original text is, e.g. www.school.be/brochures
  edition: {today}  # the date of the text (YYYY-MM-DD)
  # rules-credit: ""   # with a `rules: true` section: where its rules come from

sections:
  - id: {id}-inleiding
    heading: ""
    blocks:
      - id: tekst
        paragraph: ""
  # A section with `rules: true` holds the leaflet's few rules of thumb: they are
  # highlighted in the brochure and make the leaflet's posters. Leave it out and
  # the leaflet has no posters.
  #- id: {id}-vuistregels
  #  heading: ""
  #  rules: true
  #  blocks:
  #    - id: regels
  #      list:
  #        - id: eerste
  #          text: ""
"""


def new_leaflet(paths: Paths, ident: str) -> int:
    """Write a skeleton leaflet to fill in; its empty texts are reported until filled."""
    if (not ID_PATTERN.match(ident) or ident in RESERVED_LEAFLET_IDS
            or len(ident) > MAX_LEAFLET_ID_LENGTH):
        raise UserError(f"`{ident}` cannot be a leaflet's id: use lowercase letters, digits and "
                        f"single hyphens, at most {MAX_LEAFLET_ID_LENGTH} characters, and none "
                        "of the kit's own names "
                        f"({', '.join(sorted(RESERVED_LEAFLET_IDS))})")
    path = paths.content / LEAFLETS_DIR / f"{ident}.yaml"
    if path.exists():
        raise UserError("a leaflet with this id exists already", path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(NEW_LEAFLET.format(id=ident, today=datetime.date.today().isoformat()),
                   encoding="utf-8")
    os.replace(tmp, path)
    print(f"created {display_path(path)}: fill it in, then run `./run build extract` and "
          "`./run build update`")
    return 0
