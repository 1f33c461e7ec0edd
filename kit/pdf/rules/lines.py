"""LIN: lines as a parent reads them, checked on the laid-out pages before a file is written.

A PDF keeps no paragraphs, only glyphs; which line belongs to which
paragraph, label or heading is known while WeasyPrint's layout is at hand.
So these rules read the line boxes of the laid-out document (every edition,
in the worker that lays it out), not the written file, and `check` cannot
run them again on a file alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kit.pdf.rules.base import Problem

if TYPE_CHECKING:
    from weasyprint.document import Document

# A paragraph of at least this many words must not end on one short word
# alone: one that fills less than this share of its column.
RUNT_WORDS = 8
RUNT_SHARE = 0.3
# A line of one word broke early if the next word would have fit in this
# share of the column (the next word's width is an estimate).
FIT_SHARE = 0.9
# A hyphenated line must fill at least this share of its column.
HYPHEN_FILL = 0.4
# A line's text may reach this far (CSS pixels, a quarter of a millimetre)
# past its block's edge: rounding, not a glyph outside the column.
OVERFLOW_PX = 1.0
HEADINGS = {"h1", "h2", "h3", "h4"}
# The document's title set above a poster's rules: a heading in all but its tag.
# A heading's lines are the layout's (it may be set very large): no runt rule.
TITLES = {"kicker"}
# Elements that hold a label: one or two words that must never break inside a word.
LABEL_TAGS = {"dt", "th"}
LABEL_CLASSES = {"role", "foot-label", "kit-note-label", "language-name"}
HYPHENS = ("\u2010", "-", "\u00ad")
_NO_SPACES = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")  # Chinese: lines break anywhere


@dataclass(frozen=True)
class LaidLine:
    page: int  # 1-based
    text: str
    width: float  # of its text, in CSS pixels
    available: float  # the width of its block
    overflow: float = 0.0  # how far its text reaches past its block's edges, in CSS pixels


@dataclass
class Paragraph:
    """The lines of one element (a paragraph, list item, heading, label), across pages."""

    tag: str
    classes: frozenset[str]
    lines: list[LaidLine]
    source: str = ""  # the element's text, with its own spaces

    @property
    def words(self) -> list[str]:
        return [w for line in self.lines for w in _words(line.text)]

    @property
    def is_label(self) -> bool:
        return self.tag in LABEL_TAGS or bool(self.classes & LABEL_CLASSES)


@dataclass(frozen=True)
class LayoutRule:
    """A rule over the laid-out pages; its code, name and docstring as for PDF rules."""

    code: str
    name: str
    find: Callable[[list[Paragraph], Document], Iterable[Problem]]


def _words(text: str) -> list[str]:
    # A list's bullet or dash is no word of the paragraph.
    return [w for w in text.split() if any(unicodedata.category(c)[0] in "LN" for c in w)]


def _space(line: LaidLine) -> float:
    """The width of a space, estimated as half a letter of the line."""
    return 0.5 * line.width / max(1, len(line.text.strip()))


def paragraphs(document: Document) -> list[Paragraph]:
    """Every element's lines, in document order; an element split over pages is one paragraph."""
    from weasyprint.formatting_structure import boxes

    found: dict[int, Paragraph] = {}

    def walk(box: object, page: int) -> None:
        # The page number in a margin box is laid out last on every page: no
        # paragraph, and it would hide a heading at the page's foot.
        if isinstance(box, boxes.MarginBox):
            return
        lines = [c for c in getattr(box, "children", []) if isinstance(c, boxes.LineBox)]
        tag = box.element_tag or ""
        if lines and not tag.endswith("::marker"):
            element = box.element
            key = id(element) if element is not None else id(box)
            paragraph = found.setdefault(key, Paragraph(
                tag, frozenset((element.get("class") or "").split())
                if element is not None else frozenset(), [],
                " ".join("".join(element.itertext()).split()) if element is not None else ""))
            start = box.content_box_x()
            for line in lines:
                texts = [t for t in line.descendants() if isinstance(t, boxes.TextBox)]
                text = "".join(t.text for t in texts)
                if text.strip():
                    overflow = max(start - min(t.position_x for t in texts),
                                   max(t.position_x + t.width for t in texts) - start - box.width)
                    paragraph.lines.append(LaidLine(page, text, line.width, box.width,
                                                    overflow))
        for child in getattr(box, "children", []):
            if not isinstance(child, boxes.LineBox):
                walk(child, page)

    for number, page in enumerate(document.pages, start=1):
        walk(page._page_box, number)  # WeasyPrint's laid-out box tree of the page
    return [p for p in found.values() if p.lines]


