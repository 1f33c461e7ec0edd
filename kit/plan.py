"""The build plan: every output the kit makes, declared as data before rendering.

A `Job` is one product of one leaflet in one language set, rendered in one worker; it
writes one `Output` file per edition. Editions that share a page geometry
share a layout, so the screen and office files are laid out once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kit.sources.languages import SOURCE_LANGUAGE

PRODUCTS: dict[str, tuple[str, ...]] = {"brochure": ("A5",), "poster": ("A4", "A3")}
EDITIONS = ("print", "office", "screen")
PAPER_MM: dict[str, tuple[float, float]] = {"A3": (297, 420), "A4": (210, 297), "A5": (148, 210)}
# The smallest size, in points, of the rules of thumb on a multilingual poster:
# on A3, 14 pt bold reads from 1.5 m; the A4 sheet is for a notice board read
# from about a metre. The README gives the reasoning.
POSTER_FLOOR_PT: dict[str, float] = {"A3": 14.0, "A4": 10.0}
PROFILES_DIR = Path(__file__).resolve().parent.parent / "profiles"


@dataclass(frozen=True)
class Condition:
    """A characterised printing condition, as the PDF/X output intent names it."""

    key: str
    identifier: str  # the ICC registry's name of the condition
    info: str
    profile: str  # file in profiles/

    def profile_bytes(self) -> bytes:
        return (PROFILES_DIR / self.profile).read_bytes()


CONDITIONS: dict[str, Condition] = {
    "fogra39": Condition("fogra39", "FOGRA39",
                         "Coated FOGRA39 (ISO 12647-2:2004), offset on coated paper",
                         "FOGRA39L.icc"),
    "fogra29": Condition("fogra29", "FOGRA29",
                         "Uncoated FOGRA29 (ISO 12647-2:2004), offset on uncoated paper",
                         "FOGRA29L.icc"),
}
DEFAULT_CONDITION = "fogra39"


@dataclass(frozen=True)
class Output:
    product: str
    paper: str
    languages: tuple[str, ...]
    edition: str
    school: str | None = None  # a school's slug; None for the department's edition
    leaflet: str | None = None  # the leaflet's id; None for a pack's printing guide

    @property
    def path(self) -> str:
        """Where the file lands, relative to `output/`: a leaflet's files in its own folder."""
        folder = f"schools/{self.school}/" if self.school else ""
        if self.product == "guide":
            return f"{folder}printing-guide.pdf"
        langs = "multilingual" if self.multilingual else "-".join(self.languages)
        suffix = "-booklet" if self.imposed else ""
        return (f"{folder}{self.leaflet}/{self.edition}/{langs}/"
                f"{self.product}-{self.paper.lower()}{suffix}.pdf")

    @property
    def multilingual(self) -> bool:
        """Dutch and several translations on one sheet: a school's poster."""
        return len(self.languages) > 2

    @property
    def imposed(self) -> bool:
        """Office brochures are printed two-up on A4 and folded into a booklet."""
        return self.edition == "office" and self.product == "brochure"

    @property
    def sheet_paper(self) -> str:
        return "A4" if self.imposed else self.paper

    @property
    def bilingual(self) -> bool:
        return len(self.languages) == 2

    @property
    def translation(self) -> str | None:
        """The one language that is not Dutch, if there is exactly one."""
        others = [code for code in self.languages if code != SOURCE_LANGUAGE]
        return others[0] if len(others) == 1 else None


def planned_bookmarks(output: Output, headings: int) -> int | None:
    """How many bookmarks a brochure must have, from the content's headings.

    Each language column has the title, every section heading and, in a
    school's edition, the contact page's two headings (school and CLB); the
    colophon is in the translation and in Dutch. A section lost or laid out
    twice changes the count. Office booklets are imposed sheets with no
    bookmarks, and posters have none.
    """
    if output.product != "brochure" or output.imposed:
        return None
    per_language = 1 + headings + (2 if output.school else 0)
    colophon = len({*output.languages, SOURCE_LANGUAGE})
    return len(output.languages) * per_language + colophon


@dataclass(frozen=True)
class Job:
    """One product in one language set: its layouts and the files written from them."""

    product: str
    paper: str
    languages: tuple[str, ...]
    outputs: tuple[Output, ...]
    school: str | None = None
    leaflet: str | None = None

    @property
    def name(self) -> str:
        name = f"{self.product}-{self.paper.lower()}-{'-'.join(self.languages)}"
        if self.leaflet:
            name = f"{self.leaflet}/{name}"
        return f"{self.school}/{name}" if self.school else name

    @property
    def template(self) -> str:
        return "poster-multi.html" if len(self.languages) > 2 else f"{self.product}.html"

    @property
    def layouts(self) -> tuple[bool, ...]:
        """The page geometries needed, as `bleed` flags: screen and office files
        share one layout without bleed; print-shop files need bleed and marks."""
        editions = {o.edition for o in self.outputs}
        return tuple(bleed for bleed in (False, True)
                     if (bleed and "print" in editions) or (not bleed and editions - {"print"}))


def language_sets(languages: list[str]) -> list[tuple[str, ...]]:
    """Dutch alone, then every translation alone and beside the Dutch."""
    sets: list[tuple[str, ...]] = []
    if SOURCE_LANGUAGE in languages:
        sets.append((SOURCE_LANGUAGE,))
    for code in languages:
        if code != SOURCE_LANGUAGE:
            sets += [(code,), (SOURCE_LANGUAGE, code)]
    return sets


def _job(product: str, paper: str, langs: tuple[str, ...], editions: list[str],
         school: str | None = None, leaflet: str | None = None) -> Job:
    outputs = tuple(Output(product, paper, langs, e, school, leaflet) for e in editions)
    return Job(product, paper, langs, outputs, school, leaflet)


@dataclass(frozen=True)
class LeafletPlan:
    """What one leaflet contributes to a build: its id, its built languages, its posters."""

    id: str
    languages: list[str]
    has_rules: bool  # a leaflet without a rules section has no posters


def plan(leaflets: list[LeafletPlan], products: list[str], editions: list[str]) -> list[Job]:
    """The department's edition: every leaflet, language set, product and paper."""
    return [
        _job(product, paper, langs, editions, leaflet=leaflet.id)
        for leaflet in leaflets
        for langs in language_sets(leaflet.languages)
        for product in products if product == "brochure" or leaflet.has_rules
        for paper in PRODUCTS[product]
    ]


def plan_school(
    slug: str, leaflets: list[LeafletPlan], poster_languages: list[str], products: list[str],
    editions: list[str],
) -> list[Job]:
    """A school's pack: per leaflet its brochures and its Dutch and multilingual posters;
    one printing guide for all."""
    jobs = []
    for leaflet in leaflets:
        if "brochure" in products:
            jobs += [_job("brochure", "A5", langs, editions, slug, leaflet.id)
                     for langs in language_sets([SOURCE_LANGUAGE, *leaflet.languages])]
        if "poster" in products and leaflet.has_rules:
            poster_sets = [(SOURCE_LANGUAGE,)]
            posters = [c for c in poster_languages if c in leaflet.languages]
            if posters:
                poster_sets.append((SOURCE_LANGUAGE, *posters))
            jobs += [_job("poster", paper, langs, editions, slug, leaflet.id)
                     for langs in poster_sets for paper in PRODUCTS["poster"]]
    # The guide names every file of the pack, so it is made with every pack.
    jobs.append(_job("guide", "A4", (SOURCE_LANGUAGE,), ["screen"], slug))
    return jobs
