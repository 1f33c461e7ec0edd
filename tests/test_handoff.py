"""End to end: the hand-offs of a school's pack (kit/handoff.py)."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import json
import re
import subprocess
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pikepdf
import pytest
from conftest import ROOT, run_build

from kit.handoff import (
    MESSAGE_PREVIEW,
    MESSAGE_TEXT,
    folder_path,
    messages,
    parent_file_name,
    topic,
    zip_path,
)
from kit.pdf.accessible import structure_problems
from kit.qr import page_url
from kit.sources.content import load_content
from kit.sources.languages import known_languages, language
from kit.sources.school import School, load_school
from kit.translations import Leaflet, load_languages

SITE = "https://www.school.example/cyberpesten"
WITH_SITE = f"""\
name: Basisschool Het Anker
slug: anker
address: Havenstraat 3, 8400 Oostende
website: www.anker.example
site_url: {SITE}
languages: [ar, ti, fr]
contacts:
  - role: zorgcoördinator
    name: Lotte Maes
    phone: 059 12 34 56
    email: zorg@anker.example
clb:
  name: CLB Oostende
  phone: 059 55 66 77
  email: info@clb-oostende.example
  website: www.clb-oostende.example
quantities: {{nl: 150, ar: 40}}
"""
NO_SITE = """\
name: Sint-Jozefinstituut
slug: sint-jozef
address: Schoolstraat 1, 2000 Antwerpen
languages: [uk]
contacts:
  - role: leerlingenbegeleider
    name: Jan Claes
    phone: +32 3 123 45 67
clb:
  name: CLB Antwerpen
  email: clb@antwerpen.example
"""
KNOWN = [c for c in known_languages() if c != "nl"]
LEAFLET = topic(load_content(ROOT / "content").document)


@pytest.fixture(scope="session")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("handoff-schools")
    (folder / "anker.yaml").write_text(WITH_SITE, encoding="utf-8")
    (folder / "sint-jozef.yaml").write_text(NO_SITE, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, profiles: Path) -> Path:
    out = tmp_path_factory.mktemp("handoff-output")
    result = run_build("--strict", "--school", str(profiles / "anker.yaml"),
                       "--school", str(profiles / "sint-jozef.yaml"), "--output", str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


def manifest(out: Path) -> list[dict]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def handoff(out: Path, slug: str, name: str) -> dict:
    return next(e for e in manifest(out) if e["path"] == zip_path(slug, name))


def zip_names(out: Path, slug: str, name: str) -> list[str]:
    with zipfile.ZipFile(out / zip_path(slug, name)) as archive:
        return [n.split("/", 1)[1] for n in archive.namelist()]


# --- what each hand-off holds ----------------------------------------------------------------


@pytest.mark.parametrize("slug", ["anker", "sint-jozef"])
def test_each_zip_holds_only_the_files_for_its_reader(built: Path, slug: str) -> None:
    listed = {e["path"]: e for e in manifest(built)}
    sources = {}
    for name in ("drukkerij", "secretariaat", "ouders", "website"):
        record = handoff(built, slug, name)
        assert zip_names(built, slug, name) == [f["name"] for f in record["files"]]
        assert zip_names(built, slug, name)[0] == "00-LEESMIJ.txt"
        sources[name] = [listed[f["source"]] for f in record["files"] if f["source"] in listed]
    # The print shop gets print files only: no office or screen file.
    assert {e["edition"] for e in sources["drukkerij"]} == {"print"}
    print_files = [e for e in listed.values() if e.get("school") == slug
                   and e["edition"] == "print"]
    assert len(sources["drukkerij"]) == len(print_files)
    assert {"bestelbon.pdf", "bestelbon.txt"} <= set(zip_names(built, slug, "drukkerij"))
    assert {e["edition"] for e in sources["secretariaat"]} == {"office", "screen"}
    assert [e["product"] for e in sources["secretariaat"] if e["edition"] == "screen"] == [
        "guide"]
    assert {(e["edition"], e["product"]) for e in sources["ouders"]} == {("screen", "brochure")}
    website = zip_names(built, slug, "website")
    assert "site/index.html" in website and "publiceren.pdf" in website
    assert not [n for n in website if "/." in n or n.startswith(".")]


def test_a_handoff_s_folder_is_its_zip_and_the_pack_s_own_files(built: Path) -> None:
    """Hard links to the pack's files: the same file, not a second rendering."""
    record = handoff(built, "anker", "drukkerij")
    folder = built / folder_path("anker", "drukkerij")
    for f in record["files"]:
        if f["source"]:
            assert (folder / f["name"]).stat().st_ino == (built / f["source"]).stat().st_ino


