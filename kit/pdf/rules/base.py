"""What every rule family shares: the rule record, its findings, the file under inspection.

These live apart from the engine (`kit.pdf.preflight`) so that the families
can import them and the engine can import the families without a cycle.
"""

from __future__ import annotations

import inspect
import re
import subprocess
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from html import unescape
from pathlib import Path

import pikepdf

from kit.pdf.reading import reading_text
from kit.pdf.streams import Parse, TextRun, parsed_once, text_runs
from kit.plan import Output

MM = 72 / 25.4
CODE = re.compile(r"^[A-Z]{3}\d{3}$")

# A rule's problem: the page it is on (1-based; None for the whole file) and
# a message that reads on its own, so today's messages keep their wording.
Problem = tuple[int | None, str]


@dataclass(frozen=True)
class Finding:
    code: str
    page: int | None
    message: str


@dataclass(frozen=True)
class Word:
    """A word of the text layer with its box, in points from the page's top left."""

    page: int  # 1-based
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass(frozen=True)
class Expectation:
    """What a reader must find in a file beyond what the plan declares.

    `values` are a school's own words as (kind, value), in the order its
    pages show them (`kit.values.school_values`): each must come back whole
    and in that order from the text layer. `messages` are the texts each of
    the file's languages prints (`kit.pdf.rules.text.message_texts`): every
    word of them must come back (TXT003).
    """

    values: tuple[tuple[str, str], ...] = ()
    messages: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class Subject:
    """One file under inspection, with its expectations and views read at most once.

    Each view runs its tool (pdftotext, a content-stream walk) the first time
    a rule asks for it; every other rule gets the same answer. The rules that
    walk content streams themselves read them through `parse`, once each.
    """

    output: Output
    path: Path
    pages: int
    pdf: pikepdf.Pdf
    headings: int  # the content's section headings: what the plan expects
    expect: Expectation = Expectation()
    parse: Parse = field(default_factory=parsed_once, repr=False)

    @cached_property
    def text(self) -> str:
        """The text layer in reading order, through poppler's pdftotext."""
        return pdf_text(self.path)

    @cached_property
    def layout(self) -> tuple[list[tuple[float, float]], list[Word]]:
        """Each page's size and every word with its box (`pdftotext -bbox`)."""
        return _bbox(self.path)

    @property
    def page_sizes(self) -> list[tuple[float, float]]:
        return self.layout[0]

    @property
    def words(self) -> list[Word]:
        return self.layout[1]

    @cached_property
    def characters(self) -> str:
        """Every word of the text layer, in no particular order: what a file's text is
        made of, from the same run of pdftotext as the words' boxes."""
        return " ".join(word.text for word in self.words)

    @cached_property
    def drawn_text(self) -> str:
        """The text in the order it is drawn (`pdftotext -raw`): each block's logical order.

        The default mode rebuilds columns from positions and reads a
        right-to-left table's rows in an order of its own.
        """
        return pdf_text(self.path, "-raw")

    @cached_property
    def reading(self) -> str:
        """The text a screen reader reads: the structure tree in order, with ActualText."""
        return reading_text(self.pdf, self.parse)

    @cached_property
    def runs(self) -> Counter[TextRun]:
        """Glyphs set per font, size on paper and fill colour, over every page."""
        return text_runs(self.pdf, self.parse)


@dataclass(frozen=True)
class Rule:
    """One check: a code for selection, a name for messages, where it applies, what it finds.

    `find` yields every problem it sees, not only the first; its docstring
    is the rule's documentation.
    """

    code: str  # family prefix and number, e.g. PRN003
    name: str  # today's key in messages and tests, e.g. `rgb`
    applies: Callable[[Output], bool]
    find: Callable[[Subject], Iterable[Problem]]

    def __post_init__(self) -> None:
        if not CODE.match(self.code):
            raise ValueError(f"rule code {self.code!r} is not three capitals and three digits")

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.find) or ""

    def check(self, subject: Subject) -> Iterator[Finding]:
        for page, message in self.find(subject):
            yield Finding(self.code, page, message)


def everywhere(_: Output) -> bool:
    return True


def on_print(output: Output) -> bool:
    return output.edition == "print"


def on_screen(output: Output) -> bool:
    return output.edition == "screen"


def pdf_text(path: Path, *options: str) -> str:
    """The text of a PDF, through poppler's pdftotext (many times faster than pypdf)."""
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", *options, str(path), "-"],
                            capture_output=True, text=True, check=False)
    return result.stdout


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
# A word past the page's left or top edge has negative coordinates.
_WORD = re.compile(
    r'<word xMin="(-?[\d.]+)" yMin="(-?[\d.]+)" xMax="(-?[\d.]+)" yMax="(-?[\d.]+)">(.*?)</word>'
)


def _bbox(path: Path) -> tuple[list[tuple[float, float]], list[Word]]:
    sizes: list[tuple[float, float]] = []
    words: list[Word] = []
    for number, page in enumerate(pdf_text(path, "-bbox").split("<page ")[1:], start=1):
        size = _PAGE.match("<page " + page)
        if size is None:
            continue
        sizes.append((float(size.group(1)), float(size.group(2))))
        words += [Word(number, float(x0), float(y0), float(x1), float(y1), unescape(text))
                  for x0, y0, x1, y1, text in _WORD.findall(page)]
    return sizes, words


def box(page: pikepdf.Page, name: str) -> list[float] | None:
    """A page box as written in the file, not a default derived from another box."""
    found = page.obj.get(name)
    return [float(v) for v in found] if found is not None else None


def size(found: list[float]) -> tuple[float, float]:
    x0, y0, x1, y1 = found
    return x1 - x0, y1 - y0
