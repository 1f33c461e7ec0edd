"""Saddle-stitch imposition: A5 pages two-up on A4 landscape sheets.

Printed duplex (flip on the short edge), the stack of sheets folds into a
booklet whose pages follow in reading order. Each page is placed as a form
XObject by pikepdf (qpdf), not with hand-written PDF syntax.
"""

from __future__ import annotations

import io

import pikepdf

SHEET = (297 * 72 / 25.4, 210 * 72 / 25.4)  # A4 landscape, in points


def padded_order(count: int) -> list[int | None]:
    """Page indexes with blanks (None) before the back page, to a multiple of four."""
    pages: list[int | None] = list(range(count))
    blanks = -count % 4
    if count > 1:
        return pages[:-1] + [None] * blanks + pages[-1:]
    return pages + [None] * blanks


def sheet_sides(count: int, rtl: bool = False) -> list[tuple[int, int]]:
    """(left, right) page positions, 0-based, for each printed side in order.

    `count` is a multiple of four. Sides alternate front, back, front, ...
    A right-to-left booklet binds on the right, so each side is mirrored.
    """
    if count % 4:
        raise ValueError("a booklet needs a multiple of four pages")
    sides = []
    for sheet in range(count // 4):
        outer_front = (count - 1 - 2 * sheet, 2 * sheet)
        inner_back = (2 * sheet + 1, count - 2 - 2 * sheet)
        for left, right in (outer_front, inner_back):
            sides.append((right, left) if rtl else (left, right))
    return sides


def impose_booklet(pdf: bytes, rtl: bool = False) -> bytes:
    source = pikepdf.open(io.BytesIO(pdf))
    order = padded_order(len(source.pages))
    _, _, width, height = (float(v) for v in source.pages[0].mediabox)
    # Two A5 pages are a hair narrower than A4: centre them on the sheet.
    x0, y0 = (SHEET[0] - 2 * width) / 2, (SHEET[1] - height) / 2
    booklet = pikepdf.new()
    for left, right in sheet_sides(len(order), rtl):
        sheet = booklet.add_blank_page(page_size=SHEET)
        for slot, position in enumerate((left, right)):
            index = order[position]
            if index is not None:
                x = x0 + slot * width
                # Placed by hand rather than with add_overlay, whose random
                # resource names would make every build's bytes differ.
                page = source.pages[index].as_form_xobject()
                name = sheet.add_resource(page, pikepdf.Name.XObject,
                                          pikepdf.Name(f"/Page{index + 1}"))
                sheet.contents_add(sheet.calc_form_xobject_placement(
                    page, name, pikepdf.Rectangle(x, y0, x + width, y0 + height)))
    for key, value in source.docinfo.items():
        booklet.docinfo[key] = pikepdf.String(str(value))
    booklet.docinfo["/Producer"] = "parent leaflet print kit (pikepdf imposition)"
    if "/Lang" in source.Root:
        booklet.Root.Lang = source.Root.Lang
    buffer = io.BytesIO()
    booklet.save(buffer, deterministic_id=True)
    return buffer.getvalue()