def test_check_verifies_the_handoffs(built: Path) -> None:
    result = run_build("check", "--output", str(built))
    assert result.returncode == 0, result.stdout[-3000:]
    assert re.search(r"schools/anker/overdracht/anker-drukkerij\.zip\s+ok", result.stdout)


# --- the order sheet -------------------------------------------------------------------------


def order_blocks(text: str) -> dict[str, dict[str, str]]:
    """The text order sheet's blocks: file name -> {field: value}."""
    blocks = {}
    for block in re.split(r"\n\n(?=\d+\. )", text):
        head = re.match(r"\d+\. (\S+)\n", block)
        if head:
            blocks[head[1]] = dict(re.findall(r"^   (\w+): (.*)$", block, re.M))
    return blocks


def test_the_order_sheet_lists_every_print_file_as_the_manifest_does(built: Path) -> None:
    folder = built / folder_path("anker", "drukkerij")
    blocks = order_blocks((folder / "bestelbon.txt").read_text(encoding="utf-8"))
    record = handoff(built, "anker", "drukkerij")
    listed = {e["path"]: e for e in manifest(built)}
    files = {f["name"]: listed[f["source"]] for f in record["files"] if f["source"]}
    assert set(blocks) == set(files)
    for name, entry in files.items():
        fields = blocks[name]
        pages = "1 pagina" if entry["pages"] == 1 else f"{entry['pages']} pagina's"
        assert fields["Formaat"].startswith(entry["paper"]) and fields["Formaat"].endswith(
            pages), (name, fields)
        assert fields["Drukconditie"].startswith("FOGRA39")
        assert fields["Afloop"].startswith("3 mm")
        if entry["product"] == "brochure":
            assert fields["Afwerking"].startswith("rugnieten (saddle-stitch)")
            assert fields["Kleuren"] == "CMYK, recto verso (4/4)"
    # The profile's quantities: Dutch, and Arabic beside the Dutch; the rest to fill in.
    stem = LEAFLET.stem
    assert blocks[f"{stem}-nl-brochure-a5.pdf"]["Aantal"] == "150"
    assert blocks[f"{stem}-nl-ar-brochure-a5.pdf"]["Aantal"] == "40"
    assert blocks[f"{stem}-nl-ti-brochure-a5.pdf"]["Aantal"] == "........"
    # Arabic alone reads right to left: its spine is on the right.
    assert "rug rechts" in blocks[f"{stem}-ar-brochure-a5.pdf"]["Afwerking"]
    assert "rug links" in blocks[f"{stem}-ti-brochure-a5.pdf"]["Afwerking"]
    # The PDF says the same: every file, its page count.
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(folder / "bestelbon.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    for name in files:
        assert re.sub(r"\s+", "", name) in flat, name
    assert "FOGRA39" in text and "saddle-stitch" in text


# --- file names a parent can read ------------------------------------------------------------


def every_parent_name() -> list[str]:
    names = [parent_file_name(LEAFLET, ("nl",))]
    for code in KNOWN:
        names += [parent_file_name(LEAFLET, (code,)), parent_file_name(LEAFLET, ("nl", code))]
    return names


def test_parent_file_names_say_topic_and_language() -> None:
    assert parent_file_name(LEAFLET, ("ar",)) == "cyberpesten-arabisch-العربية.pdf"
    assert parent_file_name(LEAFLET, ("nl", "ti")) == (
        "cyberpesten-nederlands-tigrinya-ትግርኛ.pdf")
    assert parent_file_name(LEAFLET, ("nl",)) == "cyberpesten-nederlands.pdf"
    names = every_parent_name()
    assert len(set(names)) == len(names)
    for name in names:
        assert name.startswith(f"{LEAFLET.stem}-") and name.endswith(".pdf")
        assert not re.search(r'[\\/:*?"<>|\s\u200e\u200f\u2066-\u2069]', name), name


def test_parent_file_names_survive_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "names.zip"
    names = every_parent_name()
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, b"%PDF")
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == names
    # Non-ASCII names carry the zip's UTF-8 flag (bit 11), so unzip tools read them right.
    assert all(i.flag_bits & 0x800 for i in infos if not i.filename.isascii())


