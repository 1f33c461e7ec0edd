"""A poster's text-scale search in a worker that already built another school's poster."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT

from kit.pdf import produce
from kit.plan import LeafletPlan, plan_school
from kit.render import Renderer
from kit.sources.content import load_content
from kit.sources.languages import known_languages
from kit.sources.school import School, load_school
from kit.translations import load_languages, translations_for

CONTENT = load_content(ROOT / "content")
STATES = load_languages(CONTENT, ROOT / "locales", ["nl"])
PROFILE = (ROOT / "schools/example.yaml").read_text(encoding="utf-8")


def school(tmp_path: Path, slug: str, contacts: int) -> School:
    """The example school under another name, with `contacts` of its contacts (repeated)."""
    text = re.sub(r"(?m)^slug: .*$", f"slug: {slug}", PROFILE)
    text = re.sub(r"(?m)^(logo|site_url): .*$", "", text)
    head, rest = text.split("\ncontacts:\n", 1)
    entries = re.split(r"\n(?=  - role:)", rest.split("\nclb:", 1)[0])
    text = f"{head}\ncontacts:\n" + "\n".join((entries * 3)[:contacts]) + "\nclb:" + rest.split(
        "\nclb:", 1)[1]
    path = tmp_path / f"{slug}.yaml"
    path.write_text(text, encoding="utf-8")
    return load_school(path, [c for c in known_languages() if c != "nl"])


def dutch_poster(tmp_path: Path, one: School) -> tuple[int, int]:
    """The school's Dutch A4 poster produced: its text scale, and how many layouts it took."""
    job = next(j for j in plan_school(one.slug, [LeafletPlan("cyberpesten", [], True)], [],
                                      ["poster"], ["office"])
               if j.languages == ("nl",) and j.paper == "A4")
    laid_out = []
    original = Renderer.layout

    def counted(self: Renderer, *args: object, **kwargs: object) -> object:
        laid_out.append(1)
        return original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Renderer, "layout", counted)
        result = produce.produce(job, CONTENT, translations_for(CONTENT, STATES, job.languages),
                                 tmp_path / one.slug, True, one)
    assert not result.error, result.error
    return result.written[0].fit, len(laid_out)


@pytest.fixture
def fresh_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("_fits_by_mix", "_fits_by_count", "_overflowed"):
        monkeypatch.setattr(produce, name, {})


def alone_and_after(tmp_path: Path, first: School, second: School
                    ) -> tuple[tuple[int, int], tuple[int, int]]:
    """The second school's Dutch poster built alone, then after the first's in one worker."""
    alone = dutch_poster(tmp_path, second)
    produce._fits_by_mix.clear()
    produce._overflowed.clear()
    dutch_poster(tmp_path, first)
    return alone, dutch_poster(tmp_path, second)


@pytest.mark.usefixtures("fresh_worker")
def test_a_foot_as_tall_as_one_that_overflowed_skips_the_probe(tmp_path: Path) -> None:
    alone, after = alone_and_after(tmp_path, school(tmp_path, "eerste", 2),
                                   school(tmp_path, "tweede", 2))
    assert after[0] == alone[0], "the same scale as when the school is built alone"
    assert after[1] == 1, "one layout: the scale known to fit, the step above known not to"


@pytest.mark.usefixtures("fresh_worker")
def test_a_shorter_foot_probes_and_may_find_a_larger_scale(tmp_path: Path) -> None:
    # The foot sets three contacts a row: four take two rows, two take one.
    alone, after = alone_and_after(tmp_path, school(tmp_path, "lang", 4),
                                   school(tmp_path, "kort", 2))
    assert after[0] == alone[0]
    assert after[1] >= 2, "the step above was laid out: a shorter foot may fit there"
