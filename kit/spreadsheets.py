"""Spreadsheets from outside, read within bounds; spreadsheets the kit writes, without formulas.

An .xlsx file is a zip of XML parts: a few kilobytes can unpack to gigabytes,
or declare a million rows or cells that a reader turns into Python objects
one by one. So before openpyxl opens a workbook, the archive is measured
(members, unpacked size, cells and other elements, no DTDs), and the workbook is then read
streaming (`read_only`), never beyond the rows and columns the caller needs.

Text the kit writes for a spreadsheet is never a formula: a school's name or
a translation that starts with `=` is data, not a command for Excel.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from kit.errors import UserError

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

MAX_FILE_BYTES = 10_000_000
MAX_MEMBERS = 100  # a workbook saved by Excel or LibreOffice has about fifteen parts
MAX_UNPACKED_BYTES = 20_000_000
# 5,000 schools of 32 columns; a review sheet has a few hundred rows of nine.
MAX_CELLS = 200_000
# Elements of any other part: openpyxl makes an object of each (a 27 KB file
# declaring three million cell styles took 1.6 GB). Excel itself allows
# 64,000 cell styles; the shared strings hold at most a few per cell.
MAX_PART_ELEMENTS = 100_000
MAX_STRING_ELEMENTS = 3 * MAX_CELLS
# What makes a spreadsheet read a cell as a formula (OWASP's CSV injection advice).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_ELEMENT = re.compile(rb"<[A-Za-z_]")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_CHUNK = 1 << 20


def csv_cell(value: object) -> object:
    """A value for a CSV file that people open in Excel: text that would be a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def check_xlsx(path: Path, what: str) -> None:
    """Refuse a workbook whose archive is too big or too full to open safely."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UserError(f"cannot read the {what}: {(exc.strerror or 'unreadable').lower()}",
                        path) from None
    if size > MAX_FILE_BYTES:
        raise UserError(f"the {what} is {size / 1e6:.1f} MB; at most "
                        f"{MAX_FILE_BYTES / 1e6:.0f} MB", path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise UserError(f"the {what} holds {len(members)} parts; an Excel workbook "
                                f"has far fewer (at most {MAX_MEMBERS})", path)
            unpacked = sum(m.file_size for m in members)
            if unpacked > MAX_UNPACKED_BYTES:
                raise UserError(f"the {what} unpacks to {unpacked / 1e6:.0f} MB; at most "
                                f"{MAX_UNPACKED_BYTES / 1e6:.0f} MB", path)
            cells = sum(_scan(archive, m, path, what) for m in members
                        if m.filename.endswith((".xml", ".rels", ".vml")))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError,
            RuntimeError) as exc:
        raise UserError(f"the {what} is not a readable Excel workbook: {exc}", path) from None
    if cells > MAX_CELLS:
        raise UserError(f"the {what} has {cells} cells; at most {MAX_CELLS}", path)


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: Path, what: str) -> int:
    """The cells of one XML part; a DTD (entities, the XML bomb's tool) is refused, and so
    is a part of more elements than a workbook of this size has.

    The archive reads no more than a member's declared size, which was bounded.
    """
    name = member.filename
    limit = (None if name.startswith("xl/worksheets/") else
             MAX_STRING_ELEMENTS if name == "xl/sharedStrings.xml" else MAX_PART_ELEMENTS)
    cells = elements = 0
    tail = b""
    with archive.open(member) as part:
        while chunk := part.read(_CHUNK):
            if not tail and chunk.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise UserError(f"the {what}'s part {name} is not UTF-8", path)
            data = tail + chunk
            if _DTD.search(data):
                raise UserError(f"the {what}'s part {name} declares a DTD; Excel never writes "
                                "one", path)
            cells += len(_CELL.findall(data)) - len(_CELL.findall(tail))
            elements += len(_ELEMENT.findall(data)) - len(_ELEMENT.findall(tail))
            if limit is not None and elements > limit:
                raise UserError(f"the {what}'s part {name} has more than {limit} elements; "
                                "a workbook of this size has far fewer", path)
            tail = data[-16:]
    return cells


@contextmanager
def open_xlsx(path: Path, what: str, data_only: bool = True) -> Iterator[Workbook]:
    """A workbook for streaming reads, after `check_xlsx`; closed, file and all, after use."""
    from openpyxl import load_workbook

    check_xlsx(path, what)
    # The file is opened here, not by openpyxl, which leaves it open when a part is damaged.
    with path.open("rb") as fileobj:
        try:
            book = load_workbook(fileobj, read_only=True, data_only=data_only)
        except Exception as exc:  # openpyxl raises many kinds for a damaged part
            raise UserError(f"the {what} is not a readable Excel workbook: "
                            f"{type(exc).__name__}", path) from None
        try:
            yield book
        finally:
            book.close()


def bounded_rows(sheet: object, max_rows: int, max_columns: int, path: Path,
                 what: str) -> Iterator[tuple]:
    """The sheet's rows (of cells), at most `max_rows`; a longer sheet is refused.

    Rows past a gap are read as empty rows, so a single cell in row 1,048,576
    is refused after `max_rows`, not after a million.
    """
    try:
        for number, row in enumerate(
                sheet.iter_rows(max_col=max_columns), start=1):  # type: ignore[attr-defined]
            if number > max_rows:
                raise UserError(f"the {what} has more than {max_rows} rows", path)
            yield row
    except UserError:
        raise
    except Exception as exc:  # a damaged part found while streaming
        raise UserError(f"the {what} is not a readable Excel workbook: "
                        f"{type(exc).__name__}", path) from None
