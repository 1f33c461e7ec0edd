"""GEO: the pages themselves: their size and count, the booklet's order, the poster's scale."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import accumulate

from kit.pdf.impose import padded_order, sheet_sides
from kit.pdf.rules.base import MM, Problem, Rule, Subject, Word, box, everywhere, size
from kit.plan import PAPER_MM, POSTER_FLOOR_PT, Output
from kit.render import booklet_rtl

TOLERANCE = 0.6  # points
# The two rules of thumb have hundreds of bold glyphs in any language.
RULE_GLYPHS = 60
# Page numbers sit in the footer: the lowest 16 mm of each half of a sheet side.
FOOTER_MM = 16


def close(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) <= TOLERANCE and abs(a[1] - b[1]) <= TOLERANCE


def paper_points(paper: str, landscape: bool = False) -> tuple[float, float]:
    w, h = PAPER_MM[paper]
    return (h * MM, w * MM) if landscape else (w * MM, h * MM)


def page_size(s: Subject) -> Iterator[Problem]:
    """Every page has the planned paper size: the TrimBox in print files, else the MediaBox."""
    o = s.output
    expected = paper_points("A4", landscape=True) if o.imposed else paper_points(o.paper)
    name = "TrimBox" if o.edition == "print" else "MediaBox"
    for number, page in enumerate(s.pdf.pages, start=1):
        found = box(page, f"/{name}")
        if found is None:
            yield number, f"page {number} has no {name}"
        elif not close(size(found), expected):
            w, h = size(found)
            yield number, (f"page {number} is {w / MM:.1f} × {h / MM:.1f} mm, expected "
                           f"{expected[0] / MM:.0f} × {expected[1] / MM:.0f} mm")


def page_count(s: Subject) -> Iterator[Problem]:
    """The build's page count; posters one page; booklets a multiple of four pages."""
    actual = len(s.pdf.pages)
    if actual != s.pages:
        yield None, f"has {actual} pages, the build recorded {s.pages}"
    if s.output.product in {"poster", "guide"} and actual != 1:
        yield None, f"a {s.output.product} must be one page, this one has {actual}"
    if s.output.product == "brochure":
        if s.output.imposed and actual * 2 % 4:
            yield None, f"booklet of {actual} sheet sides is not a multiple of four pages"
        if s.output.edition == "print" and actual % 4:
            yield None, f"print-shop booklet has {actual} pages, not a multiple of four"


def footer_numbers(sizes: list[tuple[float, float]], words: list[Word]
                   ) -> list[tuple[int | None, int | None]]:
    """The page numbers printed in the footer of each half of every sheet side."""
    sides: list[list[int | None]] = [[None, None] for _ in sizes]
    for word in words:
        width, height = sizes[word.page - 1]
        if word.text.isdigit() and len(word.text) <= 3 and height - word.y1 < FOOTER_MM * MM:
            sides[word.page - 1][0 if word.x0 < width / 2 else 1] = int(word.text)
    return [(left, right) for left, right in sides]


def expected_numbers(
    pages: int, rtl: bool, numbered: Callable[[int], bool]
) -> list[tuple[int | None, int | None]]:
    order = padded_order(pages)
    expected = []
    for left, right in sheet_sides(len(order), rtl):
        pair = []
        for slot in (left, right):
            index = order[slot]
            pair.append(index + 1 if index is not None and numbered(index) else None)
        expected.append((pair[0], pair[1]))
    return expected


def imposition(s: Subject) -> Iterator[Problem]:
    """An imposed booklet's sheets are in saddle-stitch order: read back from the page numbers."""
    found = footer_numbers(s.page_sizes, s.words)
    numbered = sorted(n for pair in found for n in pair if n is not None)
    if not numbered:
        yield None, "no page numbers found on the sheets"
        return
    source_pages = max(numbered) + 1  # the back page carries no number
    rtl = booklet_rtl(s.output.languages)
    expected = expected_numbers(source_pages, rtl, lambda i: 0 < i < source_pages - 1)
    if found != expected:
        yield None, f"sheets are out of order: found {found}, expected {expected}"


