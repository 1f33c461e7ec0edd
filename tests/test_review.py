"""Per-message review state, review sheets out and back in, and standard catalogs."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from conftest import ROOT, run_build
from openpyxl import load_workbook

from kit import reviewing
from kit.errors import UserError
from kit.sources import catalogs, review
from kit.sources.catalogs import catalog_path, read_catalog, read_language
from kit.sources.content import load_content
from kit.version import kit_version

TODAY = datetime.date(2026, 11, 25)
LANGS = sorted(catalogs.discover_catalogs(ROOT / "locales"))


def message(string: str = "Bonjour", source: str = "Hallo", context: str = "a.b") -> Message:
    return Message(source, string, context=context)


# --- one message -----------------------------------------------------------------


def test_a_message_is_reviewed_until_its_translation_changes() -> None:
    m = message()
    assert review.state(m) == review.TRANSLATED
    review.mark_reviewed(m, "Anna Example", TODAY)
    assert review.state(m) == review.REVIEWED_STATE
    assert review.review_mark(m) == review.Mark("Anna Example", TODAY,
                                                review.message_fingerprint(m))
    m.string = "Salut"  # a translator edits the text after the review
    assert review.state(m) == review.OUT_OF_DATE
    review.mark_reviewed(m, "Bert", TODAY)
    assert review.state(m) == review.REVIEWED_STATE
    assert sum(c.startswith("reviewed:") for c in m.user_comments) == 1


def test_a_fuzzy_or_empty_message_is_never_reviewed() -> None:
    m = message()
    review.mark_reviewed(m, "Anna", TODAY)
    m.flags.add("fuzzy")
    assert review.state(m) == review.OUT_OF_DATE
    assert review.state(message(string="  ")) == review.UNTRANSLATED
    assert review.state(None) == review.UNTRANSLATED


def test_marks_wrapped_over_several_comment_lines_are_read_whole() -> None:
    m = message()
    m.user_comments = ["a translator's own note", "back-translation: Good day, said to",
                       "someone you do not know", "reviewed: Anna Example, 2026-11-25,",
                       review.message_fingerprint(m)]
    assert review.back_translation(m) == "Good day, said to someone you do not know"
    assert review.state(m) == review.REVIEWED_STATE
    review.add_review_comment(m, "Anna Example", "Fine,\n but formal.")
    assert m.user_comments[0] == "a translator's own note"
    assert m.user_comments[-1] == "review-comment: Anna Example: Fine, but formal."


def test_a_dutch_change_makes_the_message_fuzzy_and_unreviewed() -> None:
    old = Catalog(locale="fr")
    old.add("Hallo", "Bonjour", context="a.b")
    review.mark_reviewed(old.get("Hallo", context="a.b"), "Anna", TODAY)
    template = Catalog()
    template.add("Hallo allemaal", context="a.b")
    merged = catalogs.merge(template, old)
    changed = merged.get("Hallo allemaal", context="a.b")
    assert changed.fuzzy and review.state(changed) == review.OUT_OF_DATE
    assert catalogs.summarize_review(merged).status == "draft"


def test_a_language_is_reviewed_only_when_every_message_is() -> None:
    catalog = Catalog(locale="fr")
    catalog.add("Hallo", "Bonjour", context="a")
    catalog.add("Dag", "Au revoir", context="b")
    review.mark_reviewed(catalog.get("Hallo", context="a"), "Anna", TODAY)
    assert catalogs.summarize_review(catalog) == catalogs.Review()
    review.mark_reviewed(catalog.get("Dag", context="b"), "Bert", TODAY)
    assert catalogs.summarize_review(catalog) == catalogs.Review("reviewed", "Anna, Bert", TODAY)


# --- the sheet out and back in ---------------------------------------------------------


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    target = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", target)
    return target


@pytest.fixture(scope="module")
def content():
    return load_content(ROOT / "content")


def make_sheet(content, locales: Path, lang: str, folder: Path) -> tuple[Path, Path]:
    return reviewing.write_sheets(content, ROOT / "content", locales, lang, folder)


def fill(sheet: Path, target: Path, name: str | None, answers: dict[int, tuple]) -> Path:
    """Answer rows (1-based message numbers) with (ok, correction, comment)."""
    book = load_workbook(sheet)
    ws = book[reviewing.SHEET]
    if name is not None:
        ws[reviewing.NAME_CELL] = name
    for number, (ok, correction, comment) in answers.items():
        row = reviewing.HEADER_ROW + number
        ws.cell(row, 6, ok)
        ws.cell(row, 7, correction)
        ws.cell(row, 8, comment)
    book.save(target)
    return target


def test_the_instructions_are_given_in_the_reviewer_s_language_too(content, locales: Path,
                                                                   tmp_path: Path) -> None:
    """A reviewer is a native speaker of the language under review, not always of Dutch."""
    loaded = read_language(locales, "tr", "cyberpesten")
    label = content.label("review-intro")
    own = loaded.translation(label.key, label.source)
    assert own, "the catalog has no translation of the instructions"
    xlsx, pdf = make_sheet(content, locales, "tr", tmp_path)
    ws = load_workbook(xlsx)[reviewing.SHEET]
    assert ws.cell(reviewing.OWN_INTRO_ROW, 1).value == own
    assert "{braces}" in ws.cell(4, 1).value  # what text in braces is, in English and Dutch
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    assert " ".join(own.split()[:6]) in text


def test_the_sheet_lists_every_message_with_its_back_translation(content, locales: Path,
                                                                 tmp_path: Path) -> None:
    xlsx, pdf = make_sheet(content, locales, "ar", tmp_path)
    ws = load_workbook(xlsx)[reviewing.SHEET]
    rows = [r for r in ws.iter_rows(min_row=reviewing.HEADER_ROW + 1, values_only=True) if r[1]]
    texts = list(content.texts())
    assert [r[1] for r in rows] == [t.key for t in texts]
    assert [r[2] for r in rows] == [t.source for t in texts]
    loaded = read_language(locales, "ar", "cyberpesten")
    first = loaded.catalog.get(texts[0].source, context=texts[0].key)
    assert rows[0][3] == first.string
    assert rows[0][4] == review.back_translation(first) != ""
    assert all(r[5] is None and r[6] is None and r[7] is None for r in rows)
    # The printable sheet: the Dutch and the Arabic of a message, readable.
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Cyberpesten voorkomen" in text
    assert "الوقاية من التنمر الإلكتروني" in text


def test_an_imported_sheet_corrects_and_marks_messages(content, locales: Path,
                                                       tmp_path: Path) -> None:
    xlsx, _ = make_sheet(content, locales, "fr", tmp_path)
    texts = list(content.texts())
    answers = {n: ("x", None, None) for n in range(1, len(texts) + 1)}
    answers[2] = (None, "Prévenir le cyberharcèlement", None)
    answers[3] = ("x", None, "Phrase un peu longue.")
    answers[4] = (None, None, None)  # left for later
    filled = fill(xlsx, tmp_path / "back.xlsx", "Anna Example", answers)
    outcome = reviewing.import_sheet(locales, "fr", filled)
    assert (outcome.reviewed, outcome.corrected, outcome.comments, outcome.unanswered) == (
        len(texts) - 1, 1, 1, 1)
    loaded = read_language(locales, "fr", "cyberpesten")
    corrected = loaded.catalog.get(texts[1].source, context=texts[1].key)
    assert corrected.string == "Prévenir le cyberharcèlement"
    assert review.state(corrected) == review.REVIEWED_STATE
    assert any(c.startswith("review-comment: Anna Example: Phrase")
               for c in loaded.catalog.get(texts[2].source, context=texts[2].key).user_comments)
    assert loaded.review.status == "draft"  # one message is not reviewed yet
    header = catalog_path(locales, "fr", "cyberpesten").read_text(encoding="utf-8").split("\n\n")[0]
    assert '"X-Reviewed-By: Anna Example\\n"' in header
    status = run_build("status", "--locales", str(locales)).stdout
    assert re.search(rf"^cyberpesten +fr +{len(texts)}/{len(texts)} +{len(texts) - 1} +0 ", status,
                     re.MULTILINE), status

    # The last message reviewed: the language is reviewed, and says so when printed.
    again, _ = make_sheet(content, locales, "fr", tmp_path / "again")
    reviewing.import_sheet(locales, "fr", fill(again, tmp_path / "b2.xlsx", "Bert",
                                               {4: ("ok", None, None)}))
    loaded = read_language(locales, "fr", "cyberpesten")
    assert loaded.review.status == "reviewed"
    assert loaded.review.reviewer == "Anna Example, Bert"


def test_a_sheet_for_another_language_is_refused(content, locales: Path, tmp_path: Path) -> None:
    xlsx, _ = make_sheet(content, locales, "fr", tmp_path)
    filled = fill(xlsx, tmp_path / "back.xlsx", "Anna", {1: ("x", None, None)})
    with pytest.raises(UserError, match=r"this review sheet is for `fr` \(French\), not `de`"):
        reviewing.import_sheet(locales, "de", filled)


def test_an_outdated_sheet_is_refused_and_the_catalog_kept(content, locales: Path,
                                                          tmp_path: Path) -> None:
    xlsx, _ = make_sheet(content, locales, "de", tmp_path)
    path = catalog_path(locales, "de", "cyberpesten")
    loaded = read_catalog(path, "de")
    first = next(iter(content.texts()))
    loaded.catalog.get(first.source, context=first.key).string = "Ein neuer Titel?"
    catalogs.write_catalog(loaded.catalog, path)
    before = path.read_bytes()
    filled = fill(xlsx, tmp_path / "back.xlsx", "Anna", {1: ("x", None, None)})
    with pytest.raises(UserError, match="the sheet is out of date: 1 of the texts it answers "
                                        "changed"):
        reviewing.import_sheet(locales, "de", filled)
    assert path.read_bytes() == before


def test_a_sheet_without_a_name_or_with_a_broken_correction_is_refused(
        content, locales: Path, tmp_path: Path) -> None:
    xlsx, _ = make_sheet(content, locales, "de", tmp_path)
    path = catalog_path(locales, "de", "cyberpesten")
    before = path.read_bytes()
    nameless = fill(xlsx, tmp_path / "a.xlsx", None, {1: ("x", None, None)})
    with pytest.raises(UserError, match="the reviewer's name is missing: fill in cell C5"):
        reviewing.import_sheet(locales, "de", nameless)
    keys = [t.key for t in content.texts()]
    number = keys.index("kit.edition") + 1  # "Uitgave van {date}"
    broken = fill(xlsx, tmp_path / "b.xlsx", "Anna", {number: (None, "Ausgabe vom", None)})
    with pytest.raises(UserError, match=r"correction of `kit.edition` \(row \d+, column G\)"):
        reviewing.import_sheet(locales, "de", broken)
    assert path.read_bytes() == before


def test_a_name_with_quotes_and_backslashes_keeps_the_catalog_valid(
        content, locales: Path, tmp_path: Path) -> None:
    xlsx, _ = make_sheet(content, locales, "fr", tmp_path)
    name = 'Anna "Annie" Peeters \\ Ségolène'
    reviewing.import_sheet(locales, "fr", fill(xlsx, tmp_path / "back.xlsx", name,
                                               {1: ("x", None, None)}))
    path = catalog_path(locales, "fr", "cyberpesten")
    assert catalogs.msgfmt_check(path) is None
    loaded = read_catalog(path, "fr")
    first = next(iter(content.texts()))
    mark = review.review_mark(loaded.catalog.get(first.source, context=first.key))
    assert mark is not None and mark.reviewer == name


@pytest.mark.parametrize(("name", "problem"), [
    ("Anna \u202ePeeters", "contains the direction control U+202E; remove it"),
    ("Anna \u200fPeeters", "contains the direction control U+200F; remove it"),
    ("A" * 6000, "is 6000 characters long; at most 200 fit the colophon"),
    ("Anna \U0001F600", "contains U+1F600 (\U0001F600), which the kit's fonts cannot draw; "
                        "write it in Latin, Cyrillic or Greek letters"),
    ("\u0622\u0646\u0627", "contains U+0622 (\u0622) U+0627 (\u0627) U+0646 (\u0646), which the "
                      "kit's fonts cannot draw; write it in Latin, Cyrillic or Greek letters"),
], ids=["override", "mark", "long", "emoji", "arabic letters"])
def test_a_name_that_cannot_be_printed_is_refused(content, locales: Path, tmp_path: Path,
                                                  name: str, problem: str) -> None:
    xlsx, _ = make_sheet(content, locales, "fr", tmp_path)
    path = catalog_path(locales, "fr", "cyberpesten")
    before = path.read_bytes()
    filled = fill(xlsx, tmp_path / "back.xlsx", name, {1: ("x", None, None)})
    with pytest.raises(UserError) as caught:
        reviewing.import_sheet(locales, "fr", filled)
    assert caught.value.message == f"the reviewer's name in cell C5 {problem}"
    assert path.read_bytes() == before


def test_a_translation_like_a_formula_stays_text_in_the_sheet(content, locales: Path,
                                                              tmp_path: Path) -> None:
    path = catalog_path(locales, "fr", "cyberpesten")
    loaded = read_catalog(path, "fr")
    first = next(iter(content.texts()))
    loaded.catalog.get(first.source, context=first.key).string = '=HYPERLINK("http://x.example")'
    catalogs.write_catalog(loaded.catalog, path)
    xlsx, _ = make_sheet(content, locales, "fr", tmp_path)
    ws = load_workbook(xlsx)[reviewing.SHEET]
    row = reviewing.HEADER_ROW + 1
    assert ws.cell(row, 4).data_type == "s"
    assert ws.cell(row, 4).value == '=HYPERLINK("http://x.example")'
    # What a reviewer types under OK, Correction and Comment is text to Excel, `=` and all.
    assert {ws.cell(row, c).number_format for c in (6, 7, 8)} == {"@"}
    assert ws[reviewing.NAME_CELL].number_format == "@"


def test_a_correction_typed_over_the_translation_is_taken(content, locales: Path,
                                                         tmp_path: Path) -> None:
    xlsx, _ = make_sheet(content, locales, "fr", tmp_path)
    book = load_workbook(xlsx)
    book[reviewing.SHEET].cell(reviewing.HEADER_ROW + 2, 4, "Prévenir le harcèlement en ligne")
    book.save(tmp_path / "back.xlsx")
    filled = fill(tmp_path / "back.xlsx", tmp_path / "back.xlsx", "Anna", {})
    outcome = reviewing.import_sheet(locales, "fr", filled)
    assert (outcome.reviewed, outcome.corrected) == (1, 1)
    second = list(content.texts())[1]
    loaded = read_language(locales, "fr", "cyberpesten")
    assert loaded.catalog.get(second.source, context=second.key).string == (
        "Prévenir le harcèlement en ligne")


def test_no_under_ok_is_passed_on_and_an_unknown_answer_refused(content, locales: Path,
                                                                tmp_path: Path) -> None:
    xlsx, _ = make_sheet(content, locales, "fr", tmp_path)
    filled = fill(xlsx, tmp_path / "a.xlsx", "Anna", {1: ("nee", None, None),
                                                      2: ("No", None, "Too formal.")})
    outcome = reviewing.import_sheet(locales, "fr", filled)
    assert (outcome.reviewed, outcome.rejected, outcome.comments) == (0, 2, 2)
    loaded = read_language(locales, "fr", "cyberpesten")
    texts = list(content.texts())
    comments = [loaded.catalog.get(t.source, context=t.key).user_comments for t in texts[:2]]
    assert "review-comment: Anna: not OK (no correction given)" in comments[0]
    assert "review-comment: Anna: not OK: Too formal." in comments[1]
    assert all(review.review_mark(loaded.catalog.get(t.source, context=t.key)) is None
               for t in texts[:2])
    path = catalog_path(locales, "fr", "cyberpesten")
    before = path.read_bytes()
    nope = fill(xlsx, tmp_path / "b.xlsx", "Anna", {3: ("nope", None, None)})
    with pytest.raises(UserError) as caught:
        reviewing.import_sheet(locales, "fr", nope)
    assert str(caught.value).endswith(
        "b.xlsx:11: row 11, column F (OK): `nope` is neither yes nor no; put x for OK, or "
        "leave it empty and write the correction in column G")
    assert path.read_bytes() == before


def test_a_second_reviewer_s_sheet_is_taken_unless_it_answers_a_changed_text(
        content, locales: Path, tmp_path: Path) -> None:
    first, _ = make_sheet(content, locales, "fr", tmp_path / "a")
    second, _ = make_sheet(content, locales, "fr", tmp_path / "b")
    reviewing.import_sheet(locales, "fr", fill(first, tmp_path / "a.xlsx", "Anna", {
        1: ("x", None, None), 2: (None, "Prévenir le cyberharcèlement !", None)}))
    outcome = reviewing.import_sheet(locales, "fr", fill(second, tmp_path / "b.xlsx", "Bert",
                                                         {3: ("x", None, None)}))
    assert outcome.reviewed == 1
    path = catalog_path(locales, "fr", "cyberpesten")
    before = path.read_bytes()
    clash = fill(second, tmp_path / "c.xlsx", "Bert", {2: ("x", None, None)})
    with pytest.raises(UserError, match=r"1 of the texts it answers changed .* row 10\)"):
        reviewing.import_sheet(locales, "fr", clash)
    assert path.read_bytes() == before


@pytest.mark.parametrize(("column", "value", "error"), [
    (7, "=SUM(1,2)", "row 9, column G: the cell holds a formula (`=SUM(1,2)`); type the text "
                     "itself"),
    (3, "Iets anders", "row 9, column C: the Dutch text was changed; the kit cannot take a "
                       "change to the Dutch from a review sheet: undo it (a remark on the Dutch "
                       "goes under Comment)"),
    (8, "a\u202eb", "row 9, column H (Comment): the bidi control character U+202E is not "
                     "allowed; remove it"),
], ids=["formula", "dutch edited", "bidi in a comment"])
def test_a_sheet_with_a_bad_cell_is_refused(content, locales: Path, tmp_path: Path,
                                            column: int, value: str, error: str) -> None:
    xlsx, _ = make_sheet(content, locales, "fr", tmp_path)
    book = load_workbook(xlsx)
    book[reviewing.SHEET].cell(reviewing.HEADER_ROW + 1, column, value)
    book.save(tmp_path / "back.xlsx")
    filled = fill(tmp_path / "back.xlsx", tmp_path / "back.xlsx", "Anna", {})
    path = catalog_path(locales, "fr", "cyberpesten")
    before = path.read_bytes()
    with pytest.raises(UserError) as caught:
        reviewing.import_sheet(locales, "fr", filled)
    assert caught.value.message == error and caught.value.line == 9
    assert path.read_bytes() == before


def test_review_commands_report_bad_input_in_one_line(locales: Path, tmp_path: Path) -> None:
    not_a_sheet = tmp_path / "notes.xlsx"
    not_a_sheet.write_text("hello", encoding="utf-8")
    result = run_build("review-import", "de", str(not_a_sheet), "--locales", str(locales))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "notes.xlsx" in result.stderr
    result = run_build("review-sheet", "nl", "--locales", str(locales))
    assert result.returncode == 2 and "Dutch is the source text" in result.stderr


def test_reviews_survive_pybabel_update(locales: Path) -> None:
    """Translator comments are what every PO tool keeps, Babel's own update included."""
    path = catalog_path(locales, "de", "cyberpesten")
    loaded = read_catalog(path, "de")
    for m in loaded.catalog:
        if m.id:
            review.mark_reviewed(m, "Anna Beispiel", TODAY)
    catalogs.write_catalog(loaded.catalog, path)
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "update", "-i",
         str(locales / "cyberpesten.pot"), "-d", str(locales), "-l", "de", "-D", "cyberpesten"],
        check=True, capture_output=True,
    )
    assert read_catalog(path, "de").review == catalogs.Review("reviewed", "Anna Beispiel", TODAY)


