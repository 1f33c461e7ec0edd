"""Errors that reach the user as one line."""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """A mistake in the kit's input or invocation (exit code 2).

    Carries the file and line where the mistake is, so the message can point
    a content editor or translator straight at it.
    """

    def __init__(self, message: str, file: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = Path(file) if file is not None else None
        self.line = line

    def __str__(self) -> str:
        if self.file is None:
            return self.message
        where = display_path(self.file)
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.message}"


class UserErrors(UserError):
    """Several mistakes found at once, each a UserError: told one line each, then a summary."""

    def __init__(self, problems: list[UserError], summary: str):
        super().__init__(summary)
        self.problems = problems
        self.summary = summary

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class PartlyWritten(Exception):
    """A system error (a full disk) after `moved` new files had been renamed into place."""

    def __init__(self, error: OSError, moved: int):
        super().__init__(str(error))
        self.error = error
        self.moved = moved


class BuildFailure(Exception):
    """One or more outputs could not be produced; the details were already reported."""


def display_path(path: Path) -> str:
    """A path relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_utf8(path: Path, what: str) -> str:
    """A text file's contents; unreadable or non-UTF-8 files are user errors."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read the {what}: {exc.strerror}", path) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserError(f"the {what} is not UTF-8 text; save it as UTF-8", path, line) from None
