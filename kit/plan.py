"""The build plan: every output the kit makes, declared as data before rendering.

A `Job` is one product in one language set, rendered in one worker; it
writes one `Output` file per edition. Editions that share a page geometry
share a layout, so the screen and office files are laid out once.
"""

from __future__ import annotations

from dataclasses import dataclass

from kit.languages import SOURCE_LANGUAGE

PRODUCTS: dict[str, tuple[str, ...]] = {"brochure": ("A5",), "poster": ("A4", "A3")}
EDITIONS = ("print", "office", "screen")
PAPER_MM: dict[str, tuple[float, float]] = {"A3": (297, 420), "A4": (210, 297), "A5": (148, 210)}


@dataclass(frozen=True)
class Output:
    product: str
    paper: str
    languages: tuple[str, ...]
    edition: str

    @property
    def path(self) -> str:
        """Where the file lands, relative to `output/`."""
        langs = "-".join(self.languages)
        suffix = "-booklet" if self.imposed else ""
        return f"{self.edition}/{langs}/{self.product}-{self.paper.lower()}{suffix}.pdf"

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
        """The language that is not Dutch, if any."""
        others = [code for code in self.languages if code != SOURCE_LANGUAGE]
        return others[0] if others else None


@dataclass(frozen=True)
class Job:
    """One product in one language set: its layouts and the files written from them."""

    product: str
    paper: str
    languages: tuple[str, ...]
    outputs: tuple[Output, ...]

    @property
    def name(self) -> str:
        return f"{self.product}-{self.paper.lower()}-{'-'.join(self.languages)}"

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


def plan(languages: list[str], products: list[str], editions: list[str]) -> list[Job]:
    return [
        Job(product, paper, langs, tuple(Output(product, paper, langs, e) for e in editions))
        for langs in language_sets(languages)
        for product in products
        for paper in PRODUCTS[product]
    ]
