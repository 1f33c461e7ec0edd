"""Incremental builds, tested by what is rendered, never by timing."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_build

from kit import inputs
from kit.plan import LeafletPlan, plan

TR_ENTRY = r'(msgctxt "aanpakken.dader.punten.waarom"\nmsgid "[^"]*"\nmsgstr "[^"]*)"'


@pytest.fixture
def copy(full_build: Path, tmp_path: Path) -> tuple[Path, Path]:
    out, locales = tmp_path / "out", tmp_path / "locales"
    shutil.copytree(full_build, out)
    shutil.copytree(ROOT / "locales", locales)
    return out, locales


def build(out: Path, locales: Path) -> str:
    result = run_build("--strict", "--output", str(out), "--locales", str(locales))
    assert result.returncode == 0, result.stderr
    return result.stdout


def rendered(stdout: str) -> set[str]:
    return set(re.findall(r"^\[ *\d+/\d+\] (\S+)", stdout, re.MULTILINE))


def test_editing_one_catalog_rebuilds_exactly_that_language(copy: tuple[Path, Path]) -> None:
    out, locales = copy
    po = locales / "tr/LC_MESSAGES/cyberpesten.po"
    po.write_text(re.sub(TR_ENTRY, r'\1!"', po.read_text(encoding="utf-8"), count=1),
                  encoding="utf-8")
    stdout = build(out, locales)
    files = rendered(stdout)
    assert len(files) == 18  # 3 products x 3 editions, alone and beside Dutch
    assert all(path.split("/")[2] in {"tr", "nl-tr"} for path in files)
    # The summary says what the preflight of those files cost in the workers.
    checked, work = map(float, re.search(r"preflight ([\d.]+) s of ([\d.]+) s in the workers",
                                         stdout).groups())
    assert 0 < checked < work


def test_deleted_or_altered_output_is_rendered_again(copy: tuple[Path, Path]) -> None:
    out, locales = copy
    (out / "cyberpesten/print/fa/poster-a3.pdf").unlink()
    with (out / "cyberpesten/screen/uk/brochure-a5.pdf").open("ab") as fileobj:
        fileobj.write(b"% tampered\n")
    files = rendered(build(out, locales))
    assert "cyberpesten/print/fa/poster-a3.pdf" in files
    assert "cyberpesten/screen/uk/brochure-a5.pdf" in files
    # Only the two jobs concerned, each with all its editions.
    assert files == {f"cyberpesten/{e}/fa/poster-a3.pdf" for e in ("print", "office", "screen")} | {
        "cyberpesten/print/uk/brochure-a5.pdf", "cyberpesten/screen/uk/brochure-a5.pdf",
        "cyberpesten/office/uk/brochure-a5-booklet.pdf"}


def test_changed_template_changes_exactly_the_jobs_that_use_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jobs = plan(
        [LeafletPlan("cyberpesten", ["nl", "ar"], True)],
        ["brochure", "poster"],
        ["print", "office", "screen"],
    )
    locales, content = ROOT / "locales", ROOT / "content"
    shared = inputs.shared_inputs(content)
    before = {j.name: inputs.job_inputs(j, shared, locales, True) for j in jobs}
    real = inputs.file_hash

    def edited(path: Path) -> str:
        return "edited" if path.name == "poster.html" else real(path)

    monkeypatch.setattr(inputs, "file_hash", edited)
    after = {j.name: inputs.job_inputs(j, shared, locales, True) for j in jobs}
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {j.name for j in jobs if j.product == "poster"}


def test_a_language_added_to_the_list_rebuilds_nothing_else(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from kit.sources import languages

    jobs = plan(
        [LeafletPlan("cyberpesten", ["nl", "ar"], True)],
        ["brochure", "poster"],
        ["print", "office", "screen"],
    )
    shared = inputs.shared_inputs(ROOT / "content")
    before = {j.name: inputs.job_inputs(j, shared, ROOT / "locales", True) for j in jobs}
    text = languages.LANGUAGES_FILE.read_text(encoding="utf-8")
    edited = tmp_path / "languages.yaml"
    monkeypatch.setattr(languages, "LANGUAGES_FILE", edited)
    try:
        # Lingala, above every other translation: each later entry's line moves.
        edited.write_text(
            text.replace("  - {code: fr,", "  - {code: ln, script: Latn}\n  - {code: fr,"),
            encoding="utf-8",
        )
        languages._entries.cache_clear()
        assert "ln" in languages.known_languages()
        after = {j.name: inputs.job_inputs(j, shared, ROOT / "locales", True) for j in jobs}
        assert after == before
        # A change to Arabic's entry changes exactly the files that print Arabic.
        edited.write_text(
            text.replace(
                "{code: ar, script: Arab}", "{code: ar, script: Arab, names: {nl: Arabisch}}"
            ),
            encoding="utf-8",
        )
        languages._entries.cache_clear()
        after = {j.name: inputs.job_inputs(j, shared, ROOT / "locales", True) for j in jobs}
        changed = {name for name in before if before[name] != after[name]}
        assert changed == {j.name for j in jobs if "ar" in j.languages}
    finally:
        monkeypatch.undo()
        languages._entries.cache_clear()


def test_unchanged_build_renders_nothing(copy: tuple[Path, Path]) -> None:
    out, locales = copy
    stdout = build(out, locales)
    assert rendered(stdout) == set()
    assert ", 0 to render," in stdout


def test_same_inputs_give_identical_bytes(full_build: Path, tmp_path: Path) -> None:
    result = run_build("--strict", "--lang", "ar", "--output", str(tmp_path))
    assert result.returncode == 0, result.stderr
    files = sorted(
        p.relative_to(tmp_path)
        for p in tmp_path.rglob("*.pdf")
        if p.relative_to(tmp_path).parts[0] != "site"
    )
    assert len(files) == 18
    for rel in files:
        assert (tmp_path / rel).read_bytes() == (full_build / rel).read_bytes(), rel


def test_narrow_build_after_an_edit_keeps_every_language_on_the_site(
    copy: tuple[Path, Path],
) -> None:
    """`--lang tr` after a catalog edit: the site is rebuilt with all its languages."""
    out, locales = copy
    po = locales / "tr/LC_MESSAGES/cyberpesten.po"
    po.write_text(
        re.sub(TR_ENTRY, r'\1!"', po.read_text(encoding="utf-8"), count=1), encoding="utf-8"
    )
    result = run_build("--strict", "--lang", "tr", "--output", str(out), "--locales", str(locales))
    assert result.returncode == 0, result.stderr
    assert "web edition:" in result.stdout
    assert "!" in (out / "site/tr/cyberpesten.html").read_text(encoding="utf-8")
    assert (out / "site/en/index.html").is_file()
    assert (out / "site/ar/cyberpesten-nl.html").is_file()
    assert not list(out.glob(".site*"))
