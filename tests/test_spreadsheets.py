"""Spreadsheets are untrusted: bounded before they are read, never a formula when written."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT
from openpyxl import Workbook

from kit import reviewing
from kit.errors import UserError
from kit.sources.schoollist import MAX_SHEET_ROWS, SchoolListError, load_school_list
from kit.spreadsheets import MAX_CELLS, csv_cell

KNOWN = ["fr", "ar"]
HEADER = ["slug", "name", "address", "languages", "contact1_role", "contact1_name",
          "contact1_phone", "clb_name", "clb_phone"]
ROW = ["de-linde", "Basisschool De Linde", "Lindenlaan 12, 9000 Gent", "ar", "directie",
       "Sofie Verhaegen", "09 123 45 67", "CLB Gent", "09 277 77 77"]


def workbook(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def rezip(source: Path, target: Path, replace: dict[str, bytes] | None = None,
          add: dict[str, bytes] | None = None) -> Path:
    """A copy of a workbook with parts replaced or added."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w",
                                                         zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, replace.get(info.filename, old.read(info)))
        for name, data in add.items():
            new.writestr(name, data)
    return target


def list_error(path: Path) -> str:
    with pytest.raises(UserError) as caught:
        load_school_list(path, KNOWN)
    assert not isinstance(caught.value, SchoolListError)
    return str(caught.value)


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return workbook(tmp_path / "good.xlsx", [HEADER, ROW])


def test_a_good_list_reads(good: Path) -> None:
    [school] = load_school_list(good, KNOWN)
    assert school.slug == "de-linde"


def test_a_zip_bomb_is_refused_before_it_is_unpacked(good: Path, tmp_path: Path) -> None:
    bomb = rezip(good, tmp_path / "list.xlsx",
                 add={"xl/media/padding.xml": b"<a>" + b"0" * 30_000_000 + b"</a>"})
    assert bomb.stat().st_size < 100_000
    assert list_error(bomb).endswith("list.xlsx: the school list unpacks to 30 MB; at most "
                                     "20 MB")


def test_a_workbook_of_many_parts_is_refused(good: Path, tmp_path: Path) -> None:
    parts = rezip(good, tmp_path / "list.xlsx",
                  add={f"xl/media/{n}.bin": b"" for n in range(150)})
    count = len(zipfile.ZipFile(parts).infolist())
    assert list_error(parts).endswith(f"list.xlsx: the school list holds {count} parts; an "
                                      "Excel workbook has far fewer (at most 100)")


def test_a_sheet_of_too_many_cells_is_refused(good: Path, tmp_path: Path) -> None:
    cells = b"".join(b'<c r="A%d"/>' % n for n in range(1, MAX_CELLS + 10_001))
    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b"<sheetData><row r=\"1\">" + cells + b"</row></sheetData></worksheet>")
    full = rezip(good, tmp_path / "list.xlsx", replace={"xl/worksheets/sheet1.xml": sheet})
    assert list_error(full).endswith(f"list.xlsx: the school list has {MAX_CELLS + 10_000} "
                                     f"cells; at most {MAX_CELLS}")


def test_a_part_of_millions_of_styles_is_refused(good: Path, tmp_path: Path) -> None:
    """27 KB that openpyxl would turn into three million style objects (1.6 GB)."""
    with zipfile.ZipFile(good) as archive:
        styles = archive.read("xl/styles.xml")
    start, end = styles.index(b"<cellXfs"), styles.index(b"</cellXfs>")
    many = styles[:start] + b'<cellXfs count="3000000">' + b"<xf/>" * 3_000_000 + styles[end:]
    bomb = rezip(good, tmp_path / "list.xlsx", replace={"xl/styles.xml": many})
    assert bomb.stat().st_size < 50_000
    assert list_error(bomb).endswith("list.xlsx: the school list's part xl/styles.xml has more "
                                     "than 100000 elements; a workbook of this size has far "
                                     "fewer")


