"""A school network's list of schools: one row per school, as CSV or as an Excel workbook.

A school board keeps its schools in a spreadsheet, not in YAML profiles. Each
row is turned into the same node tree a profile is read into, so a row obeys
exactly the rules of `schools/<slug>.yaml`; every node carries its row and
column, so a mistake is reported as `schools.csv:7: column contact1_email: …`.
Every row is checked before any work starts, and every bad row is reported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from pathlib import Path

import yaml

from kit.errors import UserError, UserErrors, read_utf8
from kit.sources.school import MAX_CONTACTS, School, _ProfileReader
from kit.spreadsheets import MAX_FILE_BYTES, bounded_rows, open_xlsx

STR = "tag:yaml.org,2002:str"
SCHOOL_COLUMNS = ("slug", "name", "address", "website", "site_url", "logo", "languages",
                  "poster_languages", "leaflets")
CONTACT_FIELDS = ("role", "name", "phone", "email", "hours")
CLB_FIELDS = ("name", "phone", "email", "website")
COLUMNS = (*SCHOOL_COLUMNS,
           *(f"contact{n}_{f}" for n in range(1, MAX_CONTACTS + 1) for f in CONTACT_FIELDS),
           *(f"clb_{f}" for f in CLB_FIELDS))
REQUIRED_COLUMNS = ("slug", "name", "address", "languages", "contact1_role", "contact1_name",
                    "clb_name")
MAX_ROWS = 5000
# The columns a list may use, and some room for empty ones in between.
MAX_COLUMNS = 2 * len(COLUMNS)
# The header, the schools, and blank rows between them.
MAX_SHEET_ROWS = 2 * MAX_ROWS


class SchoolListError(UserErrors):
    """Every bad row of a school list at once: one line per problem."""

    def __init__(self, problems: list[UserError]):
        count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        super().__init__(problems, f"{count} in the school list; nothing was built")


class _Cell(yaml.ScalarNode):
    """A cell's text, remembering its row and column for the error message."""

    def __init__(self, value: str, row: int, column: str):
        mark = yaml.Mark("", 0, row - 1, 0, None, None)
        super().__init__(STR, value, mark, mark)
        self.column = column


class _RowReader(_ProfileReader):
    """The profile rules, with the offending column named in every message."""

    logo_folder = "the list's folder"

    def error(self, node: yaml.Node, message: str) -> UserError:
        column = getattr(node, "column", None)
        if column is None and isinstance(node, yaml.SequenceNode) and node.value:
            column = getattr(node.value[0], "column", None)
        prefix = f"column {column}: " if column else ""
        return UserError(prefix + message, self.file, node.start_mark.line + 1)

    def phone(self, node: yaml.Node, what: str) -> str:
        if isinstance(node.value, NumberText):
            raise self.error(node, f"Excel stored the phone number as the number {node.value}, "
                                   "which drops a leading 0 or +; format the column as Text "
                                   "and type the number again")
        return super().phone(node, what)


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The rows of a .csv or .xlsx file as (spreadsheet row number, {column: text})."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = _csv_rows(path)
    elif suffix in {".xlsx", ".xlsm"}:
        table = _xlsx_rows(path)
    else:
        raise UserError("a school list is a .csv or .xlsx file", path)
    if not table:
        raise UserError("the school list is empty", path, 1)
    header = [h.strip().lower().removeprefix("\ufeff") for h in table[0]]
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise UserError(f"unknown column `{unknown[0]}` (the README lists the columns)", path, 1)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise UserError(f"the list has no column `{missing[0]}`", path, 1)
    repeated = [h for h in header if h and header.count(h) > 1]
    if repeated:
        raise UserError(f"the column `{repeated[0]}` appears twice", path, 1)
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {h: c if isinstance(c, NumberText) else c.strip()
                  for h, c in zip(header, cells, strict=False) if h}
        if any(values.values()):
            rows.append((number, values))
    if not rows:
        raise UserError("the school list has a header but no schools", path, 2)
    if len(rows) > MAX_ROWS:
        raise UserError(f"the list has {len(rows)} schools; split it into lists of at most "
                        f"{MAX_ROWS}", path)
    return rows


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # read_utf8 says why it cannot be read
    if size > MAX_FILE_BYTES:
        raise UserError(f"the school list is {size / 1e6:.1f} MB; at most "
                        f"{MAX_FILE_BYTES / 1e6:.0f} MB", path)
    text = read_utf8(path, "school list").removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    # Belgian spreadsheet software writes semicolons (the comma is the decimal mark).
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(rows) == MAX_SHEET_ROWS:
                raise UserError(f"the school list has more than {MAX_SHEET_ROWS} rows", path)
            rows.append(row[:MAX_COLUMNS])
    except csv.Error as exc:
        raise UserError(f"not a readable CSV file: {exc}", path) from None
    return rows


