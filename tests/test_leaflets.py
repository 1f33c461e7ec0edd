"""More than one leaflet: the library, catalogs per leaflet, the translation memory,
and two leaflets through the whole pipeline.

The second leaflet, `tests/corpus/leaflets/proefblad.yaml`, is the tests' own
(not advice): it has no rules section, one sentence the same as the
department's leaflet and one nearly the same; its French catalog is complete
and no other language has one.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import ROOT, run_build

from kit.errors import UserError
from kit.sources import catalogs, review
from kit.sources.content import load_library

CORPUS = ROOT / "tests/corpus"
SAME = "Vraag waarom je zoon of dochter cyberpest."
CLOSE = "Vraag waarom je zoon of dochter pest."


def project(tmp_path: Path, french: bool = True) -> Path:
    """A copy of the kit's content and catalogs with the tests' second leaflet beside it."""
    for name in ("content", "locales"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(CORPUS / "leaflets/proefblad.yaml", tmp_path / "content/leaflets")
    if french:
        shutil.copy(CORPUS / "locales/fr/LC_MESSAGES/proefblad.po",
                    tmp_path / "locales/fr/LC_MESSAGES")
    return tmp_path


def tree(root: Path) -> list[str]:
    return ["--content", str(root / "content"), "--locales", str(root / "locales")]


def leaflet_file(root: Path, name: str, text: str) -> Path:
    path = root / "content/leaflets" / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the library ----------------------------------------------------------------------


def test_the_library_lists_the_department_s_leaflet_first(tmp_path: Path) -> None:
    library = load_library(project(tmp_path) / "content")
    assert list(library.leaflets) == ["cyberpesten", "proefblad"]
    assert library.content("cyberpesten").document.rules is not None
    second = library.content("proefblad")
    assert second.document.rules is None  # no posters, and no error
    # The kit's words are shared; each leaflet's own words are its own.
    assert second.labels is library.content("cyberpesten").labels
    assert second.document.rules_credit is None
    assert "De twee vuistregels" in library.content("cyberpesten").document.rules_credit.source


def test_plan_gives_a_leaflet_without_rules_no_poster(tmp_path: Path) -> None:
    result = run_build("--list", "--lang", "fr", *tree(project(tmp_path)))
    assert result.returncode == 0, result.stderr
    paths = [line.split("\t")[0] for line in result.stdout.splitlines() if "\t" in line]
    assert "proefblad/print/nl-fr/brochure-a5.pdf" in paths
    assert not [p for p in paths if p.startswith("proefblad/") and "poster" in p]
    assert "cyberpesten/print/nl-fr/poster-a3.pdf" in paths


BAD = {
    "an id that is not the file's name": (
        "other", "document:\n  id: proefblad\n", 2, "must be its file's name `other`"),
    "an id that is a folder the kit writes": (
        "site", "document:\n  id: site\n", 2, "a name the kit uses"),
    "a section id of another leaflet": (
        "proefblad", "  - id: proef\n", None, "used by the leaflet `cyberpesten` too"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_leaflet_file_is_refused_with_file_and_line(tmp_path: Path, case: str) -> None:
    name, change, line, message = BAD[case]
    root = project(tmp_path)
    text = (CORPUS / "leaflets/proefblad.yaml").read_text(encoding="utf-8")
    if case == "a section id of another leaflet":
        text = text.replace(change, "  - id: voorkomen\n")
        line = text.splitlines().index("  - id: voorkomen") + 1
    else:
        text = text.replace("document:\n  id: proefblad\n", change)
        line = text.splitlines().index("document:") + line
    (root / "content/leaflets/proefblad.yaml").unlink()
    path = leaflet_file(root, name, text)
    result = run_build("--list", *tree(root))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"{path.name}:{line}: " in lines[0] and message in lines[0], lines[0]


def test_new_leaflet_writes_a_skeleton_that_asks_to_be_filled_in(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = run_build("new-leaflet", "schoolkosten", *tree(root))
    assert result.returncode == 0, result.stderr
    path = root / "content/leaflets/schoolkosten.yaml"
    assert "id: schoolkosten" in path.read_text(encoding="utf-8")
    # Until its title is written, every build says which line to fill in.
    refused = run_build("--list", *tree(root))
    assert refused.returncode == 2
    assert re.search(r"schoolkosten\.yaml:\d+: `title` is empty", refused.stderr), refused.stderr
    again = run_build("new-leaflet", "schoolkosten", *tree(root))
    assert again.returncode == 2 and "exists already" in again.stderr
    for bad in ("site", "Schoolkosten", "a" * 21):
        assert run_build("new-leaflet", bad, *tree(root)).returncode == 2


# --- catalogs per leaflet and the translation memory ----------------------------------


def test_extract_writes_a_template_per_leaflet_and_one_for_the_kit(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = run_build("extract", *tree(root))
    assert result.returncode == 0, result.stderr
    with (root / "locales/proefblad.pot").open("rb") as fileobj:
        contexts = {m.context for m in read_po(fileobj) if m.id}
    assert contexts == {"document.title", "proef", "proef.doel", "proef.zelfde", "proef.bijna",
                        "proef.punten.eerste", "proef.punten.tweede"}
    with (root / "locales/kit.pot").open("rb") as fileobj:
        assert all(m.context.startswith("kit.") for m in read_po(fileobj) if m.id)


def test_update_fills_identical_and_close_sentences_from_the_memory(tmp_path: Path) -> None:
    root = project(tmp_path, french=False)
    result = run_build("update", "--leaflet", "proefblad", *tree(root))
    assert result.returncode == 0, result.stderr
    assert re.search(r"created \S+/de/LC_MESSAGES/proefblad\.po \(1 fuzzy, from the memory: "
                     r"1 identical, 1 close\)", result.stdout), result.stdout
    german = catalogs.read_catalog(root / "locales/de/LC_MESSAGES/cyberpesten.po", "de").catalog
    source = german.get(SAME, context="aanpakken.dader.punten.waarom")
    new = catalogs.read_catalog(root / "locales/de/LC_MESSAGES/proefblad.po", "de").catalog
    same = new.get(SAME, context="proef.zelfde")
    assert same.string == source.string and not same.fuzzy
    assert review.memory_note(same).endswith(
        "from the leaflet `cyberpesten`, message `aanpakken.dader.punten.waarom` "
        "(identical Dutch)")
    assert review.back_translation(same) == review.back_translation(source)
    close = new.get(CLOSE, context="proef.bijna")
    assert close.fuzzy and close.string == source.string
    # The translator sees what differs (Babel does not read `#|` back, so in the file).
    po = (root / "locales/de/LC_MESSAGES/proefblad.po").read_text(encoding="utf-8")
    assert f'#| msgid "{SAME}"\nmsgctxt "proef.bijna"' in po
    assert "close Dutch" in review.memory_note(close)
    assert not new.get("Proefblad voor de kit", context="document.title").string
    # A new catalog passes gettext's check without a warning (a real revision date).
    checked = subprocess.run(["msgfmt", "--check", "-o", "/dev/null",
                              str(root / "locales/de/LC_MESSAGES/proefblad.po")],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0 and not checked.stderr, checked.stderr
    status = run_build("status", "--leaflet", "proefblad", *tree(root)).stdout
    # One translated (the same Dutch), one out of date (the close one), five untranslated.
    assert re.search(r"^proefblad +de +\d+/\d+ +0 +1 +5 +2 ", status, re.MULTILINE), status


def test_a_review_mark_travels_only_with_identical_dutch(tmp_path: Path) -> None:
    root = project(tmp_path, french=False)
    path = root / "locales/de/LC_MESSAGES/cyberpesten.po"
    german = catalogs.read_catalog(path, "de").catalog
    review.mark_reviewed(german.get(SAME, context="aanpakken.dader.punten.waarom"),
                         "Anna Beispiel", datetime.date(2026, 12, 1))
    catalogs.write_catalog(german, path)
    assert run_build("update", "--leaflet", "proefblad", *tree(root)).returncode == 0
    new = catalogs.read_catalog(root / "locales/de/LC_MESSAGES/proefblad.po", "de").catalog
    same = new.get(SAME, context="proef.zelfde")
    assert review.state(same) == review.REVIEWED_STATE
    assert review.review_mark(same).reviewer == "Anna Beispiel"
    close = new.get(CLOSE, context="proef.bijna")
    assert review.review_mark(close) is None and review.state(close) == review.OUT_OF_DATE


def test_init_creates_every_catalog_of_a_new_language(tmp_path: Path) -> None:
    root = project(tmp_path)
    shutil.rmtree(root / "locales/so")
    result = run_build("init", "so", *tree(root))
    assert result.returncode == 0, result.stderr
    for domain in ("kit", "cyberpesten", "proefblad"):
        assert (root / f"locales/so/LC_MESSAGES/{domain}.po").is_file()
    # Somali had nothing translated: the memory found nothing to fill in.
    assert "from the memory" not in result.stdout


# --- two leaflets through the pipeline -------------------------------------------------


@pytest.fixture(scope="module")
def two_leaflets(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """French and German of both leaflets: the second is complete in French only."""
    root = project(tmp_path_factory.mktemp("project"))
    out = root / "output"
    result = run_build("--strict", "--lang", "nl", "--lang", "fr", "--lang", "de", *tree(root),
                       "--output", str(out))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return root, out, result.stdout + result.stderr


def entries(out: Path) -> list[dict]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_each_leaflet_is_built_where_it_is_translated(two_leaflets) -> None:
    _, out, log = two_leaflets
    listed = entries(out)
    assert all(e["leaflet"] in {"cyberpesten", "proefblad"} for e in listed)
    assert all(e["path"].startswith(f"{e['leaflet']}/") for e in listed)
    second = {(e["product"], tuple(e["languages"])) for e in listed if e["leaflet"] == "proefblad"}
    assert second == {("brochure", ("nl",)), ("brochure", ("fr",)), ("brochure", ("nl", "fr"))}
    first = {tuple(e["languages"]) for e in listed if e["leaflet"] == "cyberpesten"}
    assert ("de",) in first and ("nl", "de") in first
    assert "not built: the leaflet proefblad in de is" in log
    text = (out / "proefblad/screen/nl-fr/brochure-a5.pdf")
    words = subprocess.run(["pdftotext", str(text), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert "Feuille d'essai pour le kit" in words and "Proefblad voor de kit" in words
    # The department's credit for the rules is the department leaflet's alone.
    assert "Child Focus" not in words


def test_the_web_edition_lists_each_language_s_leaflets(two_leaflets) -> None:
    _, out, _ = two_leaflets
    listing = (out / "site/fr/index.html").read_text(encoding="utf-8")
    assert 'href="cyberpesten.html"' in listing and 'href="proefblad.html"' in listing
    assert "Feuille d&#39;essai pour le kit" in listing or "Feuille d'essai" in listing
    german = (out / "site/de/index.html").read_text(encoding="utf-8")
    assert 'href="cyberpesten.html"' in german and "proefblad" not in german
    page = (out / "site/fr/proefblad.html").read_text(encoding="utf-8")
    assert 'href="proefblad-nl.html"' in page
    assert 'href="proefblad-brochure-a5-screen.pdf"' in page
    assert (out / "site/fr/proefblad-brochure-a5-screen.pdf").is_file()


def rebuild_after(two_leaflets, tmp_path: Path, file: str, old: str,
                  new: str) -> tuple[Path, set[str], str]:
    """The two leaflets' build copied and built again after one edit to `file`
    (`content/…` or `locales/…`): the output, the files made again and the errors."""
    root, built, _ = two_leaflets
    out = tmp_path / "out"
    shutil.copytree(built, out)
    for tree_name in ("content", "locales"):
        shutil.copytree(root / tree_name, tmp_path / tree_name)
    path = tmp_path / file
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    result = run_build("--strict", "--lang", "nl", "--lang", "fr", "--lang", "de",
                       *tree(tmp_path), "--output", str(out))
    assert result.returncode == 0, result.stderr
    remade = set(re.findall(r"^\[ *\d+/\d+\] (\S+)", result.stdout, re.MULTILINE))
    return out, remade, result.stderr


def test_a_catalog_edit_rebuilds_only_its_leaflet(two_leaflets, tmp_path: Path) -> None:
    _, remade, _ = rebuild_after(two_leaflets, tmp_path, "locales/fr/LC_MESSAGES/proefblad.po",
                                 "Chaque dépliant a son propre catalogue",
                                 "Chaque dépliant a son catalogue")
    assert remade == {f"proefblad/{e}/{langs}/brochure-a5{suffix}.pdf"
                      for e, suffix in (("print", ""), ("screen", ""), ("office", "-booklet"))
                      for langs in ("fr", "nl-fr")}


def test_a_dutch_edit_rebuilds_only_its_leaflet(two_leaflets, tmp_path: Path) -> None:
    out, remade, errors = rebuild_after(two_leaflets, tmp_path,
                                        "content/leaflets/proefblad.yaml",
                                        "Een folder zonder vuistregels krijgt geen affiche.",
                                        "Een folder zonder vuistregels krijgt nooit een affiche.")
    # The Dutch leaflet is made again; French is out of date for that sentence,
    # so its files stay as they were, marked stale; no cyberpesten file is touched.
    assert remade == {"proefblad/print/nl/brochure-a5.pdf", "proefblad/screen/nl/brochure-a5.pdf",
                      "proefblad/office/nl/brochure-a5-booklet.pdf"}
    assert "not built: the leaflet proefblad in fr" in errors
    stale = [e for e in entries(out) if e["leaflet"] == "proefblad" and e["stale"]]
    assert {tuple(e["languages"]) for e in stale} == {("fr",), ("nl", "fr")}


def test_threshold_builds_a_half_translated_leaflet_with_its_notice(two_leaflets,
                                                                    tmp_path: Path) -> None:
    root, _, _ = two_leaflets
    locales = tmp_path / "locales"
    shutil.copytree(root / "locales", locales)
    assert run_build("update", "--leaflet", "proefblad", "--content", str(root / "content"),
                     "--locales", str(locales)).returncode == 0
    out = tmp_path / "out"
    result = run_build("--lang", "de", "--leaflet", "proefblad", "--product", "brochure",
                       "--edition", "screen", "--threshold", "10", "--content",
                       str(root / "content"), "--locales", str(locales), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert "partly translated: the leaflet proefblad in de" in result.stderr
    listed = entries(out)
    assert {e["leaflet"] for e in listed} == {"proefblad"}  # --leaflet narrows the build
    german = next(e for e in listed if e["languages"] == ["de"])
    assert german["untranslated"] > 0


def test_a_school_pack_holds_the_leaflets_its_profile_names(two_leaflets,
                                                            tmp_path: Path) -> None:
    root, _, _ = two_leaflets
    profile = tmp_path / "school.yaml"
    text = (ROOT / "schools/example.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^languages: .*$", "languages: [fr]\nleaflets: [cyberpesten, proefblad]",
                  text)
    text = re.sub(r"(?m)^(poster_languages|quantities): .*$", "", text)
    text = text.replace("logo: example-logo.svg", "logo:")
    profile.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_build("--strict", "--school", str(profile), "--edition", "screen",
                       *tree(root), "--output", str(out))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    folder = out / "schools/example"
    assert (folder / "proefblad/screen/nl-fr/brochure-a5.pdf").is_file()
    assert (folder / "cyberpesten/screen/nl-fr/poster-a3.pdf").is_file()
    assert not list(folder.glob("proefblad/screen/*/poster-*"))
    with zipfile.ZipFile(folder / "example.zip") as archive:
        names = archive.namelist()
    assert "example/proefblad/screen/fr/brochure-a5.pdf" in names
    assert "example/cyberpesten/screen/fr/brochure-a5.pdf" in names
    guide = subprocess.run(["pdftotext", str(folder / "printing-guide.pdf"), "-"],
                           capture_output=True, text=True, check=True).stdout
    guide = " ".join(guide.split())
    assert "Proefblad voor de kit" in guide and "(map proefblad)" in guide
    assert "Wat kan ik als ouder doen bij cyberpesten?" in guide
    site = (folder / "site/fr/index.html").read_text(encoding="utf-8")
    assert 'href="proefblad.html"' in site and 'href="cyberpesten.html"' in site

    # Taken out of the profile, a leaflet's files leave the pack.
    profile.write_text(text.replace("leaflets: [cyberpesten, proefblad]",
                                    "leaflets: [cyberpesten]"), encoding="utf-8")
    again = run_build("--strict", "--school", str(profile), "--edition", "screen",
                      *tree(root), "--output", str(out))
    assert again.returncode == 0, again.stderr
    assert not (folder / "proefblad").exists()
    with zipfile.ZipFile(folder / "example.zip") as archive:
        assert not [n for n in archive.namelist() if "/proefblad/" in n]


def test_a_profile_naming_an_unknown_leaflet_is_refused(tmp_path: Path) -> None:
    profile = tmp_path / "school.yaml"
    text = (ROOT / "schools/example.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^languages: (.*)$", r"languages: \1\nleaflets: [cyberpesten, schoolgeld]",
                  text)
    profile.write_text(text, encoding="utf-8")
    line = text.splitlines().index("leaflets: [cyberpesten, schoolgeld]") + 1
    result = run_build("--school", str(profile), "--list")
    assert result.returncode == 2
    assert f"school.yaml:{line}: the kit has no leaflet `schoolgeld`" in result.stderr


def test_a_content_folder_without_leaflets_is_refused(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content", ignore=shutil.ignore_patterns("leaf*"))
    with pytest.raises(UserError, match=r"no leaflet: add one as content/leaflets/<id>\.yaml"):
        load_library(tmp_path / "content")


def test_a_school_list_names_each_school_s_leaflets(tmp_path: Path) -> None:
    from kit.sources.schoollist import SchoolListError, load_school_list

    rows = (ROOT / "schools/network-example.csv").read_text(encoding="utf-8").splitlines()
    header, first = rows[0], rows[1]
    shutil.copy(ROOT / "schools/example-logo.svg", tmp_path)
    path = tmp_path / "list.csv"
    path.write_text(f"{header},leaflets\n{first},cyberpesten proefblad\n", encoding="utf-8")
    [school] = load_school_list(path, ["ar", "tr", "uk"], ["cyberpesten", "proefblad"])
    assert school.leaflets == ("cyberpesten", "proefblad")
    path.write_text(f"{header},leaflets\n{first},\n", encoding="utf-8")
    [school] = load_school_list(path, ["ar", "tr", "uk"], ["cyberpesten"])
    assert school.leaflets is None  # an empty cell: every leaflet
    path.write_text(f"{header},leaflets\n{first},schoolgeld\n", encoding="utf-8")
    with pytest.raises(SchoolListError) as caught:
        load_school_list(path, ["ar", "tr", "uk"], ["cyberpesten"])
    assert str(caught.value.problems[0]).endswith(
        "list.csv:2: column leaflets: the kit has no leaflet `schoolgeld`; choose from: "
        "cyberpesten"), caught.value.problems


def test_a_school_without_the_leaflet_asked_for_is_told_so(tmp_path: Path) -> None:
    root = project(tmp_path)
    profile = tmp_path / "school.yaml"
    text = (ROOT / "schools/example.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^languages: .*$", "languages: [fr]\nleaflets: [cyberpesten]", text)
    text = re.sub(r"(?m)^(poster_languages|quantities): .*$", "", text)
    profile.write_text(text.replace("logo: example-logo.svg", "logo:"), encoding="utf-8")
    result = run_build("--school", str(profile), "--leaflet", "proefblad", "--list",
                       *tree(root))
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: the schools given hand out none of the leaflets "
                                     "asked for (proefblad); see their `leaflets`")
