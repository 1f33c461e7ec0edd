"""The kit's explanation of "CLB", right after the advice first names it, in every edition."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT
from markupsafe import escape

from kit.plan import LeafletPlan, plan
from kit.render import make_environment, render_html
from kit.sources.content import load_content
from kit.sources.languages import known_languages
from kit.translations import load_languages, translations_for

CONTENT = load_content(ROOT / "content")
CODES = list(known_languages())
NOTE = re.compile(r'<div class="kit-note">')


@pytest.fixture(scope="module")
def states() -> dict:
    return load_languages(CONTENT, ROOT / "locales", CODES)


def test_the_note_follows_the_first_text_naming_the_clb() -> None:
    key = CONTENT.first_naming("CLB")
    assert key is not None and key.endswith("voorzichtig")
    texts = [t.key for t in CONTENT.texts()]
    before = texts[:texts.index(key)]
    assert not any("CLB" in t.source for t in CONTENT.texts() if t.key in before)


@pytest.mark.parametrize("code", [c for c in CODES if c != "nl"])
def test_every_department_brochure_explains_the_clb(states: dict, code: str) -> None:
    jobs = [
        j
        for j in plan([LeafletPlan("cyberpesten", ["nl", code], True)], ["brochure"], ["screen"])
        if code in j.languages
    ]
    for job in jobs:
        tr = translations_for(CONTENT, states, job.languages)
        html = render_html(make_environment(), CONTENT, job, tr)
        notes = NOTE.findall(html)
        assert len(notes) == len(job.languages), (job.name, len(notes))
        label = tr.strings[code][CONTENT.label("note-added").key]
        assert label.split(" ")[0] in html
        # Directly after the paragraph that first names the CLB.
        first = str(escape(tr.strings[code][CONTENT.first_naming("CLB")]))
        after = html[html.index(first[:30]) :]
        assert after.index('class="kit-note"') < after.index("<li")


def test_the_dutch_screen_brochure_carries_the_note(full_build: Path) -> None:
    text = subprocess.run(
        ["pdftotext", str(full_build / "cyberpesten/screen/nl/brochure-a5.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = " ".join(text.split())
    assert "Uitleg bij deze uitgave, niet uit de oorspronkelijke tekst:" in flat
    assert "centrum voor leerlingenbegeleiding" in flat


@pytest.mark.parametrize("code", CODES)
def test_every_web_page_explains_the_clb(full_build: Path, code: str) -> None:
    pages = [full_build / "site" / code / "cyberpesten.html"]
    if code != "nl":
        pages.append(full_build / "site" / code / "cyberpesten-nl.html")
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert len(NOTE.findall(html)) == (2 if page.name.endswith("-nl.html") else 1), page