# --- standard catalogs --------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        ROOT / "locales/cyberpesten.pot",
        ROOT / "locales/kit.pot",
        *(catalog_path(ROOT / "locales", c, d) for c in LANGS for d in ("kit", "cyberpesten")),
    ],
    ids=lambda p: f"{p.parent.parent.name}-{p.stem}" if p.suffix == ".po" else p.stem,
)
def test_headers_carry_real_values(path: Path) -> None:
    header = path.read_text(encoding="utf-8").split("\n\n")[0]
    for placeholder in (
        "VERSION",
        "EMAIL@ADDRESS",
        "FULL NAME",
        "ORGANIZATION",
        "LANGUAGE <LL@li.org>",
        "YEAR-MO-DA",
    ):
        assert placeholder not in header
    assert f'"Project-Id-Version: cyberbullying-print-kit {kit_version()}\\n"' in header


# The checks translate-toolkit marks critical (translate/filters/checks: @critical).
CRITICAL = ("escapes", "newlines", "tabs", "printf", "pythonbraceformat", "variables", "xmltags")


def pofilter(path: Path, out: Path) -> str:
    args = [str(Path(sys.executable).parent / "pofilter"), "--nofuzzy", "--progress=none"]
    for test in CRITICAL:
        args += ["-t", test]
    subprocess.run([*args, str(path), str(out)], check=True, capture_output=True)
    return out.read_text(encoding="utf-8") if out.exists() else ""


