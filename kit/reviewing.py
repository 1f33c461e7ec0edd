"""Review sheets: a translation out to a native speaker and their answers back in.

`review-sheet LANG` writes a spreadsheet (to fill in) and a PDF (to read or
print) with every message: its id, the Dutch, the translation, the English
back-translation and empty OK / Correction / Comment columns. `review-import
LANG FILE` reads a filled-in spreadsheet back into the catalog: corrections
replace the translation, and every message marked OK or corrected gets a
review mark with the reviewer's name and the date (kit.sources.review).
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from kit.errors import UserError, display_path
from kit.render import Renderer, RenderLog, review_sheet_html, review_sheet_styles
from kit.sources import catalogs, review
from kit.sources.content import FIRST_LEAFLET, REVIEW_SHEET_FILE, Content, load_untranslated
from kit.sources.languages import SOURCE_LANGUAGE, language, language_name
from kit.sources.markup import character_problems, compare
from kit.spreadsheets import bounded_rows, open_xlsx
from kit.version import kit_version

SHEET = "Review"
ABOUT = "About"  # hidden: which language and catalog the sheet was made from
WORDS = {"title", "intro", "intro-nl", "keep", "name", "made", "col-number", "col-id",
         "col-dutch", "col-translation", "col-back", "col-ok", "col-correction", "col-comment"}
COLUMNS = ("col-number", "col-id", "col-dutch", "col-translation", "col-back", "col-ok",
           "col-correction", "col-comment")
NAME_CELL = "C5"
OWN_INTRO_ROW = 7  # the instructions in the reviewer's language
HEADER_ROW = 8
# The fingerprint of what the reviewer saw, one per row, in a hidden column.
FINGERPRINT_COLUMN = len(COLUMNS) + 1
WIDTHS = (5, 24, 48, 48, 40, 6, 40, 30)
DUTCH_COLUMN, TRANSLATION_COLUMN = 3, 4
OK_COLUMN, CORRECTION_COLUMN, COMMENT_COLUMN = 6, 7, 8
ANSWER_COLUMNS = (OK_COLUMN, CORRECTION_COLUMN, COMMENT_COLUMN)
NAME_ROW, NAME_COLUMN = 5, 3  # NAME_CELL
# Excel's Text format: what a reviewer types there is kept as text, `=` and all.
TEXT_FORMAT = "@"
# What a reviewer may write under OK, in English or Dutch; an empty cell is no answer.
# Anything else is refused rather than guessed: "nope" must never approve a text.
YES = {"x", "ok", "yes", "y", "ja", "j", "v", "✓", "✔", "1", "true", "waar"}
NO = {"no", "nee", "n", "-", "0", "false", "onwaar", "not ok", "niet ok", "x?"}
# Rows a sheet may have: its header and some hundreds of messages, with room to spare.
MAX_SHEET_ROWS = 5000


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


def write_xlsx(path: Path, lang: str, leaflet: str, rows: list[Row], words: dict[str, str],
               title: str, own_intro: str = "") -> None:
    """The sheet to fill in; `own_intro` is the instructions in the language under review."""
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
    sheet[NAME_CELL].number_format = TEXT_FORMAT
    sheet["A6"] = words["made"]
    sheet["C6"] = datetime.date.today().isoformat()
    rtl = language(lang).direction == "rtl"
    if own_intro:
        cell = sheet.cell(OWN_INTRO_ROW, 1, own_intro)
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top",
                                   **({"readingOrder": 2, "horizontal": "right"} if rtl else {}))
        sheet.merge_cells(start_row=OWN_INTRO_ROW, start_column=1, end_row=OWN_INTRO_ROW,
                          end_column=len(COLUMNS))
        sheet.row_dimensions[OWN_INTRO_ROW].height = 64
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
            if isinstance(value, str):
                # Text, even when it starts with `=`: openpyxl would write a formula.
                cell.data_type = "s"
        for column in ANSWER_COLUMNS:
            answer = sheet.cell(at, column)
            answer.fill = PatternFill("solid", fgColor="FFF2CC")
            answer.number_format = TEXT_FORMAT
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 3)
    about = book.create_sheet(ABOUT)
    for row, (key, value) in enumerate(
        (("language", lang), ("leaflet", leaflet), ("kit", kit_version()),
         ("made", datetime.date.today().isoformat())),
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
    """One leaflet's sheets (with the kit's words) to review in one language."""
    leaflet = content.document.id
    loaded = _catalog(locales, lang, leaflet)
    rows = rows_of(content, loaded.catalog)
    words = sheet_words(content_dir)
    folder.mkdir(parents=True, exist_ok=True)
    xlsx = folder / f"review-sheet-{lang}-{leaflet}.xlsx"
    pdf = folder / f"review-sheet-{lang}-{leaflet}.pdf"
    title = content.document.title.source
    # The instructions in the reviewer's own language, from the catalog under review.
    own = next((r.translation for r in rows if r.key == content.label("review-intro").key), "")
    write_xlsx(xlsx, lang, leaflet, rows, words, title, own)
    renderer = Renderer()
    log = RenderLog()
    html = review_sheet_html(renderer.env, lang, rows, words, title, own)
    document = renderer.render(html, renderer.stylesheets(review_sheet_styles(), log), log)
    tmp = pdf.with_name(f".{pdf.name}.tmp")
    document.write_pdf(tmp)
    tmp.replace(pdf)
    return xlsx, pdf


def _catalog(locales: Path, lang: str, leaflet: str) -> catalogs.LoadedCatalog:
    """A leaflet's catalog with the kit's, in the language under review."""
    if lang == SOURCE_LANGUAGE:
        raise UserError("Dutch is the source text: there is no translation to review")
    for path in (catalogs.catalog_path(locales, lang, catalogs.KIT_DOMAIN),
                 catalogs.catalog_path(locales, lang, leaflet)):
        if not path.exists():
            raise UserError(f"there is no catalog for `{lang}`; create it with "
                            f"`python build.py init {lang}`", path)
    return catalogs.read_language(locales, lang, leaflet)


# --- reading back ------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    row: int  # in the spreadsheet
    key: str
    fingerprint: str
    dutch: str  # columns C and D as the sheet holds them now
    translation: str
    ok: bool | None  # None: nothing under OK
    correction: str
    comment: str

    @property
    def answered(self) -> bool:
        return self.ok is not None or bool(self.correction or self.comment)


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _quoted(text: str) -> str:
    """A reviewer's text in a one-line message: on one line, and short."""
    return " ".join(text.split())[:40]


