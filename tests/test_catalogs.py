"""Catalog workflow: extraction keyed on ids, merging by context, gettext's checks."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from conftest import ROOT, run_build

from kit.sources import catalogs
from kit.sources.catalogs import (
    catalog_path,
    discover_catalogs,
    merge,
    read_catalog,
    read_language,
)
from kit.sources.content import load_content

LANGS = ["fr", "en", "de", "ar", "tr", "pl", "ro", "bg", "ru", "uk", "fa", "ti",
         "prs", "ps", "so", "es", "pt", "it", "sq", "ka", "ur", "zh_Hans", "am", "el"]


def project_copy(tmp_path: Path) -> Path:
    for name in ("content", "templates", "locales"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "babel.cfg", tmp_path / "babel.cfg")
    return tmp_path


def messages(root: Path, domain: str) -> set[tuple[str, str]]:
    template = catalogs.extract(root, root / "babel.cfg")[domain]
    return {(m.context, m.id) for m in template if m.id}


def template(root: Path, domain: str = "cyberpesten") -> Catalog:
    return catalogs.extract(root, root / "babel.cfg")[domain]


def test_every_language_has_a_catalog() -> None:
    assert sorted(discover_catalogs(ROOT / "locales")) == sorted(LANGS)


@pytest.mark.parametrize("domain", ["kit", "cyberpesten"])
def test_committed_template_is_up_to_date(domain: str) -> None:
    with (ROOT / "locales" / f"{domain}.pot").open("rb") as fileobj:
        committed = {(m.context, m.id) for m in read_po(fileobj) if m.id}
    assert committed == messages(ROOT, domain)


@pytest.mark.parametrize(("domain", "inputs"), [
    ("cyberpesten", ["content/leaflets/cyberpesten.yaml"]),
    ("kit", ["content/kit.yaml", "templates"]),
])
def test_plain_pybabel_extract_gives_the_same_templates(
    tmp_path: Path, domain: str, inputs: list[str]
) -> None:
    target = tmp_path / f"{domain}.pot"
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg",
         "-o", str(target), *inputs],
        cwd=ROOT, check=True, capture_output=True,
    )
    with target.open("rb") as fileobj:
        assert {(m.context, m.id) for m in read_po(fileobj) if m.id} == messages(ROOT, domain)


def test_reordering_and_inserting_list_items_fuzzes_nothing(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    path = root / "content" / "leaflets" / "cyberpesten.yaml"
    text = path.read_text(encoding="utf-8")
    first = text.index("          - id: informeer")
    second = text.index("          - id: interesse")
    third = text.index("          - id: afspraken")
    swapped = text[:first] + text[second:third] + text[first:second] + text[third:]
    swapped = swapped.replace(
        "          - id: afspraken",
        "          - id: nieuw\n            text: Een nieuwe tip.\n          - id: afspraken",
    )
    path.write_text(swapped, encoding="utf-8")
    old = read_catalog(catalog_path(root / "locales", "fr", "cyberpesten"), "fr").catalog
    merged = merge(template(root), old)
    assert [m.context for m in merged if m.id and m.fuzzy] == []
    untranslated = [m.context for m in merged if m.id and not m.string]
    assert untranslated == ["voorkomen.tips.nieuw"]


def test_edited_dutch_makes_exactly_that_entry_fuzzy(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    path = root / "content" / "leaflets" / "cyberpesten.yaml"
    old_text = "Vraag waarom je zoon of dochter cyberpest."
    path.write_text(path.read_text(encoding="utf-8").replace(
        old_text, "Vraag rustig waarom je zoon of dochter cyberpest."), encoding="utf-8")
    old = read_catalog(catalog_path(root / "locales", "de", "cyberpesten"), "de").catalog
    merged = merge(template(root), old)
    fuzzy = [m for m in merged if m.id and m.fuzzy]
    assert [m.context for m in fuzzy] == ["aanpakken.dader.punten.waarom"]
    assert list(fuzzy[0].previous_id) == [old_text]
    assert fuzzy[0].string  # the old translation is kept for the translator


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_passes_msgfmt_check_and_is_complete(lang: str) -> None:
    for domain in ("kit", "cyberpesten"):
        path = catalog_path(ROOT / "locales", lang, domain)
        subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], check=True)
    loaded = read_language(ROOT / "locales", lang, "cyberpesten")
    result = catalogs.completeness(load_content(ROOT / "content"), loaded)
    assert result.ratio == 1.0, [t.key for t in result.missing]
    assert loaded.review.status == "draft"  # nobody has reviewed these drafts yet


def test_status_lists_every_language() -> None:
    result = run_build("status")
    assert result.returncode == 0, result.stderr
    for lang in LANGS:
        assert f"\ncyberpesten    {lang} " in result.stdout
    assert "draft" in result.stdout




def test_init_starts_a_new_language_that_is_not_built_until_complete(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    locales = str(root / "locales")
    shutil.rmtree(root / "locales/so")  # Somali, as if nobody had translated it yet
    result = run_build("init", "so", "--locales", locales)
    assert result.returncode == 0, result.stderr
    po = catalog_path(root / "locales", "so", "cyberpesten")
    assert po.exists()
    loaded = read_language(root / "locales", "so", "cyberpesten")
    assert loaded.review.status == "draft"
    assert len([m for m in loaded.catalog if m.id]) == len(list(load_content(ROOT / "content")
                                                               .texts()))
    status = run_build("status", "--locales", locales).stdout
    assert re.search(r"^cyberpesten +so +0/\d+ .* 0% +draft +below threshold", status,
                     re.MULTILINE), status
    plan = run_build("--list", "--locales", locales).stdout
    assert "not built (incomplete): cyberpesten in so" in plan
    assert "/so/" not in plan and "nl-so" not in plan


def test_reviewed_catalog_names_its_reviewer_in_both_languages() -> None:
    from kit.plan import LeafletPlan, plan
    from kit.render import make_environment, render_html
    from kit.sources.catalogs import Review
    from kit.translations import load_languages, translations_for

    content = load_content(ROOT / "content")
    states = load_languages(content, ROOT / "locales", ["nl", "de"])
    job = next(j for j in plan([LeafletPlan("cyberpesten", ["de"], True)], ["brochure"],
                               ["screen"]) if j.languages == ("nl", "de"))
    tr = translations_for(content, states, job.languages)
    when = datetime.date(2026, 11, 24)
    reviewed = type(tr)(tr.strings, Review("reviewed", "Anna Example", when))
    # The last words of a text are tied with no-break spaces; compared as spaces.
    html = render_html(make_environment(), content, job, reviewed).replace("\u00a0", " ")
    assert html.count("Anna Example") == 2  # the Dutch and the German colophon
    assert "op \u206824 november 2026\u200e\u2069" in html  # each language its own way
    assert "am \u206824. November 2026\u200e\u2069" in html
    assert "nog niet nagelezen" not in html
    draft = render_html(make_environment(), content, job, tr)
    assert "nog niet nagelezen" in draft and "Anna Example" not in draft


def test_update_of_an_unchanged_project_changes_no_file(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales)
    result = run_build("update", "--locales", str(locales))
    assert result.returncode == 0, result.stderr
    assert "unchanged: " in result.stdout
    for path in sorted((ROOT / "locales").rglob("*.po*")):
        assert (locales / path.relative_to(ROOT / "locales")).read_bytes() == path.read_bytes()


def test_catalog_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails midway leaves the previous catalog byte for byte."""
    root = project_copy(tmp_path)
    path = catalog_path(root / "locales", "de", "cyberpesten")
    before = path.read_bytes()
    loaded = read_catalog(path, "de")

    def full_disk(self: object, *args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(catalogs.os, "replace", full_disk)
    from kit.errors import UserError

    with pytest.raises(UserError, match="No space left on device"):
        catalogs.write_catalog(loaded.catalog, path)
    assert path.read_bytes() == before
    assert not list(path.parent.glob(".*.tmp"))
