"""The pipeline: load and validate all input, plan the outputs as data, render
what changed (in parallel, each file checked by the preflight as soon as it
is written), then move the files into `output/` and write the manifest.
Nothing reaches `output/` unless the whole build succeeded.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kit.errors import BuildFailure, PartlyWritten, UserError, display_path
from kit.handoff import seal_handoffs, zip_paths
from kit.inputs import job_inputs, shared_inputs
from kit.manifest import (
    MANIFEST,
    manifest_entry,
    pack_entry,
    read_json,
    read_state,
    sha256_file,
    write_json_atomic,
    write_state,
)
from kit.pack import pack_path, write_pack
from kit.plan import DEFAULT_CONDITION, Job, LeafletPlan, plan, plan_school
from kit.sources.content import Content, Library, load_library
from kit.sources.languages import SOURCE_LANGUAGE, known_languages
from kit.sources.school import School, load_schools
from kit.sources.schoollist import load_school_list
from kit.translations import (
    LanguageState,
    Leaflet,
    check_content_markup,
    glyph_preflight,
    load_languages,
    requested_languages,
    translations_for,
)

if TYPE_CHECKING:
    from kit.pdf.produce import JobResult, Written
    from kit.render import Translations

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
LOCALES = ROOT / "locales"
OUTPUT = ROOT / "output"
SCHOOLS = ROOT / "schools"
LOCK = ".build.lock"
# Schools whose brochures share the department's layouts in one task: more
# share more work; fewer finish sooner (a stopped batch loses the chunk in work).
# With four translations per school out of some twenty, 32 schools use nearly
# every language set, so the department's pages are laid out about three
# times per school rather than six with 16, and a stop loses minutes of work.
SHARED_CHUNK = 32
# Zips made of a school's other files: its pack, and its hand-offs (kit/handoff.py).
BUNDLES = ("pack", "handoff")


@dataclass(frozen=True)
class Options:
    products: list[str]
    languages: list[str] | None
    editions: list[str]
    strict: bool
    jobs: int
    force: bool
    threshold: float
    output: Path
    content: Path = CONTENT
    locales: Path = LOCALES
    schools: tuple[Path, ...] = ()  # school profiles; none builds the department's edition
    print_condition: str = DEFAULT_CONDITION  # the print edition's output intent
    school_list: Path | None = None  # a network's schools, one per row (.csv or .xlsx)
    leaflets: list[str] | None = None  # `--leaflet`: only these; None builds every leaflet


@dataclass(frozen=True)
class Loaded:
    """Everything validated before any rendering starts."""

    library: Library
    leaflets: dict[str, Leaflet]  # the leaflets this build makes, by id
    schools: dict[str, School]  # by slug
    locales: Path = LOCALES  # where more catalogs come from when a site shows more languages
    # Those more catalogs, by leaflet: read once, before anything is rendered.
    shown: dict[str, dict[str, LanguageState]] = field(default_factory=dict)

    def of(self, job: Job) -> Leaflet:
        """The leaflet a job renders; a pack's guide, of no one leaflet, takes the first."""
        return self.leaflets[job.leaflet or next(iter(self.leaflets))]

    @property
    def ready(self) -> list[str]:
        """Every language some leaflet builds."""
        return list(dict.fromkeys(c for leaflet in self.leaflets.values() for c in leaflet.ready))


# --- the build ----------------------------------------------------------------