def lone_word(paragraphs: list[Paragraph], _: Document) -> Iterator[Problem]:
    """No line holds one word that the next line's first word would have fit beside.

    Such a break is not the line breaker's choice but a fault: whitespace
    laid out as part of a line, or a forced break.
    """
    for paragraph in paragraphs:
        if _NO_SPACES.search(" ".join(line.text for line in paragraph.lines)):
            continue
        for line, following in zip(paragraph.lines, paragraph.lines[1:], strict=False):
            # What the break had to keep together: up to the next breakable space.
            words, next_words = _words(line.text), following.text.strip().split(" ")
            if len(words) != 1 or not next_words or line.page != following.page:
                continue
            # The next word's width, estimated from its share of its line's letters,
            # and a space of about half a letter: a tenth of the column is left
            # for the estimate's error.
            share = len(next_words[0]) / max(1, len(following.text.strip()))
            needed = line.width + _space(line) + following.width * share
            if needed <= FIT_SHARE * line.available:
                yield line.page, (f"page {line.page}: a line holds only «{words[0]}», though "
                                  f"«{next_words[0]}» would have fit beside it")


def runt(paragraphs: list[Paragraph], _: Document) -> Iterator[Problem]:
    """A paragraph of many words never ends on a line of one short word.

    Unless the word before it stands alone on its line and the two would
    not fit the column together: tied, they would run past it (LIN006), and
    a script without hyphenation (Georgian) cannot split the long word.
    """
    for paragraph in paragraphs:
        if (paragraph.is_label or paragraph.tag in HEADINGS or paragraph.classes & TITLES
                or len(paragraph.lines) < 2 or len(paragraph.words) < RUNT_WORDS):
            continue
        before, last = paragraph.lines[-2:]
        words = _words(last.text)
        if (len(words) == 1 and not _NO_SPACES.search(last.text)
                and last.width < RUNT_SHARE * last.available
                and not (len(_words(before.text)) == 1
                         and not before.text.rstrip().endswith(HYPHENS)
                         and before.width + _space(before) + last.width > last.available)):
            yield last.page, f"page {last.page}: «{words[0]}» alone on the last line of a paragraph"


def hyphen_gap(paragraphs: list[Paragraph], _: Document) -> Iterator[Problem]:
    """A hyphenated line fills at least 40 % of its column: never "– Dis-" on a line of its own."""
    for paragraph in paragraphs:
        for line in paragraph.lines[:-1]:
            if (line.text.rstrip().endswith(HYPHENS) and line.available > 0
                    and line.width < HYPHEN_FILL * line.available):
                yield line.page, (f"page {line.page}: the hyphenated line «{line.text.strip()}» "
                                  f"fills {line.width / line.available:.0%} of its column")


def broken_label(paragraphs: list[Paragraph], _: Document) -> Iterator[Problem]:
    """A label (a role, "Telefoon") never breaks inside a word: 电/话 on two lines is unreadable."""
    for paragraph in (p for p in paragraphs if p.is_label):
        for line, following in zip(paragraph.lines, paragraph.lines[1:], strict=False):
            end, start = line.text.strip(), following.text.strip()
            if (line.page == following.page and end and start and end[-1] not in HYPHENS
                    and end + start in paragraph.source.replace(" ", "")
                    and f"{end} {start}" not in paragraph.source):
                yield line.page, (f"page {line.page}: the label «{paragraph.source}» breaks "
                                  f"inside a word, after «{end}»")


def overflow(paragraphs: list[Paragraph], _: Document) -> Iterator[Problem]:
    """No line is wider than its text block: no glyph outside the column.

    A word (or words tied together) longer than the column's measure sticks
    out past it: into the gutter and the other language, or past the trim.
    """
    for paragraph in paragraphs:
        for line in paragraph.lines:
            if line.overflow > OVERFLOW_PX:
                yield line.page, (f"page {line.page}: the line «{line.text.strip()}» runs "
                                  f"{line.overflow * 25.4 / 96:.1f} mm past its column")


def heading_at_foot(paragraphs: list[Paragraph], document: Document) -> Iterator[Problem]:
    """No heading is the last thing on a page with its content on the next."""
    last_on_page: dict[int, Paragraph] = {}
    for paragraph in paragraphs:
        for line in paragraph.lines:
            last_on_page[line.page] = paragraph
    pages = len(document.pages)
    for page, paragraph in sorted(last_on_page.items()):
        if paragraph.tag in HEADINGS and page < pages and paragraph.lines[-1].page == page:
            yield page, (f"page {page}: the heading «{' '.join(paragraph.words)}» stands at "
                         "the foot of the page, its content on the next")


LAYOUT_RULES = (
    LayoutRule("LIN001", "lone-word", lone_word),
    LayoutRule("LIN002", "runt", runt),
    LayoutRule("LIN003", "hyphen-gap", hyphen_gap),
    LayoutRule("LIN004", "label-break", broken_label),
    LayoutRule("LIN005", "heading-foot", heading_at_foot),
    LayoutRule("LIN006", "overflow", overflow),
)


def layout_problems(document: Document) -> list[tuple[str, str, int | None, str]]:
    """(code, name, page, message) of every layout rule's findings on a laid-out document."""
    laid = paragraphs(document)
    return [(rule.code, rule.name, page, message) for rule in LAYOUT_RULES
            for page, message in rule.find(laid, document)]