def _xlsx_rows(path: Path) -> list[list[str]]:
    with open_xlsx(path, "school list") as workbook:
        return [[_cell_text(c.value, c.data_type) for c in row]
                for row in bounded_rows(workbook.worksheets[0], MAX_SHEET_ROWS, MAX_COLUMNS,
                                        path, "school list")]


class NumberText(str):
    """A cell's text that Excel stored as a number: a phone number there lost its leading 0."""


def _cell_text(value: object, kind: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return NumberText(value) if kind == "n" else str(value)


def row_node(number: int, values: dict[str, str]) -> yaml.MappingNode:
    """One row as the node tree of a school profile."""
    mark = yaml.Mark("", 0, number - 1, 0, None, None)

    def key(name: str) -> yaml.ScalarNode:
        return yaml.ScalarNode(STR, name, mark, mark)

    def cell(column: str) -> _Cell:
        return _Cell(values.get(column, ""), number, column)

    pairs: list[tuple[yaml.Node, yaml.Node]] = []
    for column in SCHOOL_COLUMNS:
        if column in REQUIRED_COLUMNS or values.get(column):
            if column in {"languages", "poster_languages", "leaflets"}:
                codes = [_Cell(c, number, column) for c in values.get(column, "").split()]
                pairs.append((key(column), yaml.SequenceNode(
                    "tag:yaml.org,2002:seq", codes, mark, mark)))
            else:
                pairs.append((key(column), cell(column)))
    contacts = []
    for n in range(1, MAX_CONTACTS + 1):
        fields = [f for f in CONTACT_FIELDS if values.get(f"contact{n}_{f}")]
        if n == 1 or fields:
            required = {"role", "name"}
            contacts.append(yaml.MappingNode("tag:yaml.org,2002:map", [
                (key(f), cell(f"contact{n}_{f}")) for f in CONTACT_FIELDS
                if f in required or f in fields], mark, mark))
    pairs.append((key("contacts"), yaml.SequenceNode("tag:yaml.org,2002:seq", contacts,
                                                     mark, mark)))
    clb = [(key(f), cell(f"clb_{f}")) for f in CLB_FIELDS
           if f == "name" or values.get(f"clb_{f}")]
    pairs.append((key("clb"), yaml.MappingNode("tag:yaml.org,2002:map", clb, mark, mark)))
    return yaml.MappingNode("tag:yaml.org,2002:map", pairs, mark, mark)


def load_school_list(path: Path, known: list[str],
                     library: Collection[str] = ()) -> list[School]:
    """Every school of the list, or a SchoolListError naming every bad row."""
    reader = _RowReader(path)
    schools: list[School] = []
    problems: list[UserError] = []
    first_row: dict[str, int] = {}
    for number, values in read_rows(path):
        # A repeated slug is reported even in a row with other mistakes.
        slug = values.get("slug", "")
        if slug and slug in first_row:
            problems.append(UserError(f"column slug: `{slug}` is already used in row "
                                      f"{first_row[slug]}; every school needs its own",
                                      path, number))
        first_row.setdefault(slug, number)
        try:
            schools.append(reader.school(row_node(number, values), known, library))
        except UserErrors as exc:
            problems += exc.problems
        except UserError as exc:
            problems.append(exc)
    if problems:
        raise SchoolListError(problems)
    return schools
