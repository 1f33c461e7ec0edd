"""Preflight: check every PDF against what the build plan declared for it.

Run at the end of every build on the new files, and on all of `output/` by
`python build.py check`. This is the engine: it opens a file once, runs
every rule that applies to its output (`kit.pdf.rules`, one module per
family) and weighs each finding by the edition's profile. A rule reports
every problem it sees, so a test can show each one failing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pikepdf

from kit.handoff import verify_handoff
from kit.manifest import sha256_file
from kit.pack import verify_pack
from kit.pdf.rules import RULES
from kit.pdf.rules.base import Expectation, Finding, Rule, Subject, pdf_text
from kit.pdf.rules.lines import layout_problems
from kit.pdf.rules.text import SCRIPT_RANGES
from kit.plan import EDITIONS, Output

if TYPE_CHECKING:
    from weasyprint.document import Document

__all__ = [
    "NOTHING",
    "PROFILES",
    "RULES",
    "SCRIPT_RANGES",
    "Expectation",
    "Finding",
    "Rule",
    "Subject",
    "check_manifest",
    "check_one",
    "findings",
    "layout_errors",
    "pdf_text",
    "problems_of",
    "verdict",
]

Severity = Literal["error", "warn"]
# How much a finding weighs, per edition: an error fails the build and
# `check`, a warning is reported only. Every rule is an error unless its
# edition's profile says otherwise, as veraPDF's profiles do; the same rule
# may weigh differently on paper and on screen.
PROFILES: dict[str, dict[str, Severity]] = {edition: {} for edition in EDITIONS}


# A file with no expectations beyond its plan: the department's.
NOTHING = Expectation()
# Not a rule's code: no rule runs on a file that cannot be opened.
UNREADABLE = "STR000"


def severity(edition: str, code: str) -> Severity:
    return PROFILES[edition].get(code, "error")


def findings(output: Output, path: Path, pages: int, headings: int,
             expect: Expectation = NOTHING) -> list[Finding]:
    """Every finding of every rule that applies to this file, in the rules' order."""
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PdfError as exc:  # an unreadable file is a preflight failure, not a crash
        return [Finding(UNREADABLE, None, f"cannot be read as PDF: {exc}")]
    with pdf:
        subject = Subject(output, path, pages, pdf, headings, expect)
        return [found for rule in RULES if rule.applies(output)
                for found in _checked(rule, subject)]


def _checked(rule: Rule, subject: Subject) -> list[Finding]:
    """A rule's findings; a file so damaged that the rule cannot read it fails that rule."""
    try:
        return list(rule.check(subject))
    except (pikepdf.PdfError, AttributeError, KeyError, TypeError, ValueError) as exc:
        return [Finding(rule.code, None, f"cannot be checked: {type(exc).__name__}: {exc}")]


def check_one(output: Output, path: Path, pages: int, headings: int,
              expect: Expectation = NOTHING) -> dict[str, str | None]:
    """Every rule's verdict on one file by name: None where it is satisfied or does not apply.

    A rule with several findings gives them joined by "; ".
    """
    names = {rule.code: rule.name for rule in RULES}
    verdicts: dict[str, list[str]] = {rule.name: [] for rule in RULES}
    for found in findings(output, path, pages, headings, expect):
        verdicts.setdefault(names.get(found.code, "read"), []).append(found.message)
    return {name: "; ".join(messages) or None for name, messages in verdicts.items()}


def _line(found: Finding) -> str:
    name = next((rule.name for rule in RULES if rule.code == found.code), "read")
    return f"{name}: {found.message} [{found.code}]"


def verdict(output: Output, path: Path, pages: int, headings: int,
            expect: Expectation = NOTHING) -> tuple[list[str], list[str]]:
    """The file's errors and warnings, one line each: `name: message [CODE]`."""
    errors, warnings = [], []
    for found in findings(output, path, pages, headings, expect):
        kind = errors if severity(output.edition, found.code) == "error" else warnings
        kind.append(_line(found))
    return errors, warnings


def layout_errors(document: Document, outputs: list[Output]) -> list[str]:
    """The line rules' errors on a laid-out document, for the outputs written from it:
    each rule runs once, and is an error if it is one for any of those editions."""
    return [f"{name}: {message} [{code}]"
            for code, name, _, message in layout_problems(document)
            if any(severity(output.edition, code) == "error" for output in outputs)]


def problems_of(output: Output, path: Path, pages: int, headings: int,
                expect: Expectation = NOTHING) -> list[str]:
    """What fails the file: its errors."""
    return verdict(output, path, pages, headings, expect)[0]


def _entry_output(entry: dict) -> Output:
    return Output(entry["product"], entry["paper"], tuple(entry["languages"]), entry["edition"],
                  entry.get("school"), entry.get("leaflet"))


def check_manifest(out: Path, manifest: list[dict], headings: Callable[[dict], int],
                   expect: Callable[[dict], Expectation] = lambda _: NOTHING) -> list[str]:
    """Check every file the manifest lists; print a table; return one line per failure.

    A file whose checksum differs from the manifest's is still judged by
    every rule: the mismatch says it changed, the rules say what is wrong.
    """
    rows = []
    for entry in manifest:
        path = out / entry["path"]
        warnings: list[str] = []
        if not path.exists():
            problems = ["missing: listed in the manifest but not in output/"]
        elif entry["product"] == "pack":
            problems = [f"pack: {p}" for p in verify_pack(out, entry, manifest)]
        elif entry["product"] == "handoff":
            problems = [f"hand-off: {p}" for p in verify_handoff(out, entry, manifest)]
        else:
            problems = []
            if sha256_file(path) != entry["sha256"]:
                problems.append("checksum: the file differs from the one the build wrote "
                                "and listed")
            errors, warnings = verdict(_entry_output(entry), path, entry["pages"],
                                       headings(entry), expect(entry))
            problems += errors
        rows.append((entry["path"], problems, warnings))
    width = max((len(path) for path, _, _ in rows), default=10)
    print(f"{'file':<{width}}  result  rules: {', '.join(rule.name for rule in RULES)}")
    for path, problems, warnings in rows:
        result = "FAIL" if problems else "warn" if warnings else "ok"
        notes = problems + [f"warning: {w}" for w in warnings]
        print(f"{path:<{width}}  {result:<6}  {'; '.join(notes)}")
    failures = [f"{path}: {p}" for path, problems, _ in rows for p in problems]
    warned = sum(len(warnings) for _, _, warnings in rows)
    # The count of problems ends the report: scripts read its last words.
    print(f"{len(rows)} files checked, {warned} warnings, {len(failures)} problems")
    return failures