def _letter(column: int) -> str:
    return "ABCDEFGHI"[column - 1]


def _value(cells: tuple, column: int, at: int, path: Path) -> str:
    """A cell's text; a formula is refused (what it shows is not what the reviewer typed)."""
    if column > len(cells):
        return ""
    cell = cells[column - 1]
    if getattr(cell, "data_type", None) == "f":
        raise UserError(f"row {at}, column {_letter(column)}: the cell holds a formula "
                        f"(`{_quoted(str(cell.value))}`); type the text itself", path, at)
    return _text(cell.value)


def _ok(text: str, at: int, path: Path) -> bool | None:
    answer = " ".join(text.lower().split())
    if not answer:
        return None
    if answer in YES:
        return True
    if answer in NO:
        return False
    raise UserError(f"row {at}, column F (OK): `{_quoted(text)}` is neither yes nor no; put x "
                    "for OK, or leave it empty and write the correction in column G", path, at)


def read_answers(path: Path, lang: str) -> tuple[str, str, list[Answer]]:
    """The sheet's leaflet, the reviewer's name and answers; a sheet for another language
    is refused."""
    with open_xlsx(path, "review sheet", data_only=False) as book:
        if SHEET not in book.sheetnames or ABOUT not in book.sheetnames:
            raise UserError("this is not a review sheet of the kit (it has no `Review` and "
                            "`About` sheets); make one with `python build.py review-sheet "
                            f"{lang}`", path)
        about = {_text(r[0].value): _text(r[1].value)
                 for r in bounded_rows(book[ABOUT], 10, 2, path, "review sheet") if len(r) == 2}
        made_for = about.get("language", "")
        # Sheets made before the kit had more than one leaflet were of its first.
        leaflet = about.get("leaflet") or FIRST_LEAFLET
        if made_for != lang:
            raise UserError(f"this review sheet is for `{made_for}` "
                            f"({language_name(made_for) if made_for else 'no language'}), not "
                            f"`{lang}`; import it with `review-import {made_for} FILE`", path)
        rows = list(bounded_rows(book[SHEET], MAX_SHEET_ROWS, FINGERPRINT_COLUMN, path,
                                 "review sheet"))
    rows += [()] * (HEADER_ROW - len(rows))
    name = " ".join(_value(rows[NAME_ROW - 1], NAME_COLUMN, NAME_ROW, path).split())
    if not name:
        label = _text(rows[NAME_ROW - 1][0].value) if rows[NAME_ROW - 1] else ""
        raise UserError(f"the reviewer's name is missing: fill in cell {NAME_CELL} "
                        f"(\"{label}\")", path)
    problem = review.reviewer_problem(name)
    if problem:
        raise UserError(f"the reviewer's name in cell {NAME_CELL} {problem}", path)
    answers = []
    for at, cells in enumerate(rows[HEADER_ROW:], HEADER_ROW + 1):
        key = _value(cells, 2, at, path)
        if not key:
            continue
        comment = _value(cells, COMMENT_COLUMN, at, path)
        reason = character_problems(comment)
        if reason:
            raise UserError(f"row {at}, column H (Comment): {reason}", path, at)
        answers.append(Answer(
            row=at, key=key, fingerprint=_value(cells, FINGERPRINT_COLUMN, at, path),
            dutch=_value(cells, DUTCH_COLUMN, at, path),
            translation=_value(cells, TRANSLATION_COLUMN, at, path),
            ok=_ok(_value(cells, OK_COLUMN, at, path), at, path),
            correction=_value(cells, CORRECTION_COLUMN, at, path), comment=comment,
        ))
    return leaflet, name, answers


