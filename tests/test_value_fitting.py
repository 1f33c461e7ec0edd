"""A value wider than its column: its label goes above it, then it is set smaller, never broken."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import ROOT

from kit.pdf.fitting import TooWide, floor_pt, value_fits
from kit.pdf.produce import renderer
from kit.plan import LeafletPlan, plan_school
from kit.render import RenderLog, render_html
from kit.sources.content import load_content
from kit.sources.languages import known_languages
from kit.sources.school import School, load_school
from kit.translations import load_languages, translations_for
from kit.values import Fits

if TYPE_CHECKING:
    from weasyprint.document import Document

CONTENT = load_content(ROOT / "content")
# One unbreakable part of 60 characters: too wide for a single column beside
# its label; one of 45, for a column beside the Dutch at the body's size.
LONG_WEB = "www.gemeentelijke-basisschool-sint-jan-baptist-de-la-salle-noord.be"
WIDE_WEB = "www.gemeentelijke-basisschool-sint-jan-baptist.be"


def school(tmp_path: Path, website: str) -> School:
    text = (ROOT / "schools/example.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^website: .*$", f"website: {website}", text)
    text = re.sub(r"(?m)^(logo|site_url): .*$", "", text)
    profile = tmp_path / "school.yaml"
    profile.write_text(text, encoding="utf-8")
    return load_school(profile, [c for c in known_languages() if c != "nl"])


def layout(school: School, languages: tuple[str, ...], fits: Fits | None = None
           ) -> tuple[str, Document]:
    job = next(j for j in plan_school(school.slug,
                                      [LeafletPlan("cyberpesten", list(languages[1:]), True)],
                                      [], ["brochure"], ["screen"])
               if j.languages == languages)
    states = load_languages(CONTENT, ROOT / "locales", ["nl", *languages])
    html = render_html(renderer().env, CONTENT, job,
                       translations_for(CONTENT, states, job.languages), school=school,
                       fits=fits)
    return html, renderer().layout(html, job, False, RenderLog())


def test_the_floor_is_an_x_height_of_1_2_mm() -> None:
    # Noto Sans: x-height 536/1000 em; 1.2 mm / 0.536 = 2.24 mm = 6.35 pt.
    assert floor_pt() == pytest.approx(6.35, abs=0.01)


def test_a_value_too_wide_beside_its_label_goes_under_it(tmp_path: Path) -> None:
    profile = school(tmp_path, LONG_WEB)
    html, first = layout(profile, ("nl",))
    assert 'class="details above"' not in html
    fits = value_fits(first)
    assert list(fits) == [("nl", "web", next(k[2] for k in fits))]
    html, second = layout(profile, ("nl",), fits)
    assert html.count('class="details above"') == 1
    assert value_fits(second) == {}


def test_a_value_too_wide_for_the_column_is_set_smaller_not_broken(tmp_path: Path) -> None:
    profile = school(tmp_path, WIDE_WEB)
    _, first = layout(profile, ("nl", "ar"))
    fits = value_fits(first)
    assert {key[:2] for key in fits} == {("nl", "web"), ("ar", "web")}
    sizes = {key[0]: fit.size_pt for key, fit in fits.items()}
    assert all(size is not None and floor_pt() <= size < 10 for size in sizes.values()), sizes
    html, second = layout(profile, ("nl", "ar"), fits)
    assert value_fits(second) == {}
    # In each column, that value only.
    assert re.findall(r'style="font-size: ([0-9.]+)pt"', html) == [str(sizes["nl"]),
                                                                   str(sizes["ar"])]


def test_a_value_that_would_need_less_than_the_floor_stops_the_build(tmp_path: Path) -> None:
    website = "www." + "basisschool" * 8 + ".be"
    _, first = layout(school(tmp_path, website), ("nl", "fr"))
    with pytest.raises(TooWide, match=r"^the web `www\.basisschool.*` does not fit its "
                                      r"column even at 6\.35 pt \(it would need [0-9.]+ pt\); "
                                      r"shorten it$"):
        value_fits(first)