def test_a_dtd_in_any_part_is_refused(good: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(good) as archive:
        original = archive.read("xl/workbook.xml")
    declaration = b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>'
    laughs = rezip(good, tmp_path / "list.xlsx", replace={
        "xl/workbook.xml": declaration + original})
    assert list_error(laughs).endswith("list.xlsx: the school list's part xl/workbook.xml "
                                       "declares a DTD; Excel never writes one")


def test_a_million_rows_are_refused_at_once(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(HEADER)
    book.active.cell(1_048_576, 1, "the last row")
    book.save(tmp_path / "list.xlsx")
    started = time.perf_counter()
    assert list_error(tmp_path / "list.xlsx").endswith(
        f"list.xlsx: the school list has more than {MAX_SHEET_ROWS} rows")
    assert time.perf_counter() - started < 60


def test_a_long_csv_list_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    with path.open("w", encoding="utf-8", newline="") as fileobj:
        writer = csv.writer(fileobj)
        writer.writerow(HEADER)
        writer.writerows([ROW] * MAX_SHEET_ROWS)
    assert list_error(path).endswith(f"list.csv: the school list has more than "
                                     f"{MAX_SHEET_ROWS} rows")


def test_a_huge_file_is_refused_by_its_size(tmp_path: Path) -> None:
    for name in ("list.xlsx", "list.csv"):
        path = tmp_path / name
        with path.open("wb") as fileobj:
            fileobj.truncate(11_000_000)
        assert list_error(path).endswith(f"{name}: the school list is 11.0 MB; at most 10 MB")


def test_a_damaged_workbook_is_one_line(good: Path, tmp_path: Path) -> None:
    broken = rezip(good, tmp_path / "list.xlsx",
                   replace={"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row"})
    message = list_error(broken)
    assert message.endswith("list.xlsx: the school list is not a readable Excel workbook: "
                            "ParseError")
    assert "\n" not in message


def test_a_phone_number_excel_stored_as_a_number_is_refused(tmp_path: Path) -> None:
    path = workbook(tmp_path / "list.xlsx", [HEADER, [*ROW[:6], 91234567, *ROW[7:]]])
    with pytest.raises(SchoolListError) as caught:
        load_school_list(path, KNOWN)
    [problem] = caught.value.problems
    assert str(problem).endswith(
        "list.xlsx:2: column contact1_phone: Excel stored the phone number as the number "
        "91234567, which drops a leading 0 or +; format the column as Text and type the "
        "number again")


def test_the_review_import_is_bounded_the_same_way(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales)
    good = workbook(tmp_path / "good.xlsx", [["x"]])
    bomb = rezip(good, tmp_path / "sheet.xlsx",
                 add={"xl/media/padding.xml": b"<a>" + b"0" * 30_000_000 + b"</a>"})
    before = (locales / "fr/LC_MESSAGES/cyberpesten.po").read_bytes()
    with pytest.raises(UserError) as caught:
        reviewing.import_sheet(locales, "fr", bomb)
    assert str(caught.value).endswith("sheet.xlsx: the review sheet unpacks to 30 MB; at most "
                                      "20 MB")
    book = Workbook()
    book.active.title = reviewing.SHEET
    book.create_sheet(reviewing.ABOUT).append(["language", "fr"])
    book.active.cell(reviewing.MAX_SHEET_ROWS + 1, 2, "kit.edition")
    book.save(tmp_path / "long.xlsx")
    with pytest.raises(UserError) as caught:
        reviewing.import_sheet(locales, "fr", tmp_path / "long.xlsx")
    assert str(caught.value).endswith(f"long.xlsx: the review sheet has more than "
                                      f"{reviewing.MAX_SHEET_ROWS} rows")
    assert (locales / "fr/LC_MESSAGES/cyberpesten.po").read_bytes() == before


@pytest.mark.parametrize(("value", "written"), [
    ('=HYPERLINK("http://x.example")', '\'=HYPERLINK("http://x.example")'),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("-2+3", "'-2+3"), ("\tx", "'\tx"), ("Basisschool De Linde", "Basisschool De Linde"),
    (12, 12),
])
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(value: object,
                                                            written: object) -> None:
    assert csv_cell(value) == written


MEMORY_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
from kit.errors import UserError
from kit.sources.schoollist import load_school_list
try:
    load_school_list(__import__("pathlib").Path(sys.argv[2]), ["fr"])
except UserError as exc:
    print(str(exc).splitlines()[0].split(": ", 1)[1])
# This process's own peak (VmHWM): ru_maxrss keeps the peak of the process
# that forked it, a test runner that has grown large.
status = open("/proc/self/status", encoding="ascii").read()
print(int(status.split("VmHWM:")[1].split()[0]) // 1024)
"""


def test_a_small_workbook_declaring_the_whole_grid_stays_small(good: Path,
                                                               tmp_path: Path) -> None:
    """Every row and column Excel has, declared in a few hundred bytes."""
    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<dimension ref="A1:XFD1048576"/><sheetData>'
             b'<row r="1" spans="1:16384"><c r="XFD1" t="inlineStr"><is><t>slug</t></is></c></row>'
             b'<row r="1048576" spans="1:16384"><c r="XFD1048576" t="inlineStr"><is><t>x</t>'
             b"</is></c></row></sheetData></worksheet>")
    grid = rezip(good, tmp_path / "list.xlsx", replace={"xl/worksheets/sheet1.xml": sheet})
    assert grid.stat().st_size < 10_000
    script = tmp_path / "memory.py"
    script.write_text(MEMORY_SCRIPT, encoding="utf-8")
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(script), str(ROOT), str(grid)],
                            capture_output=True, text=True, check=True)
    message, megabytes = result.stdout.splitlines()
    assert message == f"the school list has more than {MAX_SHEET_ROWS} rows"
    assert int(megabytes) < 250
    assert time.perf_counter() - started < 60  # a shared machine; main took minutes, or failed