@pytest.mark.parametrize("lang", LANGS)
def test_pofilter_finds_no_critical_failure(lang: str, tmp_path: Path) -> None:
    for domain in ("kit", "cyberpesten"):
        found = pofilter(catalog_path(ROOT / "locales", lang, domain), tmp_path / f"{domain}.po")
        assert "(pofilter)" not in found, found


def test_pofilter_catches_a_renamed_placeholder(locales: Path, tmp_path: Path) -> None:
    path = catalog_path(locales, "fr", "kit")
    text = path.read_text(encoding="utf-8")
    renamed = re.sub(r'(msgstr ".*)\{reviewer\}', r"\1{relecteur}", text, count=1)
    assert renamed != text
    path.write_text(renamed, encoding="utf-8")
    assert "(pofilter)" in pofilter(path, tmp_path / "found.po")


@pytest.mark.parametrize("lang", LANGS)
def test_msgfmt_check_and_pybabel_compile_are_clean(lang: str, tmp_path: Path) -> None:
    path = catalog_path(ROOT / "locales", lang, "cyberpesten")
    assert catalogs.msgfmt_check(path) is None
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "compile",
            "--statistics",
            "-i",
            str(path),
            "-o",
            str(tmp_path / "messages.mo"),
            "-l",
            lang,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr.lower()
