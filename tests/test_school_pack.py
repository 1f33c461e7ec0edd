"""End to end: school packs built from profiles, shared by the tests that inspect them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, run_build

from kit.pack import verify_pack
from kit.pdf.preflight import pdf_text
from kit.sources.school import load_school

KNOWN = ["fr", "en", "de", "ar", "tr", "pl", "ro", "bg", "ru", "uk", "fa", "ti"]
SECOND = """\
name: Sint-Jozefinstituut
slug: sint-jozef
address: Schoolstraat 1, 2000 Antwerpen
languages: []
contacts:
  - role: leerlingenbegeleider
    name: Jan Claes
    phone: +32 3 123 45 67
clb:
  name: CLB Antwerpen
  email: clb@antwerpen.example
"""


@pytest.fixture(scope="session")
def schools(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of profiles: the shipped example and a Dutch-only school."""
    folder = tmp_path_factory.mktemp("schools")
    shutil.copy(ROOT / "schools/example.yaml", folder)
    shutil.copy(ROOT / "schools/example-logo.svg", folder)
    (folder / "sint-jozef.yaml").write_text(SECOND, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def school_build(tmp_path_factory: pytest.TempPathFactory, schools: Path) -> Path:
    out = tmp_path_factory.mktemp("school-output")
    result = run_build("--strict", "--school", str(schools / "example.yaml"),
                       "--school", str(schools / "sint-jozef.yaml"), "--output", str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


def entries(out: Path) -> list[dict]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def flat(text: str) -> str:
    """Extracted text without layout: isolates, soft hyphens and line breaks removed."""
    text = re.sub("[\u2066-\u2069\u00ad]", "", text)
    return re.sub(r"\s+", " ", text.replace("-\n", "")).strip()


def test_every_file_of_a_pack_is_listed_with_its_school(school_build: Path) -> None:
    manifest = entries(school_build)
    example = [e for e in manifest if e["school"] == "example"]
    # nl + 6 translations alone and beside Dutch: 13 brochures; Dutch and
    # multilingual posters on A4 and A3; three editions each; the guide; the zip;
    # the four hand-offs (tests/test_handoff.py).
    assert len(example) == 13 * 3 + 2 * 2 * 3 + 1 + 1 + 4
    assert all(e["path"].startswith("schools/example/") for e in example)
    assert all((school_build / e["path"]).exists() for e in manifest)
    assert {e["school"] for e in manifest} == {"example", "sint-jozef"}


def test_the_zip_holds_exactly_the_pack(school_build: Path) -> None:
    manifest = entries(school_build)
    for entry in (e for e in manifest if e["product"] == "pack"):
        assert verify_pack(school_build, entry, manifest) == []


def test_preflight_passes_on_every_school_file(school_build: Path) -> None:
    result = run_build("check", "--output", str(school_build))
    assert result.returncode == 0, result.stdout[-4000:]
    assert " 0 problems" in result.stdout


def drawn_text(path: Path) -> str:
    """The text in the order it is drawn: the document's reading order.

    pdftotext's default mode rebuilds columns from the positions on the page,
    and reads a right-to-left table's rows in an order of its own.
    """
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("langs", ["nl", "ar", "ti", "nl-ar"])
def test_brochure_holds_every_contact_in_order(school_build: Path, langs: str) -> None:
    school = load_school(ROOT / "schools/example.yaml", KNOWN)
    text = flat(
        drawn_text(school_build / f"schools/example/cyberpesten/screen/{langs}/brochure-a5.pdf")
    )
    expected = [school.name, school.address, school.website]
    for c in school.contacts:
        expected += [c.name, c.phone, c.email]  # hours: in each language (VAL001)
    expected += [school.clb.name, school.clb.phone, school.clb.email, school.clb.website]
    position = 0
    for value in filter(None, expected):
        found = text.find(value, position)
        assert found >= 0, f"{value!r} missing or out of order in {langs}"
        position = found + len(value)


_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">'
    r"([^<]+)</word>"
)


@pytest.mark.parametrize(("langs", "label_side"), [("nl", "left"), ("ar", "right"), ("ti", "left")])
def test_a_contact_s_label_stands_before_its_value_in_the_reading_direction(
    school_build: Path, langs: str, label_side: str
) -> None:
    """In Arabic or Persian the label stands at the right, next to its value."""
    email = "zorg@bs-delinde.be"
    path = school_build / f"schools/example/cyberpesten/screen/{langs}/brochure-a5.pdf"
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    page = next(p for p in bbox.split("<page ") if email in p)
    words = [(float(x0), float(y0), float(x1), word) for x0, y0, x1, word in _WORD.findall(page)]
    value = next(w for w in words if email in w[3])
    label = [w for w in words if abs(w[1] - value[1]) < 3 and w is not value]
    assert label, f"no label on the line of {email} in {langs}"
    if label_side == "right":
        assert min(w[0] for w in label) > value[2], (langs, label, value)
    else:
        assert max(w[2] for w in label) < value[0], (langs, label, value)
    # Beside it, not across the page: at most a third of the text width away.
    gap = (
        min(w[0] for w in label) - value[2]
        if label_side == "right"
        else value[0] - max(w[2] for w in label)
    )
    assert gap < 120, f"the label of {email} stands {gap:.0f} pt from it in {langs}"


def test_cover_carries_the_school_name_and_logo(school_build: Path) -> None:
    import pikepdf

    from kit.pdf.printready import rgb_to_cmyk

    green = (0x43 / 255, 0xA0 / 255, 0x47 / 255)  # the example logo's colour
    for edition, operator, values in (("screen", "rg", green), ("print", "k", rgb_to_cmyk(*green))):
        path = school_build / f"schools/example/cyberpesten/{edition}/ar/brochure-a5.pdf"
        assert "Basisschool De Linde" in flat(pdf_text(path)).split("\f")[0]
        with pikepdf.open(path) as pdf:
            colours = {
                tuple(round(float(v), 3) for v in operands)
                for operands, op in pikepdf.parse_content_stream(pdf.pages[0].obj)
                if str(op) == operator
            }
        # The SVG logo is drawn as vectors: in RGB on screen, in CMYK for the press.
        assert tuple(round(v, 3) for v in values) in colours, (edition, colours)


def test_multilingual_poster_has_every_language_on_one_page(school_build: Path) -> None:
    for paper in ("a3", "a4"):
        path = school_build / f"schools/example/cyberpesten/print/multilingual/poster-{paper}.pdf"
        text = pdf_text(path)
        assert text.count("\f") == 1  # one page
        assert re.search("[\u0600-\u06ff]{3}", text)  # Arabic
        assert re.search("[\u1200-\u137f]{3}", text)  # Tigrinya
        assert re.search("[\u0400-\u04ff]{3}", text)  # Ukrainian
        assert "Twee vuistregels" in text and "Sofie Verhaegen" in text


def test_printing_guide_names_the_school_and_its_languages(school_build: Path) -> None:
    text = flat(pdf_text(school_build / "schools/example/printing-guide.pdf"))
    assert "Drukwijzer voor Basisschool De Linde" in text
    assert "Arabisch: mappen ar en nl-ar" in text
    assert "brochure-a5-booklet.pdf" in text


def test_department_edition_is_not_touched_by_a_school_build(school_build: Path) -> None:
    assert not (school_build / "cyberpesten/print/nl").exists()
    assert all(e["path"].startswith("schools/") for e in entries(school_build))


def test_changed_profile_rebuilds_only_that_school(
    school_build: Path, schools: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(school_build, out)
    profile = tmp_path / "sint-jozef.yaml"
    profile.write_text(SECOND.replace("+32 3 123 45 67", "+32 3 765 43 21"), encoding="utf-8")
    result = run_build(
        "--strict",
        "--school",
        str(schools / "example.yaml"),
        "--school",
        str(profile),
        "--output",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    rendered = set(re.findall(r"^\[ *\d+/\d+\] (\S+)", result.stdout, re.MULTILINE))
    assert rendered and all(p.startswith("schools/sint-jozef/") for p in rendered)
    assert "765 43 21" in pdf_text(out / "schools/sint-jozef/cyberpesten/screen/nl/brochure-a5.pdf")
    manifest = entries(out)
    pack = next(e for e in manifest if e["path"] == "schools/sint-jozef/sint-jozef.zip")
    assert verify_pack(out, pack, manifest) == []


def longest_rule_translations(count: int) -> list[str]:
    """The languages whose rules of thumb are longest in characters."""
    from kit.sources.catalogs import catalog_path, read_catalog
    from kit.sources.content import load_content
    from kit.sources.languages import SOURCE_LANGUAGE, known_languages

    content = load_content(ROOT / "content")
    rules = list(content.document.rules.blocks)
    texts = [item.text for b in rules if b.kind == "list" for item in b.items]
    lengths = {}
    for code in known_languages():
        if code in {SOURCE_LANGUAGE, "ur"}:
            continue
        loaded = read_catalog(catalog_path(ROOT / "locales", code, "cyberpesten"), code)
        lengths[code] = sum(len(loaded.translation(t.key, t.source) or "") for t in texts)
    return sorted(lengths, key=lengths.get, reverse=True)[:count]


def test_hardest_multilingual_poster_fits_above_the_floor(tmp_path: Path) -> None:
    """The tallest boxes of the grid, each in a row of its own: one page, above the floor.

    Urdu's box is the tallest (Nastaliq's tall lines, not its length), then
    those of the longest translations; the grid's rows are as tall as their
    taller box, so Dutch beside Urdu, then the longest beside the third, then
    the second beside the fourth is the most a five-language poster can need.
    """
    first, second, third, fourth = longest_rule_translations(4)
    languages = ["ur", first, third, second, fourth]
    shutil.copy(ROOT / "schools/example-logo.svg", tmp_path)
    profile = tmp_path / "hardest.yaml"
    text = (ROOT / "schools/example.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^languages: .*$", f"languages: [{', '.join(languages)}]", text)
    text = re.sub(r"(?m)^(poster_languages|quantities): .*$", "", text)
    profile.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_build(
        "--strict",
        "--school",
        str(profile),
        "--product",
        "poster",
        "--edition",
        "print",
        "--output",
        str(out),
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    check = run_build("check", "--output", str(out))
    assert check.returncode == 0 and " 0 problems" in check.stdout, check.stdout[-2000:]
    assert (out / "schools/example/cyberpesten/print/multilingual/poster-a3.pdf").exists()


def test_floor_rule_fails_a_poster_set_too_small(school_build: Path, tmp_path: Path) -> None:
    """The preflight measures the rules' size in the file itself."""
    import pikepdf

    from kit.pdf import preflight
    from kit.plan import Output

    source = school_build / "schools/example/cyberpesten/print/multilingual/poster-a3.pdf"
    small = tmp_path / "small.pdf"
    with pikepdf.open(source) as pdf:
        page = pdf.pages[0]
        # Shrink everything on the page to 60 %: the letters too.
        page.contents_add(b"q 0.6 0 0 0.6 0 0 cm", prepend=True)
        page.contents_add(b"Q")
        pdf.save(small)
    output = Output("poster", "A3", ("nl", "ar", "tr", "uk", "ti", "fr"), "print", "example",
                    leaflet="cyberpesten")
    verdict = preflight.check_one(output, small, 1, 5)["floor"]
    assert verdict is not None and "below the 14 pt floor" in verdict
    assert preflight.check_one(output, source, 1, 5)["floor"] is None


# --- QR codes to the school's web edition -------------------------------------------------


def decode_qr(pdf: Path, page: int) -> list[str]:
    """Render one page as a phone camera would see it, and decode every QR code on it."""
    import subprocess

    stem = pdf.parent / f".qr-{pdf.stem}-{page}"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "100",
            "-png",
            "-singlefile",
            "-f",
            str(page),
            "-l",
            str(page),
            str(pdf),
            str(stem),
        ],
        check=True,
    )
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", f"{stem}.png"], capture_output=True, text=True, check=False
    )
    Path(f"{stem}.png").unlink()
    return result.stdout.split()


def test_paper_leads_to_the_web_page_in_its_language(school_build: Path) -> None:
    import pikepdf

    site = "https://www.bs-delinde.be/cyberpesten/"
    folder = school_build / "schools/example"
    for edition in ("print", "screen"):  # the office booklet is imposed from the same pages
        brochure = folder / f"cyberpesten/{edition}/ar/brochure-a5.pdf"
        with pikepdf.open(brochure) as pdf:
            back = len(pdf.pages)
        assert decode_qr(brochure, back) == [f"{site}ar/cyberpesten.html"], edition
    # A single-language poster leads to its language's page, the multilingual one to the chooser.
    assert decode_qr(folder / "cyberpesten/print/nl/poster-a3.pdf", 1) == [
        f"{site}nl/cyberpesten.html"]
    assert decode_qr(folder / "cyberpesten/print/multilingual/poster-a3.pdf", 1) == [site]
    # The short address is printed beside the code.
    assert "www.bs-delinde.be/cyberpesten/ar" in pdf_text(
        folder / "cyberpesten/print/ar/brochure-a5.pdf"
    )


def test_the_printed_code_is_black_ink_only(school_build: Path) -> None:
    import pikepdf

    from kit.pdf.streams import rgb_uses

    with pikepdf.open(school_build / "schools/example/cyberpesten/print/nl/poster-a4.pdf") as pdf:
        assert rgb_uses(pdf) == []
        ops = {
            tuple(round(float(v), 3) for v in operands)
            for operands, op in pikepdf.parse_content_stream(pdf.pages[0].obj)
            if str(op) == "k"
        }
    assert (0.0, 0.0, 0.0, 1.0) in ops and (0.0, 0.0, 0.0, 0.0) in ops


def test_a_school_gets_its_own_web_edition(school_build: Path) -> None:
    site = school_build / "schools/example/site"
    assert (site / "index.html").is_file()
    profile = load_school(ROOT / "schools/example.yaml", KNOWN)
    for code in ["nl", *profile.languages]:
        for name in ("index.html", "cyberpesten.html"):
            page = (site / code / name).read_text(encoding="utf-8")
            assert "Basisschool De Linde" in page


def test_a_language_taken_out_of_a_profile_leaves_the_pack(tmp_path: Path) -> None:
    profile = tmp_path / "sint-jozef.yaml"
    profile.write_text(SECOND.replace("languages: []", "languages: [uk]"), encoding="utf-8")
    out = tmp_path / "out"
    # Brochures in the screen edition, with Dutch for any message not yet translated.
    args = (
        "--school",
        str(profile),
        "--product",
        "brochure",
        "--edition",
        "screen",
        "--threshold",
        "50",
        "--output",
        str(out),
    )
    assert run_build(*args).returncode == 0
    assert (out / "schools/sint-jozef/cyberpesten/screen/nl-uk/brochure-a5.pdf").exists()
    profile.write_text(SECOND, encoding="utf-8")  # Dutch only again
    result = run_build(*args)
    assert result.returncode == 0, result.stderr
    folder = out / "schools/sint-jozef"
    assert (
        not (folder / "cyberpesten/screen/uk").exists()
        and not (folder / "cyberpesten/screen/nl-uk").exists()
    )
    listed = [e for e in entries(out) if e["school"] == "sint-jozef"]
    assert {tuple(e["languages"]) for e in listed if e["product"] == "brochure"} == {("nl",)}
    zipped = subprocess.run(
        ["unzip", "-Z1", str(folder / "sint-jozef.zip")], capture_output=True, text=True, check=True
    ).stdout
    assert "uk" not in zipped.split("/"), zipped
    assert "/uk/" not in zipped and "nl-uk" not in zipped
    check = run_build("check", "--output", str(out))
    assert check.returncode == 0, check.stdout[-2000:]
