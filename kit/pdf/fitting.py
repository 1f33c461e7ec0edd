"""A school's values too wide for their column: measured on one layout, fitted in the next.

A value breaks only where a parent can still read it (`kit.values.breakable`):
an e-mail or web address after "@", "." or "/", a street address after a
comma. Its longest unbreakable part ("gemeentelijke-basisschool-sint-
amandsberg.be", "Burgemeester Van Hoorebekestraat 120-122,") may then be
wider than its column. Such a value is not broken anywhere else: its labels
go above the values (the whole column's width) and, where that is still too
narrow, the value is set smaller, at the size at which its widest line fills
the column. Widths come from WeasyPrint's own layout, so they are exact for
every face, size and column the stylesheets give.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

from fontTools.ttLib import TTFont

from kit.sources.fonts import FONTS_DIR
from kit.values import LATIN_KINDS, Fit

if TYPE_CHECKING:
    from weasyprint.document import Document

# The smallest x-height the EU asks of the information a consumer must be
# able to read on a label (Regulation 1169/2011, annex IV): 1.2 mm.
MIN_X_HEIGHT_MM = 1.2
PT_PX = 0.75  # CSS pixels to points
# A value set smaller gets this much room to spare: glyph widths are summed
# at one size and drawn at another, rounded.
SPARE = 0.98


@cache
def floor_pt() -> float:
    """The smallest size of a value: the Latin face's x-height at 1.2 mm (6.35 pt in Noto Sans)."""
    with TTFont(FONTS_DIR / "NotoSans-Regular.ttf", lazy=True) as font:
        x_height = font["OS/2"].sxHeight / font["head"].unitsPerEm
    return MIN_X_HEIGHT_MM / x_height / 25.4 * 72


class TooWide(Exception):
    """A value does not fit its column even at the floor size."""


def value_fits(document: Document) -> dict[tuple[str, str, str], Fit]:
    """Every value wider than its box in this layout, and how to set it to fit.

    Raises `TooWide` for a value whose widest line would need a size below
    the floor.
    """
    fits: dict[tuple[str, str, str], Fit] = {}
    for page in document.pages:
        for lang, kind, text, widest, measure, size_px in _overflowing(page._page_box):
            size_pt = size_px * PT_PX
            needed = size_pt * measure / widest * SPARE
            if needed < floor_pt():
                raise TooWide(f"the {kind} `{_plain(text)}` does not fit its column even at "
                              f"{floor_pt():.2f} pt (it would need {needed:.2f} pt); "
                              "shorten it")
            fits[(lang, kind, text)] = Fit(round(needed, 1) if widest > measure else None)
    return fits


def _overflowing(box: object, lang: str = "", column: tuple[float, float] = (0.0, 0.0)
                 ) -> Iterator[tuple[str, str, str, float, float, float]]:
    """(column language, kind, text, widest line, column width, size) of each value too wide.

    The column is the block that holds the value's list of labels and
    values: the width the value has once its label is above it. A value is
    too wide where a line runs out of its own box or out of that column (a
    list of labels beside values is a table, which grows to hold its widest
    value, beyond the column if need be).
    """
    from weasyprint.formatting_structure import boxes

    element = getattr(box, "element", None)
    classes = (element.get("class") or "").split() if element is not None else []
    kind = next((c.removeprefix("value-") for c in classes
                 if c.removeprefix("value-") in LATIN_KINDS), None)
    if "value" in classes and kind and isinstance(box, boxes.BlockContainerBox):
        left, width = column if column[1] else (box.content_box_x(), box.width)
        extents = [_extent(c) for c in box.children if isinstance(c, boxes.LineBox)]
        if any(start < left - 0.5 or end > left + width + 0.5 for start, end in extents):
            widest = max(end - start for start, end in extents)
            yield lang, kind, "".join(element.itertext()), widest, width, box.style["font_size"]
        return
    if element is not None and element.get("lang") and box.element_tag != "html":
        lang = element.get("lang")
    for child in getattr(box, "children", []):
        child_element = getattr(child, "element", None)
        # The block around the list (a table's wrapper has the list's class too).
        details = ("details" not in classes and child_element is not None
                   and "details" in (child_element.get("class") or "").split())
        yield from _overflowing(child, lang, (box.content_box_x(), box.width) if details
                                else column)


def _extent(line: object) -> tuple[float, float]:
    """Where a line's content starts and ends, across its boxes."""
    children = getattr(line, "children", [])
    if not children:
        return 0.0, 0.0
    return (min(c.position_x for c in children),
            max(c.position_x + c.margin_width() for c in children))


def _plain(text: str) -> str:
    return "".join(ch for ch in text if ch not in "\u200b\u2060").replace("\u00a0", " ")
