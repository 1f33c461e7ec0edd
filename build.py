#!/usr/bin/env python3
"""Build the cyberbullying print kit: brochures and posters in every language.

    python build.py                 build everything that changed
    python build.py --list          show the build plan, render nothing
    python build.py status          how complete each translation is
    python build.py --help          every command and option

The pipeline: load and validate all input, plan the outputs as data, render
what changed (in parallel), check every file, then move the files into
`output/` and write the manifest. Nothing reaches `output/` unless the whole
build succeeded.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from kit import catalogs, preflight
from kit.content import Content, load_content
from kit.errors import BuildFailure, UserError, display_path
from kit.inputs import job_inputs
from kit.languages import LANGUAGES, SOURCE_LANGUAGE
from kit.manifest import MANIFEST, STATE, read_json, sha256_file, write_json_atomic
from kit.plan import EDITIONS, PRODUCTS, Job, plan
from kit.produce import JobResult
from kit.translations import (
    LanguageState,
    check_content_markup,
    glyph_preflight,
    load_languages,
    requested_languages,
    translations_for,
)

ROOT = Path(__file__).resolve().parent
CONTENT = ROOT / "content"
LOCALES = ROOT / "locales"
OUTPUT = ROOT / "output"
MAPPING = ROOT / "babel.cfg"


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


# --- the build ----------------------------------------------------------------


def build(options: Options, list_only: bool = False) -> int:
    started = time.perf_counter()
    content = load_content(options.content)
    check_content_markup(content)
    codes = requested_languages(options.locales, options.languages)
    # Dutch is always loaded: every bilingual edition needs it.
    states = load_languages(
        content, options.locales, list(dict.fromkeys([SOURCE_LANGUAGE, *codes]))
    )
    ready, stale = split_by_completeness({c: states[c] for c in codes}, options.threshold)
    for code in ready:
        glyph_preflight(content, states[code])

    jobs = plan(ready, options.products, options.editions)
    if list_only:
        print_plan(jobs, stale)
        return 0

    state = read_json(options.output / STATE, {})
    keys = {
        job.name: job_inputs(job, options.locales, options.content, options.strict)
        for job in jobs
    }
    todo = [j for j in jobs if options.force or not up_to_date(j, keys[j.name], state, options)]
    print(f"{len(jobs)} layouts planned, {len(todo)} to render, "
          f"{len(jobs) - len(todo)} unchanged")

    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=ensure_dir(options.output)))
    try:
        results = render_all(todo, content, states, staging, options)
        failed = [r for r in results if r.error]
        written = [w for r in results for w in r.written]
        if not failed:
            failed_checks = preflight.check_files(
                [(w.output, w.staged, w.pages) for w in written], content, print_table=False
            )
            if failed_checks:
                for line in failed_checks:
                    print(f"preflight: {line}", file=sys.stderr)
                raise BuildFailure("preflight failed")
        if failed:
            for r in failed:
                print(f"FAILED {r.job.name}: {r.error}", file=sys.stderr)
            raise BuildFailure(f"{len(failed)} of {len(todo)} layouts failed")
        commit(written, results, jobs, keys, state, stale, states, options)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    report_stale(stale, states)
    print(f"built {len(written)} files in {time.perf_counter() - started:.1f} s "
          f"({len(jobs) - len(todo)} layouts unchanged); manifest: "
          f"{display_path(options.output / MANIFEST)}")
    return 0


def split_by_completeness(
    states: dict[str, LanguageState], threshold: float
) -> tuple[list[str], list[str]]:
    ready = [c for c, s in states.items() if s.buildable(threshold)]
    stale = [c for c, s in states.items() if not s.buildable(threshold)]
    return ready, stale


def up_to_date(job: Job, key: str, state: dict, options: Options) -> bool:
    for output in job.outputs:
        entry = state.get(output.path)
        target = options.output / output.path
        if not entry or entry.get("inputs") != key or not target.exists():
            return False
        if sha256_file(target) != entry.get("sha256"):
            return False
    return True


def render_all(
    jobs: list[Job], content: Content, states: dict[str, LanguageState], staging: Path,
    options: Options,
) -> list[JobResult]:
    """Render jobs over a process pool; one progress line per finished output."""
    from kit.produce import produce

    results: list[JobResult] = []
    if not jobs:
        return results
    total = sum(len(j.outputs) for j in jobs)
    done = 0
    workers = max(1, min(options.jobs, len(jobs)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(produce, job, content, translations_for(content, states, job.languages),
                        staging, options.strict)
            for job in jobs
        ]
        for future in as_completed(futures):
            result = future.result()
            results.append(result)
            if result.error:
                done += len(result.job.outputs)
                print(f"[{done:>3}/{total}] FAILED {result.job.name}", flush=True)
                continue
            for w in result.written:
                done += 1
                fit = f", text at {w.fit}%" if w.fit != 100 else ""
                print(f"[{done:>3}/{total}] {w.output.path}  {w.pages} p, "
                      f"{result.seconds:.1f} s{fit}", flush=True)
            for warning in result.warnings:
                print(f"      warning: {warning}", flush=True)
    return results


def commit(written, results, jobs, keys, state, stale, states, options) -> None:
    """Move the new files into place and write the manifest, only after success."""
    out = options.output
    for w in written:
        target = out / w.output.path
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(w.staged, target)
    key_of = {o.path: keys[j.name] for j in jobs for o in j.outputs}
    for w in written:
        state[w.output.path] = {"inputs": key_of[w.output.path], "sha256": w.sha256,
                                "pages": w.pages}
    previous = {e["path"]: e for e in read_json(out / MANIFEST, [])}
    entries = []
    for job in jobs:
        for o in job.outputs:
            info = state[o.path]
            entries.append(manifest_entry(o, info, states, stale=False))
    planned = {e["path"] for e in entries}
    for path, entry in previous.items():
        if path in planned or not (out / path).exists():
            continue
        # Outputs outside this build's selection stay listed; those of a
        # language that fell below the threshold are marked stale until it is
        # translated again.
        if any(code in stale for code in entry["languages"]):
            entry = {**entry, "stale": True}
        entries.append(entry)
    write_json_atomic(out / STATE, state)
    write_json_atomic(out / MANIFEST, sorted(entries, key=lambda e: e["path"]))


def manifest_entry(output, info: dict, states, stale: bool) -> dict:
    translation = output.translation
    review = None
    if translation and states[translation].catalog is not None:
        r = states[translation].catalog.review
        review = {"status": r.status, "reviewer": r.reviewer}
    return {
        "path": output.path,
        "product": output.product,
        "edition": output.edition,
        "languages": list(output.languages),
        "paper": output.paper,
        "sheet": output.sheet_paper,
        "imposed": output.imposed,
        "pages": info["pages"],
        "sha256": info["sha256"],
        "stale": stale,
        "review": review,
    }


def report_stale(stale: list[str], states: dict[str, LanguageState]) -> None:
    for code in stale:
        c = states[code].completeness
        assert c is not None
        first = ", ".join(t.key for t in c.missing[:5])
        more = f" and {len(c.missing) - 5} more" if len(c.missing) > 5 else ""
        print(f"stale: {code} is {c.ratio:.0%} translated, not rebuilt; its previous outputs "
              f"are kept and marked stale. Missing or fuzzy: {first}{more}", file=sys.stderr)


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


# --- catalog commands ---------------------------------------------------------


def cmd_extract() -> int:
    template = catalogs.extract(ROOT, MAPPING)
    written = catalogs.write_template(template, catalogs.template_path(LOCALES))
    verb = "wrote" if written else "unchanged:"
    print(f"{verb} {display_path(catalogs.template_path(LOCALES))} ({len(template)} messages)")
    return 0


def read_template():
    from babel.messages.pofile import read_po

    path = catalogs.template_path(LOCALES)
    if not path.exists():
        raise UserError("no template yet; run `python build.py extract` first", path)
    with path.open("rb") as fileobj:
        return read_po(fileobj)


def cmd_update() -> int:
    cmd_extract()
    template = read_template()
    for code, path in catalogs.discover_catalogs(LOCALES).items():
        loaded = catalogs.read_catalog(path, code)
        merged = catalogs.merge(template, loaded.catalog)
        catalogs.write_catalog(merged, path, loaded.review)
        fuzzy = sum(1 for m in merged if m.id and m.fuzzy)
        print(f"updated {display_path(path)} ({fuzzy} fuzzy)")
    return 0


def cmd_init(code: str) -> int:
    if code not in LANGUAGES or code == SOURCE_LANGUAGE:
        raise UserError(f"unknown language `{code}`; choose from: "
                        f"{', '.join(c for c in LANGUAGES if c != SOURCE_LANGUAGE)}")
    path = catalogs.catalog_path(LOCALES, code)
    if path.exists():
        raise UserError("the catalog exists already; use `python build.py update`", path)
    cmd_extract()
    catalogs.write_catalog(catalogs.new_catalog(read_template(), code), path, catalogs.Review())
    print(f"created {display_path(path)}")
    return 0


def cmd_compile() -> int:
    for code, path in catalogs.discover_catalogs(LOCALES).items():
        target = catalogs.compile_catalog(catalogs.read_catalog(path, code))
        print(f"compiled {display_path(target)}")
    return 0


def cmd_status(threshold: float) -> int:
    content = load_content(CONTENT)
    manifest = read_json(OUTPUT / MANIFEST, [])
    stale_langs = {c for e in manifest if e.get("stale") for c in e["languages"]}
    print(f"{'lang':<5} {'translated':>10} {'fuzzy':>6} {'untransl.':>9} {'obsolete':>8}  "
          f"{'complete':>8}  review")
    for code, path in catalogs.discover_catalogs(LOCALES).items():
        loaded = catalogs.read_catalog(path, code)
        c = catalogs.completeness(content, loaded)
        review = c.review.status + (f" by {c.review.reviewer}" if c.review.reviewer else "")
        flag = "" if c.ratio >= threshold else "  below threshold"
        flag += "  outputs stale" if code in stale_langs else ""
        print(f"{code:<5} {c.translated:>6}/{c.total:<3} {c.fuzzy:>6} {c.untranslated:>9} "
              f"{c.obsolete:>8}  {c.ratio:>8.0%}  {review}{flag}")
    return 0


def cmd_check() -> int:
    content = load_content(CONTENT)
    manifest = read_json(OUTPUT / MANIFEST, None)
    if manifest is None:
        raise UserError("no manifest; build first with `python build.py`", OUTPUT / MANIFEST)
    failures = preflight.check_manifest(OUTPUT, manifest, content)
    return 1 if failures else 0


# --- command line -------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="build.py", description="Build the cyberbullying print kit.",
        epilog="Commands: build (default), extract, update, init LANG, compile, status, check.",
    )
    parser.add_argument("command", nargs="?", default="build",
                        choices=["build", "extract", "update", "init", "compile", "status",
                                 "check"])
    parser.add_argument("language", nargs="?", help="language code for `init`")
    parser.add_argument("--product", action="append", choices=sorted(PRODUCTS),
                        help="build only this product (repeatable)")
    parser.add_argument("--lang", action="append", metavar="CODE",
                        help="build only this language, alone and beside Dutch (repeatable)")
    parser.add_argument("--edition", action="append", choices=EDITIONS,
                        help="build only this edition (repeatable)")
    parser.add_argument("--list", action="store_true", help="print the build plan and stop")
    parser.add_argument("--strict", action="store_true",
                        help="fail on any WeasyPrint warning")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="parallel render processes (default: all cores)")
    parser.add_argument("--force", action="store_true", help="rebuild even unchanged outputs")
    parser.add_argument("--threshold", type=float, default=100.0, metavar="PERCENT",
                        help="build a language only when this share is translated (default 100)")
    # Other trees than the project's own, for tests and for trying out edits.
    parser.add_argument("--output", type=Path, default=OUTPUT, help=argparse.SUPPRESS)
    parser.add_argument("--content", type=Path, default=CONTENT, help=argparse.SUPPRESS)
    parser.add_argument("--locales", type=Path, default=LOCALES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.command == "init" and not args.language:
        parser.error("`init` needs a language code, e.g. `python build.py init so`")
    if args.command != "init" and args.language:
        parser.error(f"unexpected argument `{args.language}`")
    if not 0 < args.threshold <= 100:
        parser.error("--threshold must be a percentage between 0 and 100")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    threshold = args.threshold / 100
    try:
        match args.command:
            case "extract":
                return cmd_extract()
            case "update":
                return cmd_update()
            case "init":
                return cmd_init(args.language)
            case "compile":
                return cmd_compile()
            case "status":
                return cmd_status(threshold)
            case "check":
                return cmd_check()
        options = Options(
            products=args.product or list(PRODUCTS),
            languages=args.lang,
            editions=args.edition or list(EDITIONS),
            strict=args.strict,
            jobs=args.jobs,
            force=args.force,
            threshold=threshold,
            output=args.output,
            content=args.content,
            locales=args.locales,
        )
        return build(options, list_only=args.list)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BuildFailure as exc:
        print(f"build failed: {exc}; output/ was left as it was", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