def build(options: Options, list_only: bool = False) -> int:
    started = time.perf_counter()
    loaded = load_and_validate(options)
    jobs = plan_all(loaded, options)
    if list_only:
        check_glyphs(loaded, loaded.ready)
        print_plan(jobs, [f"{leaflet.id} in {code}" for leaflet in loaded.leaflets.values()
                          for code in leaflet.stale])
        return 0

    with output_lock(options.output):
        check_site_catalogs(loaded, options.output)
        results, written, todo = render_and_commit(jobs, loaded, options)
        # Timed apart: the benchmark reports the web edition's share of a build.
        web_started = time.perf_counter()
        publish_sites(loaded, options)
        hand_off(jobs, loaded, options)
        web = time.perf_counter() - web_started

    report_stale(loaded, options)
    peak = max((r.peak_mb for r in results), default=0)
    print(f"built {len(written)} files in {time.perf_counter() - started:.1f} s "
          f"({len(jobs) - len(todo)} layouts unchanged, peak worker memory {peak:.0f} MB; "
          f"{preflight_share(results)}web edition and hand-offs {web:.1f} s); "
          f"manifest: {display_path(options.output / MANIFEST)}")
    return 0


def preflight_share(results: list[JobResult]) -> str:
    """The preflight's part of the workers' time, as the build's summary says it."""
    work = sum(r.seconds for r in results)
    checked = sum(w.checked_s for r in results for w in r.written)
    return f"preflight {checked:.1f} s of {work:.1f} s in the workers; " if work else ""


def render_and_commit(
    jobs: list[Job], loaded: Loaded, options: Options
) -> tuple[list[JobResult], list[Written], list[Job]]:
    """Render what changed into a staging folder, then move it into place."""
    state = read_state(options.output)
    shared = shared_inputs(options.content)
    keys = {j.name: job_inputs(j, shared, options.locales,
                               f"strict={options.strict}|{options.print_condition}",
                               loaded.schools.get(j.school or ""))
            for j in jobs}
    todo = [j for j in jobs if options.force or not up_to_date(j, keys[j.name], state, options)]
    print(f"{len(jobs)} layouts planned, {len(todo)} to render, "
          f"{len(jobs) - len(todo)} unchanged", flush=True)
    check_glyphs(loaded, [c for c in loaded.ready if any(c in j.languages for j in todo)])
    remove_abandoned_staging(options.output)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=ensure_dir(options.output)))
    try:
        results = render_all(todo, loaded, staging, options)
        fail_on_errors(results, len(todo))
        written = [w for r in results for w in r.written]
        commit(written, jobs, keys, state, loaded, options)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return results, written, todo


def publish_sites(loaded: Loaded, options: Options) -> None:
    """The web edition of what the manifest lists: the department's, or each school's."""
    entries = [e for e in read_json(options.output / MANIFEST, []) if not e.get("stale")]
    for slug in list(loaded.schools) or [None]:
        # The zips are made from the site, not shown on it.
        mine = [e for e in entries if e.get("school") == slug and e["product"] not in BUNDLES]
        site = publish_site(options.output, slug, mine, loaded, options.jobs)
        if site is not None:
            print(f"web edition: {display_path(site / 'index.html')}")


def publish_site(out: Path, slug: str | None, entries: list[dict], loaded: Loaded,
                 jobs: int = 1) -> Path | None:
    """One site from the files `entries` list; its folder, or None when it was up to date."""
    from kit.web.site import SITE, build_site  # fonts and templates: only when needed

    folder = out / SITE if slug is None else out / "schools" / slug / SITE
    codes, shown = site_contents(entries, loaded)
    leaflets = {ident: site_leaflet(loaded, ident, codes) for ident in shown}
    changed = build_site(out, folder, entries, leaflets, codes, loaded.schools.get(slug or ""),
                         loaded.library.shared, jobs)
    return folder if changed else None


def site_contents(entries: list[dict], loaded: Loaded) -> tuple[list[str], list[str]]:
    """The languages and the leaflets of a site showing the files `entries` list."""
    order = list(known_languages())
    codes = sorted({e["languages"][0] for e in entries if len(e["languages"]) == 1},
                   key=order.index)
    shown = [ident for ident in loaded.library.leaflets
             if any(e.get("leaflet") == ident for e in entries)]
    return codes, shown