@dataclass
class Outcome:
    reviewed: int = 0
    corrected: int = 0
    comments: int = 0
    unanswered: int = 0
    rejected: int = 0  # marked not OK without a correction: passed on to the translator


def _same(a: str, b: str) -> bool:
    """Equal but for spacing, which a spreadsheet may change when it saves a cell."""
    return a.split() == b.split()


def _shown(message: Message) -> str:
    """The translation as the sheet showed it (rows_of)."""
    return str(message.string) if review.state(message) != review.UNTRANSLATED else ""


def corrections(answers: list[Answer], by_key: dict[str, Message], path: Path) -> list[Answer]:
    """The answers, with a correction typed over column D taken as the correction.

    Only rows whose text is still the catalog's can be compared; an edited
    Dutch text is refused, as the Dutch is not the reviewer's to change.
    """
    result = []
    for answer in answers:
        message = by_key[answer.key]
        if not _same(answer.dutch, str(message.id)):
            raise UserError(f"row {answer.row}, column C: the Dutch text was changed; the kit "
                            "cannot take a change to the Dutch from a review sheet: undo it "
                            "(a remark on the Dutch goes under Comment)", path, answer.row)
        typed = answer.translation
        if not _same(typed, _shown(message)):
            if answer.correction and not _same(answer.correction, typed):
                raise UserError(f"row {answer.row}: the translation in column D was changed "
                                "and a correction given in column G; keep column D as it was "
                                "and write the correction in column G only", path, answer.row)
            answer = dataclasses.replace(answer, correction=typed)
        result.append(answer)
    return result


def apply_answers(catalog: Catalog, name: str, answers: list[Answer], path: Path,
                  today: datetime.date) -> Outcome:
    """Corrections and review marks into the catalog; any outdated or bad row refuses all.

    Only the rows the reviewer answered must be current: another reviewer's
    import since the sheet was made changes only the messages it corrected.
    """
    by_key: dict[str, Message] = {m.context or "": m for m in catalog if m.id}
    current = [a for a in answers
               if a.key in by_key and review.message_fingerprint(by_key[a.key]) == a.fingerprint]
    rows = {a.row for a in current}
    outdated = [a for a in answers if a.row not in rows and a.answered]
    if outdated:
        first = outdated[0]
        raise UserError(
            f"the sheet is out of date: {len(outdated)} of the texts it answers changed in the "
            f"catalog since it was made (the first: `{first.key}`, row {first.row}); make a new "
            "sheet with `python build.py review-sheet` and copy the reviewer's answers over",
            path, first.row)
    answers = corrections(current, by_key, path)
    for answer in answers:
        if answer.correction:
            reason = compare(str(by_key[answer.key].id), answer.correction)
            if reason:
                raise UserError(f"the correction of `{answer.key}` (row {answer.row}, column "
                                f"G): {reason}", path, answer.row)
    outcome = Outcome(unanswered=len(answers) - sum(a.answered for a in answers))
    for answer in (a for a in answers if a.answered):
        message = by_key[answer.key]
        comment = answer.comment
        if answer.ok is False and not answer.correction:
            # "No" without a better text: the translator must know, and nothing is approved.
            comment = f"not OK: {comment}" if comment else "not OK (no correction given)"
            outcome.rejected += 1
        if comment:
            review.add_review_comment(message, name, comment)
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
    leaflet, name, answers = read_answers(sheet, lang)
    loaded = _catalog(locales, lang, leaflet)
    outcome = apply_answers(loaded.catalog, name, answers, sheet, datetime.date.today())
    # The answers changed messages shared with each file's own catalog.
    for path, catalog in loaded.parts.items():
        catalogs.write_catalog(catalog, path)
    print(f"{display_path(loaded.path)} and {display_path(loaded.kit_path or loaded.path)}: "
          f"{outcome.reviewed} texts reviewed by {name} "
          f"({outcome.corrected} corrected), {outcome.comments} comments for the translator, "
          f"{outcome.rejected} marked not OK without a correction, "
          f"{outcome.unanswered} not yet reviewed")
    return outcome
