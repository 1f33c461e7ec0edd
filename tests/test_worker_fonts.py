"""A worker drops Pango's fonts between tasks; what it lays out next is unchanged."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from conftest import ROOT

from kit.pdf import produce
from kit.pdf.streams import text_runs
from kit.plan import LeafletPlan, plan
from kit.render import RenderLog, render_html
from kit.sources.content import load_content
from kit.translations import load_languages, translations_for

CONTENT = load_content(ROOT / "content")


def _poster(languages: tuple[str, ...], fit: int) -> bytes:
    """A poster in Arabic or Tigrinya beside the Dutch, laid out and written."""
    job = next(j for j in plan([LeafletPlan("cyberpesten", list(languages), True)],
                               ["poster"], ["office"]) if j.languages == languages)
    states = load_languages(CONTENT, ROOT / "locales", list(languages))
    r = produce.renderer()
    html = render_html(r.env, CONTENT, job, translations_for(CONTENT, states, languages))
    return r.layout(html, job, False, RenderLog(), fit=fit).write_pdf()


def _drawn(data: bytes, tmp_path: Path) -> tuple[int, dict]:
    path = tmp_path / "poster.pdf"
    path.write_bytes(data)
    with pikepdf.open(path) as pdf:
        return len(pdf.pages), dict(text_runs(pdf))


@pytest.mark.parametrize("languages", [("nl", "ar"), ("nl", "ti")])
def test_a_layout_after_the_fonts_were_dropped_draws_the_same_glyphs(
        languages: tuple[str, ...], tmp_path: Path) -> None:
    before = _drawn(_poster(languages, 80), tmp_path)
    produce.renderer().forget_fonts()
    after = _drawn(_poster(languages, 80), tmp_path)
    assert before == after
    assert before[1], "the poster sets text"


def test_a_task_drops_the_fonts_when_it_is_done(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    dropped = []
    r = produce.renderer()
    monkeypatch.setattr(r, "forget_fonts", lambda: dropped.append(True))
    job = next(j for j in plan([LeafletPlan("cyberpesten", ["nl", "ar"], True)],
                               ["poster"], ["office"]) if j.languages == ("nl", "ar"))
    states = load_languages(CONTENT, ROOT / "locales", ["nl", "ar"])
    results = produce.produce_group([job], CONTENT, translations_for(CONTENT, states,
                                                                     job.languages),
                                    tmp_path, True, {})
    assert not results[0].error and results[0].written
    assert dropped == [True]
