"""Review sheets: a translation out to a native speaker and their answers back in.

`review-sheet LANG` writes a spreadsheet (to fill in) and a PDF (to read or
print) with every message: its id, the Dutch, the translation, the English
back-translation and empty OK / Correction / Comment columns. `review-import
LANG FILE` reads a filled-in spreadsheet back into the catalog: corrections
replace the translation, and every message marked OK or corrected gets a
review mark with the reviewer's name and the date (kit.sources.review).
"""

from __future__ import annotations

import datetime
import zipfile
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from kit.errors import UserError, display_path
from kit.render import Renderer, RenderLog, review_sheet_html, review_sheet_styles
from kit.sources import catalogs, review
from kit.sources.content import REVIEW_SHEET_FILE, Content, load_untranslated
from kit.sources.languages import SOURCE_LANGUAGE, language, language_name
from kit.sources.markup import compare
from kit.version import kit_version

SHEET = "Review"
ABOUT = "About"  # hidden: which language and catalog the sheet was made from
WORDS = {"title", "intro", "intro-nl", "keep", "name", "made", "col-number", "col-id",
         "col-dutch", "col-translation", "col-back", "col-ok", "col-correction", "col-comment"}
COLUMNS = ("col-number", "col-id", "col-dutch", "col-translation", "col-back", "col-ok",
           "col-correction", "col-comment")
NAME_CELL = "C5"
HEADER_ROW = 8
# The fingerprint of what the reviewer saw, one per row, in a hidden column.
FINGERPRINT_COLUMN = len(COLUMNS) + 1
WIDTHS = (5, 24, 48, 48, 40, 6, 40, 30)
# What a reviewer may type under OK to say "no" (an empty cell also says no).
NOT_OK = {"", "no", "nee", "n", "-", "0", "x?"}


@dataclass(frozen=True)
class Row:
    number: int
    key: str
    dutch: str
    translation: str
    back: str
    fingerprint: str


def rows_of(content: Content, catalog: Catalog) -> list[Row]:
    """Every message of the content, in reading order, as the reviewer sees it."""
    rows = []
    for number, text in enumerate(content.texts(), start=1):
        message = catalog.get(text.source, context=text.key)
        translated = message is not None and review.state(message) != review.UNTRANSLATED
        rows.append(Row(
            number, text.key, text.source,
            str(message.string) if translated and message else "",
            review.back_translation(message) if message else "",
            review.message_fingerprint(message) if message else "",
        ))
    return rows


def sheet_words(content_dir: Path) -> dict[str, str]:
    return load_untranslated(content_dir / REVIEW_SHEET_FILE, "review-sheet", WORDS)


# --- writing -----------------------------------------------------------------------


def write_xlsx(path: Path, lang: str, rows: list[Row], words: dict[str, str],
               title: str) -> None:
    name = language(lang).name_in("en")
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet["A1"] = words["title"].format(language=name, title=title)
    sheet["A1"].font = Font(bold=True, size=14)
    for row, key in ((2, "intro"), (3, "intro-nl"), (4, "keep")):
        sheet.cell(row, 1, words[key]).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
        sheet.row_dimensions[row].height = 48
    sheet["A5"] = words["name"]
    sheet[NAME_CELL].fill = PatternFill("solid", fgColor="FFF2CC")
    sheet["A6"] = words["made"]
    sheet["C6"] = datetime.date.today().isoformat()
    rtl = language(lang).direction == "rtl"
    for column, key in enumerate(COLUMNS, start=1):
        cell = sheet.cell(HEADER_ROW, column, words[key].format(language=name))
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = WIDTHS[column - 1]
    sheet.cell(HEADER_ROW, FINGERPRINT_COLUMN, "fingerprint")
    sheet.column_dimensions[sheet.cell(1, FINGERPRINT_COLUMN).column_letter].hidden = True
    wrap = Alignment(wrap_text=True, vertical="top")
    wrap_rtl = Alignment(wrap_text=True, vertical="top", readingOrder=2, horizontal="right")
    for r in rows:
        at = HEADER_ROW + r.number
        values = (r.number, r.key, r.dutch, r.translation, r.back, None, None, None, r.fingerprint)
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(at, column, value)
            cell.alignment = wrap_rtl if rtl and column in (4, 7) else wrap
        for column in (6, 7, 8):
            sheet.cell(at, column).fill = PatternFill("solid", fgColor="FFF2CC")
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 3)
    about = book.create_sheet(ABOUT)
    for row, (key, value) in enumerate(
        (("language", lang), ("kit", kit_version()), ("made", datetime.date.today().isoformat())),
        start=1,
    ):
        about.cell(row, 1, key)
        about.cell(row, 2, value)
    about.sheet_state = "hidden"
    tmp = path.with_name(f".{path.name}.tmp")
    book.save(tmp)
    tmp.replace(path)


def write_sheets(content: Content, content_dir: Path, locales: Path, lang: str,
                 folder: Path) -> tuple[Path, Path]:
    loaded = _catalog(locales, lang)
    rows = rows_of(content, loaded.catalog)
    words = sheet_words(content_dir)
    folder.mkdir(parents=True, exist_ok=True)
    xlsx = folder / f"review-sheet-{lang}.xlsx"
    pdf = folder / f"review-sheet-{lang}.pdf"
    title = content.document.title.source
    write_xlsx(xlsx, lang, rows, words, title)
    renderer = Renderer()
    log = RenderLog()
    html = review_sheet_html(renderer.env, lang, rows, words, title)
    document = renderer.render(html, renderer.stylesheets(review_sheet_styles(), log), log)
    tmp = pdf.with_name(f".{pdf.name}.tmp")
    document.write_pdf(tmp)
    tmp.replace(pdf)
    return xlsx, pdf


