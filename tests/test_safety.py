"""Untrusted strings render safely, only the kit's own files load, and a killed
build never leaves a truncated PDF or a changed manifest behind."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, run_build

from kit.manifest import sha256_file
from kit.pdf.preflight import pdf_text
from kit.pdf.produce import produce
from kit.plan import LeafletPlan, plan
from kit.render import Renderer, RenderLog, Translations
from kit.sources.catalogs import Review
from kit.sources.content import load_content

HOSTILE = [
    "file:///etc/passwd",
    "http://example.org/track.png",
    f"file://{ROOT}/build.py",  # a project file that is not an asset
    f"file://{ROOT}/fonts/../kit/errors.py",
]


def test_fetcher_refuses_everything_but_the_kits_assets() -> None:
    html = "".join(
        [f'<img src="{HOSTILE[0]}">', f'<link rel="stylesheet" href="{HOSTILE[1]}">',
         f'<img src="{HOSTILE[2]}">', f'<a rel="attachment" href="{HOSTILE[3]}">x</a>',
         "<p>tekst</p>"]
    )
    job = plan([LeafletPlan("cyberpesten", ["nl"], True)], ["poster"], ["screen"])[0]
    log = RenderLog()
    renderer = Renderer()
    document = renderer.layout(html, job, False, log)
    pdf = document.write_pdf()
    assert set(log.refused) >= {HOSTILE[0], HOSTILE[1], HOSTILE[2]}
    assert b"root:" not in pdf and b"EmbeddedFile" not in pdf
    assert not [u for u in log.refused if "/fonts/Noto" in u]


def test_hostile_translation_is_printed_as_text_never_loaded(tmp_path: Path) -> None:
    """Even past the catalog checks, a translation cannot load a file."""
    content = load_content(ROOT / "content")
    job = next(
        j
        for j in plan([LeafletPlan("cyberpesten", ["en"], True)], ["poster"], ["screen"])
        if j.languages == ("en",)
    )
    strings = {t.key: t.source for t in content.texts()}
    strings["vuistregels.regels.prive"] = f'<img src="{HOSTILE[0]}"> rule'
    result = produce(
        job, content, Translations({"en": strings, "nl": None}, Review()), tmp_path, strict=True
    )
    assert result.error is None, result.error
    text = pdf_text(result.written[0].staged)
    assert '<img src="file:///etc/passwd">' in text.replace("\n", " ")
    assert "root:" not in text


def test_killed_build_leaves_output_consistent(full_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(full_build, out)
    manifest = (out / "manifest.json").read_bytes()
    with subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--force", "--output", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    ) as process:
        assert process.stdout is not None
        process.stdout.readline()  # the plan line: rendering has started
        time.sleep(4)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert list(out.glob(".staging-*")), "the build was killed before it staged anything"
    assert (out / "manifest.json").read_bytes() == manifest
    for entry in json.loads(manifest):
        assert sha256_file(out / entry["path"]) == entry["sha256"], entry["path"]
    visible = {
        str(p.relative_to(out))
        for p in out.rglob("*.pdf")
        if not p.relative_to(out).parts[0].startswith(".") and p.relative_to(out).parts[0] != "site"
    }
    assert visible == {e["path"] for e in json.loads(manifest)}
    # The next build clears the abandoned staging folder (strict like the build
    # it copies, so it has nothing to render again).
    assert run_build("--strict", "--output", str(out)).returncode == 0
    assert not list(out.glob(".staging-*"))


def test_file_url_with_a_host_is_refused_without_a_lookup(monkeypatch) -> None:
    import socket

    looked_up: list[str] = []

    def no_lookup(host: str, *args: object, **kwargs: object) -> list:
        looked_up.append(host)
        raise OSError("no lookups in tests")

    monkeypatch.setattr(socket, "getaddrinfo", no_lookup)
    monkeypatch.setattr(socket, "gethostbyname", no_lookup)
    job = plan([LeafletPlan("cyberpesten", ["nl"], True)], ["poster"], ["screen"])[0]
    log = RenderLog()
    url = f"file://tracker.example{ROOT}/styles/kit.css"  # an asset path, behind a host
    Renderer().layout(f'<link rel="stylesheet" href="{url}"><p>tekst</p>', job, False, log)
    assert url in log.refused
    assert looked_up == []


FONT_COPIES_SCRIPT = """
import sys
from concurrent.futures import ProcessPoolExecutor
sys.path.insert(0, sys.argv[1])
from kit.render import Renderer, RenderLog

def lay_out(_):
    renderer = Renderer()
    renderer.render("<p>tekst</p>", renderer.stylesheets((), RenderLog()), RenderLog())

if __name__ == "__main__":
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(lay_out, range(2)))
"""


def test_render_processes_leave_no_font_copies_in_the_temp_folder(tmp_path: Path) -> None:
    """WeasyPrint copies the web fonts into a temporary folder for each process."""
    temp = tmp_path / "temp"
    temp.mkdir()
    script = tmp_path / "lay_out.py"
    script.write_text(FONT_COPIES_SCRIPT, encoding="utf-8")
    subprocess.run(
        [sys.executable, str(script), str(ROOT)],
        check=True,
        timeout=120,
        env={**os.environ, "TMPDIR": str(temp)},
    )
    assert list(temp.iterdir()) == []
