"""End to end: one full strict build, inspected by many tests."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, run_build
from pypdf import PdfReader

from kit.sources.catalogs import discover_catalogs
from kit.sources.content import load_content

MM = 72 / 25.4
SIZES = {"A5": (148, 210), "A4": (210, 297), "A3": (297, 420)}


def normalise(text: str) -> str:
    """Text compared without whitespace, soft hyphens or hyphenation breaks."""
    text = text.replace("\u00ad", "").replace("-\n", "").replace("‐\n", "")
    return re.sub(r"\s+", "", text)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_manifest_matches_the_files(full_build: Path, manifest: list[dict]) -> None:
    translations = len(discover_catalogs(ROOT / "locales"))
    assert translations >= 24
    assert len(manifest) == (1 + translations * 2) * 3 * 3
    for entry in manifest:
        path = full_build / entry["path"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
        assert len(PdfReader(path).pages) == entry["pages"]
        assert entry["product"] in {"brochure", "poster"}
        assert entry["edition"] in {"print", "office", "screen"}
        assert entry["languages"][0] == "nl" or len(entry["languages"]) == 1
        assert entry["stale"] is False
    bilingual = [e for e in manifest if len(e["languages"]) == 2]
    assert {tuple(e["languages"]) for e in bilingual} >= {("nl", "ar"), ("nl", "ti")}


def test_dutch_brochure_contains_every_piece_of_advice(full_build: Path) -> None:
    text = normalise(pdf_text(full_build / "cyberpesten/screen/nl/brochure-a5.pdf"))
    content = load_content(ROOT / "content")
    # The kit's words and the parent-app messages (sent, not printed) aside.
    sent = set(content.document.app_messages.values())
    for item in content.texts():
        if item.key.startswith("kit.") or item in sent:
            continue
        assert normalise(item.source) in text, item.key
    source = (ROOT.parent / "shared/source/000_b603d14235013019.txt")
    if source.exists():  # the publisher's page itself, where the checkout has it
        advice = source.read_text(encoding="utf-8").split("Extra informatie")[0]
        for line in advice.splitlines():
            line = line.strip().lstrip("•").strip()
            if line and line != "Naar boven":
                assert normalise(line) in text, line


def test_pages_have_the_declared_size(full_build: Path, manifest: list[dict]) -> None:
    for entry in manifest:
        reader = PdfReader(full_build / entry["path"])
        width, height = SIZES[entry["paper"]]
        if entry["imposed"]:
            width, height = 297, 210
        for page in reader.pages:
            box = page.trimbox if entry["edition"] == "print" else page.mediabox
            assert abs(float(box.width) / MM - width) < 0.5, entry["path"]
            assert abs(float(box.height) / MM - height) < 0.5, entry["path"]


def test_posters_are_one_page(manifest: list[dict]) -> None:
    posters = [e for e in manifest if e["product"] == "poster"]
    assert posters and all(e["pages"] == 1 for e in posters)


def test_preflight_passes_on_every_file(full_build: Path) -> None:
    result = run_build("check", "--output", str(full_build))
    assert result.returncode == 0, result.stdout[-4000:]
    assert "0 problems" in result.stdout


def test_right_to_left_text_reads_in_logical_order(full_build: Path) -> None:
    """As a screen reader reads it (the structure tree) and as poppler extracts it."""
    import pikepdf

    from kit.pdf.reading import reading_text
    from kit.sources.catalogs import catalog_path, read_catalog

    path = full_build / "cyberpesten/screen/ar/brochure-a5.pdf"
    catalog = read_catalog(catalog_path(ROOT / "locales", "ar", "cyberpesten"), "ar")
    heading = catalog.translation("vuistregels", "Twee vuistregels")
    with pikepdf.open(path) as pdf:
        spoken = reading_text(pdf)
    extracted = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                               capture_output=True, text=True, check=True).stdout
    assert heading and normalise(heading) in normalise(spoken)
    assert normalise(heading) in normalise(extracted)


def test_bilingual_pages_carry_both_languages(full_build: Path) -> None:
    reader = PdfReader(full_build / "cyberpesten/screen/nl-ar/brochure-a5.pdf")
    for page in reader.pages[1:-1]:
        text = page.extract_text() or ""
        if not text.strip():
            continue
        assert re.search(r"[a-z]{4}", text) and re.search(r"[\u0600-\u06ff]{3}", text)
    poster = PdfReader(full_build / "cyberpesten/screen/nl-ti/poster-a3.pdf").pages[0]
    poster = poster.extract_text()
    assert "vuistregels" in poster and re.search(r"[\u1200-\u137f]{3}", poster)


def test_second_build_renders_nothing(full_build: Path) -> None:
    result = run_build("--strict", "--output", str(full_build))
    assert result.returncode == 0, result.stderr
    assert ", 0 to render," in result.stdout


def test_stale_language_keeps_its_outputs(full_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(full_build, out)
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales)
    po = locales / "tr/LC_MESSAGES/cyberpesten.po"
    text = po.read_text(encoding="utf-8")
    # An untranslated entry: the language falls below 100 %.
    entry = r'(msgctxt "aanpakken.dader.punten.waarom"\nmsgid "[^"]*"\nmsgstr )"[^"]*"'
    po.write_text(re.sub(entry, r'\1""', text), encoding="utf-8")
    before = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    # Strict like the build it copies: only the stale language is news.
    result = run_build("--strict", "--locales", str(locales), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert "aanpakken.dader.punten.waarom" in result.stderr
    assert "its previous files are kept and marked stale" in result.stderr
    # Asked for by name, it is an error that says what to do.
    named = run_build("--lang", "tr", "--locales", str(locales), "--output", str(out))
    assert named.returncode == 2
    total = len(list(load_content(ROOT / "content").texts()))
    assert named.stderr.strip() == (
        f"error: `tr` is {(total - 1) / total:.0%} translated, below the 100% threshold: "
        "translate the 1 missing or "
        "fuzzy messages in " + str(po) + " (`status` counts them), or build it with Dutch for "
        "what is missing by lowering --threshold"
    )
    after = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    turkish = [e for e in after if "tr" in e["languages"]]
    assert len(turkish) == len([e for e in before if "tr" in e["languages"]]) == 18
    assert all(e["stale"] for e in turkish)
    assert all((out / e["path"]).exists() for e in turkish)


@pytest.mark.parametrize("args", [["--product", "leaflet"], ["--lang", "xx"]])
def test_unknown_product_or_language_is_a_user_error(args: list[str]) -> None:
    result = run_build(*args, "--list")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_qpdf_command_line_check_passes_on_every_file(full_build: Path) -> None:
    """The preflight runs qpdf's check through pikepdf; the qpdf tool itself agrees."""
    for path in sorted(full_build.rglob("*.pdf")):
        result = subprocess.run(
            ["qpdf", "--check", str(path)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, (path, result.stdout[-500:], result.stderr[-500:])


# --- what the reviewers asked for -------------------------------------------------


def poppler_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return subprocess.run(
        ["pdftotext", *pages, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_dates_and_page_numbers_as_each_community_writes_them(full_build: Path) -> None:
    persian = poppler_text(full_build / "cyberpesten/print/fa/brochure-a5.pdf")
    # The edition date in Persian digits (poppler prints its words right to left).
    assert re.search(r"۲۰۲۶\W+نوامبر\W*۲۴", persian)
    assert re.search(
        r"^\W*۲\W*$",
        poppler_text(full_build / "cyberpesten/print/fa/brochure-a5.pdf", 2, 2),
        re.MULTILINE,
    )  # page 2's number
    assert "24 November 2026" in poppler_text(full_build / "cyberpesten/print/en/brochure-a5.pdf")
    assert "November 24" not in poppler_text(full_build / "cyberpesten/print/en/brochure-a5.pdf")
    assert "(ግሪጎርያዊ ዓውደ ኣዋርሕ)" in poppler_text(full_build / "cyberpesten/print/ti/brochure-a5.pdf")


def test_joined_scripts_are_never_letter_spaced(full_build: Path) -> None:
    from kit.sources.catalogs import catalog_path, read_catalog

    catalog = read_catalog(catalog_path(ROOT / "locales", "ar", "kit"), "ar")
    cover_line = catalog.translation("kit.cover-audience", "Informatie voor ouders")
    cover = poppler_text(full_build / "cyberpesten/print/ar/brochure-a5.pdf", 1, 1)
    # Letter-spaced Arabic extracts as loose letters ("ل أولياء ا ل أمور").
    assert cover_line and cover_line in cover


def hyphenated(text: str) -> list[tuple[str, str]]:
    """Word fragments around every line that ends in a hyphen."""
    return re.findall(r"(\w+)[-‐]\n(\w+)", text)


def test_screen_text_copies_as_whole_words(full_build: Path) -> None:
    for lang in ("fr", "ro", "de", "nl"):
        text = poppler_text(full_build / f"cyberpesten/screen/{lang}/brochure-a5.pdf")
        for before, after in hyphenated(text):
            # Only a hyphen that is part of the word itself may end a line.
            assert f"{before}-{after}" in text.replace("-\n", "-").replace("‐\n", "-"), (
                lang,
                before,
                after,
            )
            assert re.search(rf"{before}-{after}", _sources(lang)), (lang, before, after)


def _sources(lang: str) -> str:
    from kit.sources.catalogs import catalog_path, read_catalog

    if lang == "nl":
        return " ".join(t.source for t in load_content(ROOT / "content").texts())
    catalog = read_catalog(catalog_path(ROOT / "locales", lang, "cyberpesten"), lang).catalog
    return " ".join(str(m.string) for m in catalog if m.id)


def test_printed_hyphenation_leaves_no_short_fragment(full_build: Path) -> None:
    for lang in ("fr", "ro", "de", "nl"):
        text = poppler_text(full_build / f"cyberpesten/print/{lang}/brochure-a5.pdf")
        for before, after in hyphenated(text):
            if re.search(rf"{before}-{after}", _sources(lang)):
                continue  # a hyphen of the word itself
            assert len(before) >= 3 and len(after) >= 4, (lang, before, after)


def test_inserted_latin_keeps_its_order_in_right_to_left_lines(full_build: Path) -> None:
    """The Dutch title in a Persian credit line: isolated, its "?" inside the quotes.

    It is a span marked Dutch, so a screen reader reads it with a Dutch voice.
    """
    html_title = "\u2068Wat kan ik als ouder doen bij cyberpesten?\u200e\u2069"
    from kit.plan import LeafletPlan, plan
    from kit.render import make_environment, render_html
    from kit.translations import load_languages, translations_for

    content = load_content(ROOT / "content")
    states = load_languages(content, ROOT / "locales", ["nl", "fa"])
    job = next(
        j
        for j in plan([LeafletPlan("cyberpesten", ["fa"], True)], ["poster"], ["print"])
        if j.languages == ("fa",)
    )
    html = render_html(
        make_environment(), content, job, translations_for(content, states, job.languages)
    )
    assert f'«<span lang="nl">{html_title}</span>»' in html