def _catalog(locales: Path, lang: str) -> catalogs.LoadedCatalog:
    if lang == SOURCE_LANGUAGE:
        raise UserError("Dutch is the source text: there is no translation to review")
    path = catalogs.catalog_path(locales, lang)
    if not path.exists():
        raise UserError(f"there is no catalog for `{lang}`; create it with "
                        f"`python build.py init {lang}`", path)
    return catalogs.read_catalog(path, lang)


# --- reading back ------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    row: int  # in the spreadsheet
    key: str
    fingerprint: str
    ok: bool
    correction: str
    comment: str


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def read_answers(path: Path, lang: str) -> tuple[str, list[Answer]]:
    """The reviewer's name and answers; a sheet for another language is refused."""
    try:
        book = load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise UserError(f"cannot read the review sheet: {exc}", path) from None
    if SHEET not in book.sheetnames or ABOUT not in book.sheetnames:
        raise UserError("this is not a review sheet of the kit (it has no `Review` and "
                        "`About` sheets); make one with `python build.py review-sheet "
                        f"{lang}`", path)
    about = {_text(r[0].value): _text(r[1].value) for r in book[ABOUT].iter_rows(max_col=2)}
    made_for = about.get("language", "")
    if made_for != lang:
        raise UserError(f"this review sheet is for `{made_for}` "
                        f"({language_name(made_for) if made_for else 'no language'}), not "
                        f"`{lang}`; import it with `review-import {made_for} FILE`", path)
    sheet: Worksheet = book[SHEET]
    name = " ".join(_text(sheet[NAME_CELL].value).split())
    if not name:
        raise UserError(f"the reviewer's name is missing: fill in cell {NAME_CELL} "
                        f"(\"{_text(sheet['A5'].value)}\")", path)
    problem = review.reviewer_problem(name)
    if problem:
        raise UserError(f"the reviewer's name in cell {NAME_CELL} {problem}", path)
    answers = []
    for at, cells in enumerate(sheet.iter_rows(min_row=HEADER_ROW + 1,
                                               max_col=FINGERPRINT_COLUMN), HEADER_ROW + 1):
        key = _text(cells[1].value)
        if not key:
            continue
        answers.append(Answer(
            row=at, key=key, fingerprint=_text(cells[FINGERPRINT_COLUMN - 1].value),
            ok=_text(cells[5].value).lower() not in NOT_OK,
            correction=_text(cells[6].value), comment=_text(cells[7].value),
        ))
    return name, answers


@dataclass
class Outcome:
    reviewed: int = 0
    corrected: int = 0
    comments: int = 0
    unanswered: int = 0


def apply_answers(catalog: Catalog, name: str, answers: list[Answer], path: Path,
                  today: datetime.date) -> Outcome:
    """Corrections and review marks into the catalog; any outdated or bad row refuses all."""
    by_key: dict[str, Message] = {m.context or "": m for m in catalog if m.id}
    outdated = [a for a in answers
                if a.key not in by_key
                or review.message_fingerprint(by_key[a.key]) != a.fingerprint]
    if outdated:
        first = outdated[0]
        raise UserError(
            f"the sheet is out of date: {len(outdated)} of its texts changed in the catalog "
            f"since it was made (the first: `{first.key}`, row {first.row}); make a new "
            "sheet with `python build.py review-sheet` and copy the reviewer's answers over",
            path, first.row)
    for answer in answers:
        if answer.correction:
            reason = compare(str(by_key[answer.key].id), answer.correction)
            if reason:
                raise UserError(f"the correction of `{answer.key}` (row {answer.row}, column "
                                f"G): {reason}", path, answer.row)
    outcome = Outcome()
    for answer in answers:
        message = by_key[answer.key]
        if answer.comment:
            review.add_review_comment(message, name, answer.comment)
            outcome.comments += 1
        if answer.correction:
            message.string = answer.correction
            message.flags.discard("fuzzy")
            message.previous_id = ()
            outcome.corrected += 1
        elif not answer.ok or message.fuzzy or review.state(message) == review.UNTRANSLATED:
            # A fuzzy message's text is known to be out of date, and an
            # untranslated one has nothing to approve: only a correction
            # settles either.
            outcome.unanswered += 1
            continue
        review.mark_reviewed(message, name, today)
        outcome.reviewed += 1
    return outcome


def import_sheet(locales: Path, lang: str, sheet: Path) -> Outcome:
    loaded = _catalog(locales, lang)
    name, answers = read_answers(sheet, lang)
    outcome = apply_answers(loaded.catalog, name, answers, sheet, datetime.date.today())
    catalogs.write_catalog(loaded.catalog, loaded.path)
    print(f"{display_path(loaded.path)}: {outcome.reviewed} texts reviewed by {name} "
          f"({outcome.corrected} corrected), {outcome.comments} comments for the translator, "
          f"{outcome.unanswered} not yet reviewed")
    return outcome