def check_site_catalogs(loaded: Loaded, out: Path) -> None:
    """Read every catalog the web edition will show before anything is rendered.

    A site shows every language already built, also those this build leaves
    alone (`--lang fr`): a catalog deleted or broken since then must stop the
    build before its new files are moved into place, not after.
    """
    listed: dict[str, dict] = {}
    manifest = read_json(out / MANIFEST, [])
    # A damaged manifest is made again from the build state: its files are shown too.
    for entry in (manifest if isinstance(manifest, list) else []) + [
            info["entry"] for info in read_state(out).values()
            if isinstance(info, dict) and isinstance(info.get("entry"), dict)]:
        if (isinstance(entry, dict) and isinstance(entry.get("path"), str)
                and isinstance(entry.get("languages"), list) and entry["languages"]):
            listed.setdefault(entry["path"], entry)
    entries = [e for e in listed.values() if not e.get("stale")
               and e.get("product") not in BUNDLES and (out / e["path"]).is_file()]
    for slug in list(loaded.schools) or [None]:
        school = loaded.schools.get(slug or "")
        # A language or leaflet a school no longer hands out is removed, not shown.
        mine = [e for e in entries if e.get("school") == slug and (school is None or (
            set(e["languages"]) <= {SOURCE_LANGUAGE, *school.languages}
            and (school.leaflets is None or e.get("leaflet") in school.leaflets)))]
        codes, shown = site_contents(mine, loaded)
        for ident in shown:
            try:
                site_leaflet(loaded, ident, codes)
            except UserError as exc:
                code = next((c for c in codes if exc.file
                             and exc.file.is_relative_to(loaded.locales / c)), None)
                if code is None:
                    raise
                raise UserError(f"{exc.message}; the web edition in {display_path(out)} shows "
                                f"`{code}`, built earlier: restore the catalog, or delete "
                                f"`{code}`'s folders there; nothing was built",
                                exc.file, exc.line) from None


def hand_off(jobs: list[Job], loaded: Loaded, options: Options) -> None:
    """Each school's hand-offs, from the files and site just published (kit/handoff.py)."""
    if not loaded.schools:
        return
    out = options.output
    state = read_state(out)
    for school in loaded.schools.values():
        for path in seal_handoffs(out, pack_leaflets(loaded, school), school, state):
            print(f"hand-off: {display_path(out / path)}")
    write_state(out, state)
    write_manifest(out, jobs, state, loaded)


def pack_leaflets(loaded: Loaded, school: School) -> list[Leaflet]:
    """The leaflets of a school's pack, each with the catalogs of every language it hands out."""
    codes = [SOURCE_LANGUAGE, *school.languages]
    return [site_leaflet(loaded, ident, codes) for ident in loaded.library.leaflets
            if school.leaflets is None or ident in school.leaflets]


