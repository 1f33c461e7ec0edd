"""Nothing lost under faults: kills at many points, a second build, damaged records."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, run_build

from kit.sources.catalogs import catalog_path, discover_catalogs, read_catalog

# Kill points, in seconds after the process started: bounded count and time.
KILL_AFTER = (0.3, 0.8, 1.5, 2.5, 4.0)


def kill_after(args: list[str], seconds: float, cwd: Path = ROOT) -> None:
    with subprocess.Popen([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          start_new_session=True) as process:
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def consistent(out: Path) -> None:
    """Every listed file is whole and as listed; no half-written file is visible."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    result = run_build("check", "--output", str(out))
    assert result.returncode == 0, result.stdout[-2000:]
    visible = {str(p.relative_to(out)) for p in out.rglob("*")
               if p.is_file() and not any(part.startswith(".") or part == "site" for part in
                                          p.relative_to(out).parts)}
    assert visible == {e["path"] for e in manifest} | {"manifest.json"}
    # The web edition is published whole or not at all (staged, then renamed).
    site = out / "site"
    assert not site.exists() or (site / ".site-inputs").is_file()


def test_build_killed_at_many_points_recovers(tmp_path: Path) -> None:
    out = tmp_path / "out"
    posters = ["--lang", "ar", "--product", "poster", "--output", str(out)]
    assert run_build(*posters).returncode == 0
    for seconds in KILL_AFTER:
        kill_after(["--force", *posters], seconds)
        consistent(out)
    assert run_build("--force", *posters).returncode == 0
    consistent(out)
    assert not list(out.glob(".staging-*"))


def test_update_killed_at_many_points_loses_no_entry(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for name in ("content", "templates", "locales"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "babel.cfg", project)
    before = {(code, domain): len(read_catalog(path, code).catalog)
              for domain in ("kit", "cyberpesten")
              for code, path in discover_catalogs(project / "locales", domain).items()}
    args = ["update", "--content", str(project / "content"),
            "--locales", str(project / "locales")]
    # `update` takes about half a second: these land before, during and after the writes.
    for seconds in (0.2, 0.3, 0.35, 0.4, 0.45, 0.5):
        kill_after(args, seconds, cwd=project)
        for (code, domain), count in before.items():
            loaded = read_catalog(catalog_path(project / "locales", code, domain), code)
            assert len(loaded.catalog) == count, (code, domain)


def test_second_build_in_the_same_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with (out / ".build.lock").open("a+", encoding="utf-8") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        holder.write("4242")
        holder.flush()
        result = run_build("--lang", "nl", "--product", "poster", "--output", str(out))
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "another build (process 4242) is writing to this folder; wait for it to finish and "
        "try again")
    assert not (out / "manifest.json").exists()