def test_parent_file_names_survive_an_e_mail_attachment() -> None:
    for name in every_parent_name():
        message = EmailMessage()
        message["Subject"] = "cyberpesten"
        message.set_content("Zie de bijlage.")
        message.add_attachment(b"%PDF-1.7", maintype="application", subtype="pdf",
                               filename=name)
        raw = message.as_bytes(policy=email.policy.SMTP)
        assert all(len(line) <= 78 for line in raw.split(b"\r\n"))  # RFC 5322
        assert raw.isascii()
        if not name.isascii():
            assert b"filename*" in raw  # RFC 2231, as a mail client reads it
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        attachment = next(parsed.iter_attachments())
        assert attachment.get_filename() == name


def test_the_parents_zip_names_its_files_for_parents(built: Path) -> None:
    names = zip_names(built, "anker", "ouders")
    for languages in [("nl",), ("ar",), ("nl", "ar"), ("ti",), ("nl", "ti"), ("fr",),
                      ("nl", "fr")]:
        assert parent_file_name(LEAFLET, languages) in names
    with zipfile.ZipFile(built / zip_path("anker", "ouders")) as archive:
        arabic = next(i for i in archive.infolist() if "العربية" in i.filename)
    assert arabic.flag_bits & 0x800


# --- links in the screen PDFs ----------------------------------------------------------------


@pytest.mark.parametrize("languages", [("fr",), ("ar",), ("ti",), ("nl", "ar")])
def test_the_screen_brochures_link_the_school_s_contacts(built: Path,
                                                         languages: tuple[str, ...]) -> None:
    pdf_path = built / folder_path("anker", "ouders") / parent_file_name(LEAFLET, languages)
    urls = subprocess.run(["pdfinfo", "-url", str(pdf_path)], capture_output=True, text=True,
                          check=True).stdout
    for url in ("tel:+3259123456", "mailto:zorg@anker.example", "https://www.anker.example",
                "tel:+3259556677", "mailto:info@clb-oostende.example",
                "https://www.clb-oostende.example"):
        assert url in urls, (languages, url)
    with pikepdf.open(pdf_path) as pdf:
        assert structure_problems(pdf, languages) == []
        annotations = [a for page in pdf.pages for a in page.obj.get("/Annots", [])]
        assert annotations and all(str(a.Contents) for a in annotations)
        # Each is the kid of a Link element, found through its /StructParent.
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for annotation in annotations:
            element = parents[int(annotation.StructParent)]
            assert element.S == "/Link"
            assert any(isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"
                       and k.Obj.objgen == annotation.objgen for k in element.K)


def test_a_link_without_its_description_fails_the_structure_check(built: Path,
                                                                  tmp_path: Path) -> None:
    source = built / folder_path("anker", "ouders") / parent_file_name(LEAFLET, ("ar",))
    with pikepdf.open(source) as pdf:
        for page in pdf.pages:
            for annotation in page.obj.get("/Annots", []):
                del annotation["/Contents"]
        problems = structure_problems(pdf, ("ar",))
    assert any("no description (/Contents)" in p for p in problems), problems