def site_leaflet(loaded: Loaded, ident: str, codes: list[str]) -> Leaflet:
    """A leaflet the site shows, with the catalogs of every language it shows.

    `--lang fr` or `--leaflet x` loads less, but the site keeps showing every
    leaflet and language the manifest lists. A message missing since that
    language was built is shown in Dutch, with the notice that says so, as on paper.
    """
    leaflet = loaded.leaflets.get(ident)
    content = leaflet.content if leaflet else loaded.library.content(ident)
    states = {**(leaflet.states if leaflet else {}), **loaded.shown.get(ident, {})}
    missing = [c for c in codes if c not in states]
    if missing:
        more = load_languages(content, loaded.locales, missing)
        loaded.shown.setdefault(ident, {}).update(more)
        states = {**states, **more}
    return Leaflet(content, states, codes, [])


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """One build at a time per output folder: a second one stops with one line."""
    try:
        ensure_dir(out)
        fileobj = (out / LOCK).open("a+", encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write to the output folder: {exc.strerror}", out) from None
    with fileobj:
        try:
            fcntl.flock(fileobj, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fileobj.seek(0)
            holder = fileobj.read().strip() or "unknown"
            raise UserError(f"another build (process {holder}) is writing to this folder; "
                            "wait for it to finish and try again", out) from None
        fileobj.seek(0)
        fileobj.truncate()
        fileobj.write(str(os.getpid()))
        fileobj.flush()
        try:
            yield
        finally:
            fcntl.flock(fileobj, fcntl.LOCK_UN)


def load_and_validate(options: Options) -> Loaded:
    library = load_library(options.content)
    for ident in library.leaflets:
        check_content_markup(library.content(ident))
    known = [c for c in requested_languages(options.locales, None) if c != SOURCE_LANGUAGE]
    if options.school_list is not None:
        schools = load_school_list(options.school_list, known, list(library.leaflets))
    else:
        schools = load_schools(list(options.schools), known, list(library.leaflets))
    asked = options.languages
    if schools and not asked:
        # A school's pack needs only the languages its profiles name.
        asked = [SOURCE_LANGUAGE, *dict.fromkeys(c for s in schools for c in s.languages)]
    codes = requested_languages(options.locales, asked)
    ids = library.ids(options.leaflets)
    if schools:
        ids = [i for i in ids if any(s.leaflets is None or i in s.leaflets for s in schools)]
        if not ids:
            raise UserError(f"the schools given hand out none of the leaflets asked for "
                            f"({', '.join(options.leaflets or ())}); see their `leaflets`")
    leaflets = {ident: load_leaflet(library.content(ident), codes, options) for ident in ids}
    for code in options.languages or ():
        if leaflets and all(code in leaflet.stale for leaflet in leaflets.values()):
            first = next(iter(leaflets.values()))
            raise UserError(not_buildable(code, first.states[code], options.threshold))
    for school in schools:
        check_school_languages(school, leaflets)
    return Loaded(library, leaflets, {s.slug: s for s in schools}, options.locales)


def load_leaflet(content: Content, codes: list[str], options: Options) -> Leaflet:
    """A leaflet's catalogs in every language asked for; which it can build."""
    # Dutch is always loaded: every bilingual edition needs it.
    states = load_languages(content, options.locales,
                            list(dict.fromkeys([SOURCE_LANGUAGE, *codes])))
    ready = [c for c in codes if states[c].buildable(options.threshold)]
    return Leaflet(content, states, ready, [c for c in codes if c not in ready])


def school_leaflets(school: School, loaded: Loaded) -> list[Leaflet]:
    """The leaflets of a school's pack: those its profile names, or every one built."""
    return [leaflet for ident, leaflet in loaded.leaflets.items()
            if school.leaflets is None or ident in school.leaflets]


def leaflet_plan(leaflet: Leaflet, languages: list[str] | None = None) -> LeafletPlan:
    """A leaflet's part of a plan: its ready languages, or those of `languages`."""
    codes = leaflet.ready if languages is None else [c for c in languages if c in leaflet.ready]
    return LeafletPlan(leaflet.id, codes, leaflet.content.document.rules is not None)


def plan_all(loaded: Loaded, options: Options) -> list[Job]:
    """The department's edition, or the packs of the schools given."""
    if not loaded.schools:
        return plan([leaflet_plan(leaflet) for leaflet in loaded.leaflets.values()],
                    options.products, options.editions)
    jobs: list[Job] = []
    for school in loaded.schools.values():
        mine = [leaflet_plan(leaflet, school.languages)
                for leaflet in school_leaflets(school, loaded)]
        jobs += plan_school(school.slug, mine, school.poster_languages, options.products,
                            options.editions)
    return jobs


def check_school_languages(school: School, leaflets: dict[str, Leaflet]) -> None:
    """A school's pack never silently leaves out a language the school asked for."""
    for ident, leaflet in leaflets.items():
        if school.leaflets is not None and ident not in school.leaflets:
            continue
        for code in school.languages:
            if code not in leaflet.states:
                continue  # not asked for on the command line (`--lang`)
            if code not in leaflet.ready:
                c = leaflet.states[code].completeness
                raise UserError(
                    f"the school asks for `{code}`, in which the leaflet `{ident}` is only "
                    f"{c.ratio:.0%} translated; finish its catalog, remove `{code}` from "
                    "`languages`, or name the school's other leaflets in `leaflets`",
                    school.file)


def check_glyphs(loaded: Loaded, codes: list[str]) -> None:
    """Before rendering a language, make sure its fonts can draw every character.

    Only the languages about to be rendered: an unchanged language was checked
    when its files were made.
    """
    for leaflet in loaded.leaflets.values():
        for code in codes:
            if code in leaflet.ready:
                glyph_preflight(leaflet.content, leaflet.states[code])


def up_to_date(job: Job, key: str, state: dict, options: Options) -> bool:
    """Whether every file of a job exists, is unaltered, and was made from these inputs."""
    for output in job.outputs:
        entry = state.get(output.path)
        target = options.output / output.path
        if not entry or entry.get("inputs") != key or not target.exists():
            return False
        if sha256_file(target) != entry.get("sha256"):
            return False
    return True


def layout_groups(jobs: list[Job], chunk: int = SHARED_CHUNK) -> list[tuple[int, list[Job]]]:
    """The render tasks, as (chunk number, jobs).

    The schools are taken in chunks, in the order given; within a chunk, every
    school's brochure in one language set is one task, so the department's
    pages of that set are laid out once for the whole chunk. A poster's paper
    sizes in one language set are one task, so the second starts its text
    scale search from the scale the first found. Every other job is a task.
    """
    slugs = list(dict.fromkeys(job.school for job in jobs))
    groups: list[tuple[int, list[Job]]] = []
    shared: dict[tuple[int, str, str | None, tuple[str, ...], str | None], list[Job]] = {}
    for job in jobs:
        number = slugs.index(job.school) // chunk
        if job.product == "brochure" and job.school is not None:
            shared.setdefault((number, "brochure", job.leaflet, job.languages, None),
                              []).append(job)
        elif job.product == "poster":
            shared.setdefault((number, "poster", job.leaflet, job.languages, job.school),
                              []).append(job)
        else:
            groups.append((number, [job]))
    groups += [(key[0], members) for key, members in shared.items()]
    return sorted(groups, key=lambda g: g[0])


def render_all(jobs: list[Job], loaded: Loaded, staging: Path, options: Options) -> list[JobResult]:
    """Render jobs over a process pool; one progress line per finished output."""
    results: list[JobResult] = []
    if not jobs:
        return results
    from kit.pdf.produce import produce_group  # PDF libraries load only when there is work

    total = sum(len(j.outputs) for j in jobs)
    done = 0
    groups = [members for _, members in layout_groups(jobs)]
    with ProcessPoolExecutor(max_workers=max(1, min(options.jobs, len(groups)))) as pool:
        # Longest tasks first (bilingual brochures), so no core idles at the end.
        groups.sort(key=lambda g: (g[0].product != "brochure", len(g[0].languages) == 1,
                                   -len(g)))
        futures = [
            pool.submit(produce_group, members, loaded.of(members[0]).content,
                        leaflet_translations(loaded, members[0]), staging, options.strict,
                        {j.school: loaded.schools[j.school] for j in members if j.school},
                        options.print_condition)
            for members in groups
        ]
        for future in as_completed(futures):
            for result in future.result():
                results.append(result)
                done += report_result(result, done, total)
    return results


def leaflet_translations(loaded: Loaded, job: Job) -> Translations:
    leaflet = loaded.of(job)
    return translations_for(leaflet.content, leaflet.states, job.languages)


def report_result(result: JobResult, done: int, total: int) -> int:
    """One progress line per file of a finished job; how many files it counts for."""
    if result.error:
        print(f"[{done + len(result.job.outputs):>3}/{total}] FAILED {result.job.name}",
              flush=True)
        return len(result.job.outputs)
    for n, w in enumerate(result.written, start=1):
        fit = f", text at {w.fit}%" if w.fit != 100 else ""
        print(f"[{done + n:>3}/{total}] {w.output.path}  {w.pages} p, "
              f"{result.seconds:.1f} s{fit}", flush=True)
    for warning in result.warnings:
        print(f"      warning: {warning}", flush=True)
    return len(result.written)


def fail_on_errors(results: list[JobResult], count: int) -> None:
    failed = [r for r in results if r.error]
    for r in failed:
        print(f"FAILED {r.job.name}: {r.error}", file=sys.stderr)
    if failed:
        raise BuildFailure(f"{len(failed)} of {count} layouts failed")


def commit(
    written: list[Written], jobs: list[Job], keys: dict[str, str], state: dict,
    loaded: Loaded, options: Options,
) -> None:
    """Move the new files into place and write the manifest, only after success."""
    out = options.output
    place_files(written, keys, state, out)
    try:
        record_entries(jobs, state, loaded)
        for slug, school in loaded.schools.items():
            languages = [SOURCE_LANGUAGE, *school.languages]
            prune_school(out, school, languages, loaded, state)
            seal_pack(out, slug, languages, state)
        write_state(out, state)
        write_manifest(out, jobs, state, loaded)
    except OSError as exc:
        raise PartlyWritten(exc, len(written)) from None


def place_files(written: list[Written], keys: dict[str, str], state: dict, out: Path) -> None:
    """Rename each staged file into place and record what it was made from."""
    for moved, w in enumerate(written):
        target = out / w.output.path
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(w.staged, target)
        except OSError as exc:
            raise PartlyWritten(exc, moved) from None
        state[w.output.path] = {"inputs": keys[w.job_name], "sha256": w.sha256,
                                "pages": w.pages, "fit": w.fit}


def record_entries(jobs: list[Job], state: dict, loaded: Loaded) -> None:
    """The manifest record of every planned output, kept in the build state.

    A damaged manifest must not shrink to one build's selection: the build
    state remembers the record of every file it wrote.
    """
    for job in jobs:
        for output in job.outputs:
            state[output.path]["entry"] = manifest_entry(output, state[output.path],
                                                         loaded.of(job).states)


def prune_school(out: Path, school: School, languages: list[str], loaded: Loaded,
                 state: dict) -> bool:
    """Remove a school's files in languages or leaflets it no longer hands out; whether any
    were removed.

    A language or a leaflet taken out of a profile is planned no more, so nothing
    would replace its files: they would stay in the folder, the zip and the manifest.
    """
    slug = school.slug
    keep = set(languages)
    mine = set(school.leaflets or loaded.library.leaflets)
    gone = [path for path, info in state.items()
            if isinstance(info, dict) and isinstance(entry := info.get("entry"), dict)
            and entry.get("school") == slug and entry.get("product") not in BUNDLES
            and (not set(entry.get("languages") or ()) <= keep
                 or entry.get("leaflet") not in (None, *mine))]
    for path in gone:
        target = out / path
        target.unlink(missing_ok=True)
        del state[path]
        # Its language's folders go too, once empty, up to the school's own.
        for folder in target.parents:
            if folder == out / "schools" / slug or any(folder.iterdir()):
                break
            folder.rmdir()
    return bool(gone)


def seal_pack(out: Path, slug: str, languages: list[str], state: dict) -> None:
    """A school's zip of every file its folder holds, and the zip's own record."""
    members = sorted(path for path, info in state.items()
                     if isinstance(info, dict) and isinstance(info.get("entry"), dict)
                     and info["entry"].get("school") == slug
                     and info["entry"].get("product") not in BUNDLES and (out / path).exists())
    path = write_pack(out, slug, members)
    state[path] = {"entry": pack_entry(out, path, slug, languages)}


def write_manifest(out: Path, jobs: list[Job], state: dict, loaded: Loaded) -> None:
    """`manifest.json`: this build's outputs, and every earlier one still on disk."""
    # An interrupted batch lists only what it finished; the rest keeps its old record.
    entries = [state[o.path]["entry"] for j in jobs for o in j.outputs
               if "entry" in state.get(o.path, {})]
    planned = {e["path"] for e in entries}
    previous = read_json(out / MANIFEST, [])
    if not isinstance(previous, list):
        previous = []
    listed = {e.get("path") for e in previous if isinstance(e, dict)}
    previous = [e for e in previous if isinstance(e, dict) and "path" in e]
    previous += [info["entry"] for path, info in state.items()
                 if path not in listed and isinstance(info, dict) and "entry" in info]
    for entry in previous:
        if entry["path"] in planned or not (out / entry["path"]).exists():
            continue
        if entry["product"] in BUNDLES and entry.get("school") in loaded.schools:
            continue  # this build's record is added below
        # Outputs outside this build's selection stay listed; those of a
        # language that fell below the threshold are marked stale until it is
        # translated again.
        leaflet = loaded.leaflets.get(entry.get("leaflet") or "")
        if leaflet and any(code in leaflet.stale for code in entry["languages"]):
            entry = {**entry, "stale": True}
        entries.append(entry)
    entries += [state[path]["entry"] for slug in loaded.schools
                for path in (pack_path(slug), *zip_paths(slug)) if path in state]
    write_json_atomic(out / MANIFEST, sorted(entries, key=lambda e: e["path"]))


def remove_abandoned_staging(out: Path) -> None:
    """A killed build leaves its hidden staging folder; nothing in it was ever published."""
    for folder in out.glob(".staging-*"):
        shutil.rmtree(folder, ignore_errors=True)


def not_buildable(code: str, state: LanguageState, threshold: float) -> str:
    """Why a language is not built, and what to do about it."""
    c = state.completeness
    assert c is not None
    return (f"`{code}` is {c.ratio:.0%} translated, below the {threshold:.0%} threshold: "
            f"translate the {len(c.missing)} missing or fuzzy messages in "
            f"{display_path(state.catalog.path)} (`status` counts them), or build it with "
            f"Dutch for what is missing by lowering --threshold")


def report_stale(loaded: Loaded, options: Options) -> None:
    """Languages below the threshold, in the summary; old files are named only if they exist."""
    kept = {(e.get("leaflet"), code) for e in read_json(options.output / MANIFEST, [])
            if isinstance(e, dict) for code in e.get("languages") or () if e.get("stale")}
    for leaflet in loaded.leaflets.values():
        for code in leaflet.stale:
            c = leaflet.states[code].completeness
            assert c is not None
            first = ", ".join(t.key for t in c.missing[:5])
            more = f" and {len(c.missing) - 5} more" if len(c.missing) > 5 else ""
            outputs = ("; its previous files are kept and marked stale"
                       if (leaflet.id, code) in kept else "; it has no files yet")
            print(f"not built: the leaflet {leaflet.id} in {code} is {c.ratio:.0%} translated, "
                  f"below the {options.threshold:.0%} threshold{outputs}. Missing or fuzzy: "
                  f"{first}{more}", file=sys.stderr)
        for code in leaflet.ready:
            count = leaflet.states[code].untranslated
            if count:
                print(f"partly translated: the leaflet {leaflet.id} in {code} was built with "
                      f"{count} messages in Dutch (every file says so)", file=sys.stderr)


def print_plan(jobs: list[Job], stale: list[str]) -> None:
    for job in jobs:
        for o in job.outputs:
            print(f"{o.path}\t{o.product}\t{o.edition}\t{','.join(o.languages)}\t{o.paper}")
    print(f"{sum(len(j.outputs) for j in jobs)} outputs from {len(jobs)} layouts")
    if stale:
        print(f"not built (incomplete): {', '.join(stale)}")


def ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