def test_check_compares_every_file_with_the_manifest(full_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(full_build, out)
    # A valid PDF, but not the one listed: a move interrupted halfway would leave this.
    shutil.copy(
        out / "cyberpesten/screen/fr/poster-a4.pdf", out / "cyberpesten/screen/de/poster-a4.pdf"
    )
    result = run_build("check", "--output", str(out))
    assert result.returncode == 1
    assert re.search(r"cyberpesten/screen/de/poster-a4\.pdf\s+FAIL\s+checksum", result.stdout)


def test_damaged_manifest_and_a_narrow_build_still_list_every_file(
    full_build: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(full_build, out)
    count = len(json.loads((out / "manifest.json").read_text(encoding="utf-8")))
    (out / "manifest.json").write_text("{ not json", encoding="utf-8")
    assert run_build("--lang", "nl", "--product", "poster", "--output", str(out)).returncode == 0
    assert len(json.loads((out / "manifest.json").read_text(encoding="utf-8"))) == count


def test_a_narrow_build_after_a_catalog_was_deleted_changes_nothing(tmp_path: Path) -> None:
    """The site shows every language built: a missing catalog stops the build before the PDFs."""
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    small = ["--product", "poster", "--edition", "screen", "--output", "out",
             "--locales", "locales"]
    assert run_build("--lang", "fr", "--lang", "de", *small, cwd=tmp_path).returncode == 0
    shutil.rmtree(tmp_path / "locales/de")

    def files() -> dict[str, bytes]:
        return {str(p.relative_to(tmp_path / "out")): p.read_bytes()
                for p in (tmp_path / "out").rglob("*") if p.is_file() and p.name != ".build.lock"}

    before = files()
    result = run_build("--force", "--lang", "fr", *small, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: locales/de/LC_MESSAGES/kit.po: cannot read the catalog: No such file or "
        "directory; the web edition in out shows `de`, built earlier: restore the catalog, or "
        "delete `de`'s folders there; nothing was built")
    assert "[" not in result.stdout  # not one layout rendered
    assert files() == before


def test_content_ids_cannot_collide_with_the_layout(full_build: Path, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    path = content / "leaflets" / "cyberpesten.yaml"
    text = path.read_text(encoding="utf-8").replace("  - id: voorkomen\n", "  - id: colophon\n")
    path.write_text(text.replace("  - id: aanpakken\n", "  - id: blank-1\n"), encoding="utf-8")
    out = tmp_path / "out"
    result = run_build(
        "--strict",
        "--lang",
        "nl",
        "--product",
        "brochure",
        "--edition",
        "print",
        "--content",
        str(content),
        "--output",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    reference = json.loads((full_build / "manifest.json").read_text(encoding="utf-8"))
    pages = {e["path"]: e["pages"] for e in reference}
    assert manifest[0]["pages"] == pages["cyberpesten/print/nl/brochure-a5.pdf"]


def test_whitespace_translation_counts_as_missing() -> None:
    from kit.sources.catalogs import completeness
    from kit.sources.content import load_content

    content = load_content(ROOT / "content")
    loaded = read_catalog(catalog_path(ROOT / "locales", "tr", "cyberpesten"), "tr")
    rule = next(t for t in content.texts() if t.key == "vuistregels.regels.prive")
    before = completeness(content, loaded).translated
    loaded.catalog.get(rule.source, context=rule.key).string = " \u00a0 "
    assert loaded.translation(rule.key, rule.source) is None
    assert completeness(content, loaded).translated == before - 1


def test_output_that_cannot_be_a_folder_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("a file where the output folder should be", encoding="utf-8")
    result = run_build("--lang", "nl", "--product", "poster", "--output", str(out))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "cannot write to the output folder" in result.stderr


FULL_DISK_SCRIPT = """
import errno, sys
sys.path.insert(0, sys.argv[1])
from kit import cli, pipeline

def full(out, state, shards=None):
    raise OSError(errno.ENOSPC, "No space left on device", str(out / ".build-state.json"))

pipeline.write_state = full
sys.exit(cli.main(sys.argv[2:]))
"""


def test_a_full_disk_during_the_commit_says_what_was_moved(tmp_path: Path) -> None:
    script = tmp_path / "full.py"
    script.write_text(FULL_DISK_SCRIPT, encoding="utf-8")
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            str(script),
            str(ROOT),
            "--lang",
            "nl",
            "--product",
            "poster",
            "--edition",
            "screen",
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {out}/.build-state.json: No space left on device; 2 new files had already "
        "been moved into place, and the manifest may not list them yet: make room and build "
        "again, which finishes the job"
    ]
    assert not [p for p in out.rglob("*.tmp")]
    assert (
        run_build(
            "--lang", "nl", "--product", "poster", "--edition", "screen", "--output", str(out)
        ).returncode
        == 0
    )
    consistent(out)


def test_an_atomic_write_that_fails_leaves_no_tmp(tmp_path: Path, monkeypatch) -> None:
    from kit import manifest

    def full(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(manifest.os, "replace", full)
    target = tmp_path / "manifest.json"
    with pytest.raises(OSError):
        manifest.write_json_atomic(target, [1, 2])
    assert list(tmp_path.iterdir()) == []


def test_serve_refuses_a_port_that_is_no_port() -> None:
    result = run_build("serve", "--port", "99999")
    assert result.returncode == 2
    assert result.stderr == "error: --port must be a port number from 1 to 65535, not 99999\n"


def test_serve_on_a_busy_port_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "out/site").mkdir(parents=True)
    (tmp_path / "out/site/index.html").write_text("<p>site</p>", encoding="utf-8")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_build("serve", "--port", str(port), "--output", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr == (
        f"error: cannot serve on port {port}: Address already in use; choose another with --port\n"
    )


def test_serve_finds_a_school_s_site_by_its_slug(tmp_path: Path) -> None:
    shutil.copy(ROOT / "schools/example-logo.svg", tmp_path)
    shutil.copy(ROOT / "schools/example.yaml", tmp_path / "de-linde-profiel.yaml")
    site = tmp_path / "out/schools/example/site"
    site.mkdir(parents=True)
    (site / "index.html").write_text("<p>De Linde</p>", encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "serve",
            "--port",
            str(port),
            "--school",
            "de-linde-profiel.yaml",
            "--output",
            "out",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as server:
        assert server.stdout is not None
        line = server.stdout.readline()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
            assert b"De Linde" in page.read()
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=30)
    assert line.startswith("serving out/schools/example/site at ")
