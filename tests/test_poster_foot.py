"""A school's poster foot: four long contacts fit beside the Dutch, with roles in both languages."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import pikepdf
import pytest
from conftest import ROOT, run_build

from kit.pdf.produce import renderer, what_does_not_fit
from kit.pdf.streams import text_runs
from kit.plan import POSTER_FLOOR_PT, LeafletPlan, plan_school
from kit.render import RenderLog, render_html
from kit.sources.content import load_content
from kit.sources.languages import known_languages
from kit.sources.school import load_school
from kit.translations import load_languages, translations_for
from kit.values import reading_text, value_pattern

if TYPE_CHECKING:
    from weasyprint.document import Document

PROFILE = ROOT / "tests/corpus/hard-school.yaml"
# Right to left in Nastaliq and in Naskh, Ethiopic, and a long Latin translation.
POSTER_LANGUAGES = ["ur", "ar", "ti", "fr"]
SCRIPT = {"ur": "[\u0600-\u06ff]", "ar": "[\u0600-\u06ff]", "ti": "[\u1200-\u137f]"}


@pytest.fixture(scope="module")
def posters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hard profile's posters, each beside one language (one build, four copies of it)."""
    folder = tmp_path_factory.mktemp("foot")
    text = PROFILE.read_text(encoding="utf-8")
    args = []
    for code in POSTER_LANGUAGES:
        profile = folder / f"hard-{code}.yaml"
        copy = re.sub(r"(?m)^slug: .*$", f"slug: hard-{code}", text)
        copy = re.sub(r"(?m)^(poster_)?languages: .*$", rf"\g<1>languages: [{code}]", copy)
        profile.write_text(copy, encoding="utf-8")
        args += ["--school", str(profile)]
    out = folder / "out"
    result = run_build("--strict", *args, "--product", "poster", "--edition", "screen",
                       "--edition", "print", "--output", str(out))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


def rule_size(path: Path) -> float:
    """The size the rules of thumb are set in: the bold size most glyphs have."""
    with pikepdf.open(path) as pdf:
        sizes: Counter[float] = Counter()
        for run, count in text_runs(pdf).items():
            if run.font.endswith("-Bold"):
                sizes[round(run.size, 1)] += count
    return sizes.most_common(1)[0][0]


@pytest.mark.parametrize("code", POSTER_LANGUAGES)
@pytest.mark.parametrize("edition", ["print", "screen"])
@pytest.mark.parametrize("paper", ["a4", "a3"])
def test_four_long_contacts_fit_beside_the_dutch(posters: Path, code: str, edition: str,
                                                 paper: str) -> None:
    """One page, its rules at least at the multilingual poster's floor."""
    path = posters / f"schools/hard-{code}/cyberpesten/{edition}/nl-{code}/poster-{paper}.pdf"
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 1
    assert rule_size(path) >= POSTER_FLOOR_PT[paper.upper()] - 0.05


@pytest.mark.parametrize("code", POSTER_LANGUAGES)
def test_the_foot_gives_every_role_in_the_poster_s_language(posters: Path, code: str) -> None:
    school = load_school(PROFILE, [c for c in known_languages() if c != "nl"])
    path = posters / f"schools/hard-{code}/cyberpesten/screen/nl-{code}/poster-a4.pdf"
    text = reading_text(subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
                                       capture_output=True, text=True, check=True).stdout)
    start = text.index(school.name)
    end = value_pattern("email", school.clb.email or "").search(text, start)
    assert end, "the CLB's e-mail address is missing from the foot"
    foot = text[start:end.end()].replace("\n", " ")
    entries = len(school.contacts) + 1
    if code in SCRIPT:
        # Beyond the words of a contact's name written in the same script.
        names = " ".join(c.name for c in school.contacts)
        words = [w for w in foot.split() if re.search(SCRIPT[code], w) and w not in names]
        assert len(words) >= entries, (code, words)
    else:
        content = load_content(ROOT / "content")
        states = load_languages(content, ROOT / "locales", ["nl", code])
        strings = translations_for(content, states, ("nl", code)).strings[code]
        labels = [f"role-{c.role}" for c in school.contacts] + ["clb-heading"]
        for label in labels:
            assert strings[content.label(label).key] in foot, label


def _poster_layout(extra_style: str) -> Document:
    """The hard profile's nl-fr A4 poster at 50 %, with a style that overfills it."""
    content = load_content(ROOT / "content")
    school = load_school(PROFILE, [c for c in known_languages() if c != "nl"])
    job = next(j for j in plan_school(school.slug, [LeafletPlan("cyberpesten", ["fr"], True)],
                                      ["fr"], ["poster"], ["screen"])
               if j.languages == ("nl", "fr") and j.paper == "A4")
    states = load_languages(content, ROOT / "locales", ["nl", "fr"])
    html = render_html(renderer().env, content, job, translations_for(content, states,
                                                                      job.languages),
                       school=school)
    html = html.replace("</head>", f"<style>{extra_style}</style></head>")
    document = renderer().layout(html, job, False, RenderLog(), fit=50)
    assert len(document.pages) > 1
    return document


def test_a_poster_too_full_names_its_foot_when_the_foot_is_to_blame() -> None:
    message = what_does_not_fit(_poster_layout(".school-foot { font-size: 1.6rem; }"))
    assert message.startswith("the school's contacts at its foot take ")
    assert "of the page's 265 mm" in message


def test_a_poster_too_full_names_its_rules_when_they_are_to_blame() -> None:
    message = what_does_not_fit(_poster_layout(".rule p { font-size: 12em; }"))
    assert message == "shorten the rules of thumb"

