"""The last pass over a written PDF: each edition's fixes and complete metadata.

One pikepdf session per file: the print shop's additions (printready), the
screen reader's structure (accessible), and XMP metadata in every edition,
dated from the content's edition so that the bytes stay reproducible.
"""

from __future__ import annotations

import datetime
import io

import pikepdf

from kit.pdf.accessible import make_accessible
from kit.pdf.printready import make_print_ready
from kit.plan import Condition, Output


def finish(data: bytes, output: Output, condition: Condition, edition: datetime.date) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if output.edition == "print":
            make_print_ready(pdf, condition)
        elif output.edition == "screen":
            make_accessible(pdf)
        complete_metadata(pdf, output, edition)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def complete_metadata(pdf: pikepdf.Pdf, output: Output, edition: datetime.date) -> None:
    """XMP with title, creator, languages and dates, matching the document info."""
    info = pdf.docinfo
    day = edition.isoformat()
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        xmp["dc:title"] = str(info.get("/Title", ""))
        xmp["dc:creator"] = [str(info.get("/Author", ""))]
        xmp["dc:description"] = str(info.get("/Subject", info.get("/Title", "")))
        xmp["dc:language"] = list(output.languages)
        xmp["pdf:Keywords"] = str(info.get("/Keywords", ""))
        xmp["xmp:CreatorTool"] = str(info.get("/Creator", ""))
        for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
            xmp[key] = day