def test_print_files_carry_no_links(built: Path) -> None:
    """PDF/X-4 for the print shop: nothing but the page."""
    for pdf_path in (built / "schools/anker/cyberpesten/print").glob("*/*.pdf"):
        with pikepdf.open(pdf_path) as pdf:
            assert not any("/Annots" in page.obj for page in pdf.pages), pdf_path


# --- the message for the parent app ----------------------------------------------------------


@pytest.fixture(scope="module")
def anker(tmp_path_factory: pytest.TempPathFactory) -> School:
    path = tmp_path_factory.mktemp("anker") / "anker.yaml"
    path.write_text(WITH_SITE, encoding="utf-8")
    return load_school(path, KNOWN)


@pytest.fixture(scope="module")
def leaflet() -> Leaflet:
    content = load_content(ROOT / "content")
    return Leaflet(content, load_languages(content, ROOT / "locales", ["nl", *KNOWN]), KNOWN, [])


def screen_entries(codes: list[str]) -> list[dict]:
    """The manifest records a pack's screen brochures would have, for `messages`."""
    return [{"leaflet": "cyberpesten", "edition": "screen", "product": "brochure",
             "languages": list(languages)}
            for code in codes for languages in ((code,), ("nl", code))]


def test_the_message_in_every_language_names_the_school_and_its_page(leaflet: Leaflet,
                                                                      anker: School) -> None:
    school = dataclasses.replace(anker, languages=tuple(KNOWN))
    said = {m.code: m for m in messages([leaflet], school, screen_entries(["nl", *KNOWN]))}
    assert list(said) == ["nl", *KNOWN]
    for code, message in said.items():
        tags = [tag for tag, _, _ in message.lines]
        # The translation first, for the preview; the Dutch beside it.
        assert tags == (["nl"] if code == "nl" else [language(code).tag, "nl"])
        assert all("Basisschool Het Anker" in line for _, _, line in message.lines), code
        assert message.link == page_url(SITE, code, "cyberpesten") == (
            f"{SITE}/{code}/cyberpesten.html")
        assert message.text.splitlines()[-1] == message.link
    assert said["ar"].lines[0][1] == "rtl" and said["ti"].lines[0][1] == "ltr"
    assert "اقرأها هنا" in said["ar"].lines[0][2]


def test_every_message_fits_a_notification_preview(leaflet: Leaflet, anker: School) -> None:
    """With the longest name a profile allows, the sentence before the link fits the preview."""
    for kind, text in leaflet.content.document.app_messages.items():
        for code in KNOWN:
            translated = leaflet.states[code].catalog.translation(text.key, text.source)
            assert len(translated.replace("{school}", "")) <= MESSAGE_TEXT, (code, kind)
    school = dataclasses.replace(anker, languages=tuple(KNOWN), name="S" * 80)
    for message in messages([leaflet], school, screen_entries(["nl", *KNOWN])):
        for _, _, line in message.lines:
            assert len(re.sub("[\u200e\u200f\u2066-\u2069]", "", line)) <= MESSAGE_PREVIEW


def test_the_message_files_and_page_in_the_parents_handoff(built: Path) -> None:
    folder = built / folder_path("anker", "ouders")
    arabic = (folder / "berichten/bericht-cyberpesten-ar.txt").read_text(
        encoding="utf-8").splitlines()
    assert arabic[-1] == f"{SITE}/ar/cyberpesten.html"
    assert "Basisschool Het Anker" in arabic[0] and "اقرأها" in arabic[0]
    assert arabic[1] == "Basisschool Het Anker: tips voor ouders over cyberpesten. Lees ze hier:"
    page = (folder / "berichten.html").read_text(encoding="utf-8")
    for code in ("nl", "ar", "ti", "fr"):
        assert f'id="message-cyberpesten-{code}"' in page
        assert f"{SITE}/{code}/cyberpesten.html" in page


# --- a school that publishes no web edition --------------------------------------------------


