"""Saddle-stitch imposition: A5 pages two-up on A4 landscape sheets.

Printed duplex (flip on the short edge), the stack of sheets folds into a
booklet whose pages follow in reading order. Done with pypdf rather than
hand-written PDF syntax.
"""

from __future__ import annotations

import io

from pypdf import PageObject, PdfReader, PdfWriter, Transformation

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
    reader = PdfReader(io.BytesIO(pdf))
    pages = [reader.pages[i] if i is not None else None
             for i in padded_order(len(reader.pages))]
    first = reader.pages[0]
    width, height = float(first.mediabox.width), float(first.mediabox.height)
    # Two A5 pages are a hair narrower than A4: centre them on the sheet.
    offset = (SHEET[0] - 2 * width) / 2
    writer = PdfWriter()
    for left, right in sheet_sides(len(pages), rtl):
        sheet = PageObject.create_blank_page(width=SHEET[0], height=SHEET[1])
        for slot, index in enumerate((left, right)):
            page = pages[index]
            if page is not None:
                move = Transformation().translate(offset + slot * width, (SHEET[1] - height) / 2)
                sheet.merge_transformed_page(page, move)
        writer.add_page(sheet)
    for key in ("/Title", "/Author", "/Subject", "/Keywords", "/CreationDate", "/ModDate"):
        if reader.metadata and key in reader.metadata:
            writer.add_metadata({key: reader.metadata[key]})
    writer.add_metadata({"/Producer": "cyberbullying print kit (pypdf imposition)"})
    lang = reader.trailer["/Root"].get("/Lang")
    if lang is not None:
        from pypdf.generic import NameObject, TextStringObject

        writer._root_object[NameObject("/Lang")] = TextStringObject(str(lang))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