def poster_floor(s: Subject) -> Iterator[Problem]:
    """On a multilingual poster every language's rules of thumb reach the size floor.

    The rules are the bold text of each script's face; the size most of those
    glyphs are set in is the rules' size (headings and names are fewer).
    """
    floor = POSTER_FLOOR_PT[s.output.paper]
    bold: dict[str, Counter[float]] = {}
    for run, count in s.runs.items():
        if run.font.endswith("-Bold"):
            bold.setdefault(run.font, Counter())[run.size] += count
    # A face with a few bold glyphs only sets a name at the foot (a contact
    # written in Arabic script on a poster without Arabic), not rules.
    bold = {font: counts for font, counts in bold.items() if counts.total() >= RULE_GLYPHS}
    if not bold:
        yield 1, "no bold text found: the rules of thumb are missing"
    for font, counts in sorted(bold.items()):
        found = counts.most_common(1)[0][0]
        if found < floor - 0.05:
            yield 1, (f"the rules of thumb in {font} are set at {found:.1f} pt, below the "
                      f"{floor:.0f} pt floor for an {s.output.paper} poster; choose fewer or "
                      "other `poster_languages`")


# Text stays this far inside the trim of a print-shop file: a cutting
# tolerance, so no letter is cut at the trim.
SAFETY_MM = 3


def _trims(s: Subject) -> list[tuple[float, float, float, float]]:
    """Each page's trim (the page itself off print files), in pdftotext's top-left points."""
    trims = []
    for page in s.pdf.pages:
        media = box(page, "/MediaBox") or [0.0, 0.0, 0.0, 0.0]
        trim = box(page, "/TrimBox") or media
        trims.append((trim[0] - media[0], media[3] - trim[3],
                      trim[2] - media[0], media[3] - trim[1]))
    return trims


def inside_trim(s: Subject) -> Iterator[Problem]:
    """No glyph beyond the trim less 3 mm in a print file, or beyond the page in others."""
    margin = SAFETY_MM * MM if s.output.edition == "print" else 0
    trims = _trims(s)
    for word in s.words:
        x0, y0, x1, y1 = trims[word.page - 1]
        if (word.x0 < x0 + margin - TOLERANCE or word.x1 > x1 - margin + TOLERANCE
                or word.y0 < y0 + margin - TOLERANCE or word.y1 > y1 - margin + TOLERANCE):
            where = "the trim less 3 mm" if margin else "the page"
            yield word.page, f"page {word.page}: «{word.text}» runs beyond {where}"


def inside_column(s: Subject) -> Iterator[Problem]:
    """Beside the Dutch, no word runs from its column into the other.

    On the pages between the cover and the back page (the parallel text),
    some vertical line in the middle third crosses no word: the gutter. A
    page where every such line crosses a word has a word in the gutter.
    """
    by_page: dict[int, list[Word]] = {}
    for word in s.words:
        by_page.setdefault(word.page, []).append(word)
    for number in range(2, len(s.pdf.pages)):
        words = by_page.get(number, [])
        width = s.page_sizes[number - 1][0]
        for word in _fewest_crossed(words, int(width / 3), int(2 * width / 3)):
            yield number, (f"page {number}: «{word.text}» runs out of its column into the "
                           "other language's")


def _fewest_crossed(words: list[Word], low: int, high: int) -> list[Word]:
    """The words crossing the vertical line at the first whole x in [low, high) that the
    fewest words cross (strictly: a word ending at x does not cross it).

    Counted in one sweep over the words (each adds one to the lines it
    crosses), not by testing every word at every x.
    """
    if low >= high:
        return []
    steps = [0] * (high - low + 1)
    for word in words:
        first, last = max(low, math.floor(word.x0) + 1), min(high - 1, math.ceil(word.x1) - 1)
        if first <= last:
            steps[first - low] += 1
            steps[last - low + 1] -= 1
    counts = list(accumulate(steps[:-1]))
    x = low + counts.index(min(counts))
    return [w for w in words if w.x0 < x < w.x1]


def _bilingual_brochure(output: Output) -> bool:
    return output.product == "brochure" and len(output.languages) == 2 and not output.imposed


def _imposed(output: Output) -> bool:
    return output.imposed


def _multilingual(output: Output) -> bool:
    return output.multilingual


RULES = (
    Rule("GEO001", "size", everywhere, page_size),
    Rule("GEO002", "pages", everywhere, page_count),
    Rule("GEO003", "order", _imposed, imposition),
    Rule("GEO004", "floor", _multilingual, poster_floor),
    Rule("GEO005", "trim", everywhere, inside_trim),
    Rule("GEO006", "column", _bilingual_brochure, inside_column),
)