def test_without_site_url_no_qr_code_and_the_message_names_the_attachment(built: Path) -> None:
    folder = built / "schools/sint-jozef"
    for pdf_path in [*folder.glob("cyberpesten/print/*/*.pdf"),
                     *folder.glob("cyberpesten/screen/*/*.pdf")]:
        stem = pdf_path.with_suffix("")
        last = subprocess.run(["pdfinfo", str(pdf_path)], capture_output=True, text=True,
                              check=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", last)[1])
        subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", "-f", str(pages), "-l",
                        str(pages), str(pdf_path), str(stem)], check=True)
        found = subprocess.run(["zbarimg", "--quiet", "--raw", f"{stem}.png"],
                               capture_output=True, text=True, check=False).stdout
        Path(f"{stem}.png").unlink()
        assert found == "", pdf_path
    parents = built / folder_path("sint-jozef", "ouders")
    lines = (parents / "berichten/bericht-cyberpesten-uk.txt").read_text(
        encoding="utf-8").splitlines()
    attached = parent_file_name(LEAFLET, ("nl", "uk"))
    assert lines[-1] == attached and (parents / attached).is_file()
    assert "Sint-Jozefinstituut: tips voor ouders over cyberpesten. Lees ze in de bijlage:" in (
        lines)
    readme = (parents / "00-LEESMIJ.txt").read_text(encoding="utf-8")
    assert "geen adres voor de webversie" in readme
    guide = (built / folder_path("sint-jozef", "website") / "00-LEESMIJ.txt").read_text(
        encoding="utf-8")
    assert "geen `site_url`" in guide and "## 3. Geen website" in guide


# --- incremental -----------------------------------------------------------------------------


def stamps(out: Path, slug: str) -> dict[str, int]:
    return {name: (out / zip_path(slug, name)).stat().st_mtime_ns
            for name in ("drukkerij", "secretariaat", "ouders", "website")}


def test_handoffs_are_remade_only_when_what_they_hold_changed(tmp_path: Path) -> None:
    profile = tmp_path / "sint-jozef.yaml"
    profile.write_text(NO_SITE.replace("languages: [uk]", "languages: []"), encoding="utf-8")
    out = tmp_path / "out"
    args = ("--school", str(profile), "--output", str(out))
    assert run_build(*args).returncode == 0
    before = stamps(out, "sint-jozef")
    message = (out / folder_path("sint-jozef", "ouders") / "berichten/bericht-cyberpesten-nl.txt")
    said = message.read_bytes()

    again = run_build(*args)
    assert "hand-off:" not in again.stdout and stamps(out, "sint-jozef") == before

    # A quantity is on the order sheet only: no page is laid out again.
    profile.write_text(profile.read_text(encoding="utf-8") + "quantities: {nl: 80}\n",
                       encoding="utf-8")
    result = run_build(*args)
    assert result.returncode == 0, result.stderr
    assert " 0 to render" in result.stdout
    after = stamps(out, "sint-jozef")
    assert [n for n in after if after[n] != before[n]] == ["drukkerij"]
    order = (out / folder_path("sint-jozef", "drukkerij") / "bestelbon.txt").read_text("utf-8")
    assert "Aantal: 80" in order

    # A phone number is on every page with the contacts, not in the message.
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "+32 3 123 45 67", "+32 3 765 43 21"), encoding="utf-8")
    result = run_build(*args)
    assert result.returncode == 0, result.stderr
    assert message.read_bytes() == said
    # Every file that shows the contacts is made again; the printing guide shows none.
    remade = set(re.findall(r"^\[ *\d+/\d+\] (\S+)", result.stdout, re.MULTILINE))
    assert remade and "schools/sint-jozef/printing-guide.pdf" not in remade
    assert all("/cyberpesten/" in path for path in remade), remade
    check = run_build("check", "--output", str(out))
    assert check.returncode == 0, check.stdout[-2000:]

    # A file of a hand-off's folder that is not the zip's is found by `check`.
    guide = out / folder_path("sint-jozef", "secretariaat") / "00-LEESMIJ.txt"
    guide.write_text("verkeerd", encoding="utf-8")
    check = run_build("check", "--output", str(out))
    assert check.returncode == 1 and "hand-off:" in check.stdout
