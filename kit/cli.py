"""The command line of the kit: `python build.py`, `python -m kit` and the installed command."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from kit import batch, commands
from kit.errors import BuildFailure, PartlyWritten, UserError, UserErrors, display_path
from kit.pipeline import CONTENT, LOCALES, OUTPUT, ROOT, SCHOOLS, Options, build
from kit.plan import CONDITIONS, DEFAULT_CONDITION, EDITIONS, PRODUCTS
from kit.version import kit_version


def program_name() -> str:
    name = Path(sys.argv[0]).name
    return "python -m kit" if name == "__main__.py" else name


class Parser(argparse.ArgumentParser):
    """Command-line mistakes are user errors too: one line, exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message}\n")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = Parser(
        prog=program_name(),
        description="Build the parent leaflet kit: translated brochures, posters and web "
                    "pages of every leaflet in content/leaflets/ (cyberpesten first).",
        epilog="Commands: build (default), extract, update, init LANG, compile, status, "
               "check [--school PROFILE] [--all-languages], new-school SLUG, new-leaflet ID, "
               "review-sheet LANG, review-import LANG FILE, serve [--port N]. "
               "--leaflet ID narrows builds and the catalog commands to one leaflet.",
    )
    parser.add_argument("command", nargs="?", default="build",
                        choices=["build", "extract", "update", "init", "compile", "status",
                                 "check", "new-school", "new-leaflet", "review-sheet",
                                 "review-import", "serve"])
    parser.add_argument("language", nargs="?",
                        help="language code for `init` and the review commands; the new "
                             "school's slug for `new-school`; the new leaflet's id for "
                             "`new-leaflet`")
    parser.add_argument("file", nargs="?", type=Path,
                        help="the filled-in review sheet (.xlsx) for `review-import`")
    parser.add_argument("--version", action="version", version=f"%(prog)s {kit_version()}")
    parser.add_argument("--school", action="append", type=Path, metavar="PROFILE",
                        help="build this school's pack from its profile (repeatable)")
    parser.add_argument("--schools", type=Path, metavar="LIST",
                        help="build the pack of every school of this list (.csv or .xlsx), "
                             "as Dask tasks")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="with --schools: run on this existing Dask cluster instead of a "
                             "local one")
    parser.add_argument("--dashboard", nargs="?", const=batch.DASHBOARD, metavar="ADDRESS",
                        help="with --schools: serve Dask's dashboard and print its address; "
                             f"on {batch.DASHBOARD} (this machine only) unless an ADDRESS such "
                             "as 0.0.0.0:8787 is given")
    parser.add_argument("--leaflet", action="append", metavar="ID",
                        help="only this leaflet (repeatable): builds, extract, update, init, "
                             "compile, status and review-sheet; default: every leaflet")
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
    parser.add_argument("--print-condition", choices=sorted(CONDITIONS), default=DEFAULT_CONDITION,
                        help="the print edition's printing condition: fogra39 (offset, coated "
                             "paper; the default) or fogra29 (uncoated paper)")
    parser.add_argument("--all-languages", action="store_true",
                        help="with check: build the stress corpus school (or --school PROFILE) "
                             "in every language it names into output/corpus/, then check it")
    parser.add_argument("--port", type=int, default=8000,
                        help="the port `serve` listens on (default 8000)")
    parser.add_argument("--threshold", type=float, default=100.0, metavar="PERCENT",
                        help="build a language only when this share is translated (default 100)")
    # Other trees than the project's own, for tests and for trying out edits.
    parser.add_argument("--output", type=Path, default=OUTPUT, help=argparse.SUPPRESS)
    parser.add_argument("--content", type=Path, default=CONTENT, help=argparse.SUPPRESS)
    parser.add_argument("--locales", type=Path, default=LOCALES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.command == "init" and not args.language:
        parser.error("`init` needs a language code, e.g. `python build.py init so`")
    if args.command == "new-school" and not args.language:
        parser.error("`new-school` needs a slug, e.g. `python build.py new-school de-linde`")
    if args.command == "new-leaflet" and not args.language:
        parser.error("`new-leaflet` needs an id, e.g. `python build.py new-leaflet schoolkosten`")
    if args.command in {"review-sheet", "review-import"} and not args.language:
        parser.error(f"`{args.command}` needs a language code, e.g. "
                     f"`python build.py {args.command} ar`")
    if args.command == "review-import" and not args.file:
        parser.error("`review-import` needs the sheet, e.g. "
                     "`python build.py review-import ar review-sheet-ar.xlsx`")
    if args.command not in {"init", "new-school", "new-leaflet", "review-sheet",
                            "review-import"} and (
            args.language):
        parser.error(f"unexpected argument `{args.language}`")
    if args.command != "review-import" and args.file:
        parser.error(f"unexpected argument `{args.file}`")
    if not 0 <= args.threshold <= 100:
        parser.error("--threshold must be a percentage between 0 and 100")
    if args.schools and args.school:
        parser.error("give either --schools LIST or --school PROFILE, not both")
    if (args.scheduler or args.dashboard) and not args.schools:
        parser.error("--scheduler and --dashboard go with --schools LIST")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if not 1 <= args.port <= 65535:
        parser.error(f"--port must be a port number from 1 to 65535, not {args.port}")
    if args.command == "serve" and args.school and len(args.school) > 1:
        parser.error("`serve` shows one school's web edition: give --school once")
    if args.all_languages and args.command != "check":
        parser.error("--all-languages goes with `check`")
    if args.all_languages and args.school and len(args.school) > 1:
        parser.error("`check --all-languages` takes one --school PROFILE")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    threshold = args.threshold / 100
    paths = commands.Paths(ROOT, args.content, args.locales, args.output)
    try:
        match args.command:
            case "extract":
                return commands.extract(paths, args.leaflet)
            case "update":
                return commands.update(paths, args.leaflet)
            case "init":
                return commands.init(paths, args.language, args.leaflet)
            case "compile":
                return commands.compile_all(paths, args.leaflet)
            case "status":
                return commands.status(paths, threshold, args.leaflet)
            case "check" if not args.all_languages:
                return commands.check(paths, args.school)
            case "new-school":
                return commands.new_school(SCHOOLS, args.language, args.locales)
            case "new-leaflet":
                return commands.new_leaflet(paths, args.language)
            case "review-sheet":
                return commands.review_sheet(paths, args.language, args.leaflet)
            case "review-import":
                return commands.review_import(paths, args.language, args.file)
            case "serve":
                return commands.serve(paths, args.port, args.school)
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
            schools=tuple(args.school or ()),
            print_condition=args.print_condition,
            school_list=args.schools,
            leaflets=args.leaflet,
        )
        if args.command == "check":
            profile = args.school[0] if args.school else None
            return commands.check_all_languages(paths, profile, options)
        if args.schools and not args.list:
            return batch.build_batch(options, args.scheduler, args.dashboard)
        return build(options, list_only=args.list)
    except UserErrors as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(exc.summary, file=sys.stderr)
        return 2
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BuildFailure as exc:
        print(f"build failed: {exc}; output/ was left as it was", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # before any work was placed: nothing changed
        print("interrupted: output/ was left as it was", file=sys.stderr)
        return 130
    except PartlyWritten as exc:
        if not exc.moved:
            return system_error(exc.error, "files already in place were left as they were")
        return system_error(exc.error, f"{exc.moved} new files had already been moved into "
                                       "place, and the manifest may not list them yet: make "
                                       "room and build again, which finishes the job")
    except OSError as exc:  # a full disk, a read-only folder: the system's words, one line
        return system_error(exc, "files already in place were left as they were")


def system_error(exc: OSError, aftermath: str) -> int:
    """The system's words, where it happened and what it left, in one line (exit code 1)."""
    where = f"{display_path(Path(exc.filename))}: " if exc.filename else ""
    print(f"error: {where}{exc.strerror or exc}; {aftermath}", file=sys.stderr)
    return 1


def main_entry() -> None:
    """The installed `cyberpesten-kit` command."""
    sys.exit(main(sys.argv[1:]))
