"""The kit's vendored fonts: @font-face rules, per-script stacks, glyph coverage.

This module is the one place that knows which font file serves which script,
so the stylesheet the renderer loads and the glyph preflight can never
disagree about what a language is printed with.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont

FONTS_DIR = Path(__file__).resolve().parents[2] / "fonts"


@dataclass(frozen=True)
class Face:
    family: str
    file: str
    weight: int
    style: str = "normal"


FACES: tuple[Face, ...] = (
    Face("Kit Sans", "NotoSans-Regular.ttf", 400),
    Face("Kit Sans", "NotoSans-Bold.ttf", 700),
    Face("Kit Sans", "NotoSans-Italic.ttf", 400, "italic"),
    Face("Kit Sans", "NotoSans-BoldItalic.ttf", 700, "italic"),
    Face("Kit Arabic", "NotoNaskhArabic-Regular.ttf", 400),
    Face("Kit Arabic", "NotoNaskhArabic-Bold.ttf", 700),
    Face("Kit Ethiopic", "NotoSansEthiopic-Regular.ttf", 400),
    Face("Kit Ethiopic", "NotoSansEthiopic-Bold.ttf", 700),
    Face("Kit Georgian", "NotoSansGeorgian-Regular.ttf", 400),
    Face("Kit Georgian", "NotoSansGeorgian-Bold.ttf", 700),
    Face("Kit Nastaliq", "NotoNastaliqUrdu-Regular.ttf", 400),
    Face("Kit Nastaliq", "NotoNastaliqUrdu-Bold.ttf", 700),
    # Noto Sans CJK SC cut down to the GB 2312 repertoire (7,445 characters,
    # every character of everyday Simplified Chinese), so the repository
    # carries 7 MB rather than 33; each PDF embeds only the characters it uses.
    Face("Kit Chinese", "NotoSansSC-GB2312-Regular.otf", 400),
    Face("Kit Chinese", "NotoSansSC-GB2312-Bold.otf", 700),
)

# The first family of a stack sets the script's letters; "Kit Sans" after it
# supplies Latin digits and punctuation a translation may contain.
STACKS: dict[str, tuple[str, ...]] = {
    "Latn": ("Kit Sans",),
    "Cyrl": ("Kit Sans",),
    "Arab": ("Kit Arabic", "Kit Sans"),
    "Ethi": ("Kit Ethiopic", "Kit Sans"),
    "Geor": ("Kit Georgian", "Kit Sans"),
    "Grek": ("Kit Sans",),
    "Aran": ("Kit Nastaliq", "Kit Sans"),
    "Hans": ("Kit Chinese", "Kit Sans"),
}


def font_css() -> str:
    """@font-face rules and one font stack per script, as a stylesheet."""
    rules = [
        f'@font-face {{ font-family: "{face.family}"; src: url("{face.file}"); '
        f"font-weight: {face.weight}; font-style: {face.style}; }}"
        for face in FACES
    ]
    for script, stack in STACKS.items():
        families = ", ".join(f'"{family}"' for family in stack)
        rules.append(f'[data-script="{script}"] {{ font-family: {families}; }}')
    return "\n".join(rules) + "\n"


@cache
def _cmap(file: str) -> frozenset[int]:
    with TTFont(FONTS_DIR / file, lazy=True) as font:
        return frozenset(font.getBestCmap())


@cache
def coverage(script: str) -> frozenset[int]:
    """Code points every upright weight of some family in the script's stack can draw."""
    covered: set[int] = set()
    for family in STACKS[script]:
        faces = [f for f in FACES if f.family == family and f.style == "normal"]
        covered |= frozenset.intersection(*(_cmap(f.file) for f in faces))
    return frozenset(covered)


def missing_glyphs(script: str, text: str) -> set[str]:
    """Characters of `text` that the script's fonts cannot draw.

    Spaces and invisible format characters (such as the zero-width non-joiner
    Persian needs) are shaping instructions, not glyphs, and are skipped.
    """
    covered = coverage(script)
    return {
        ch
        for ch in set(text)
        if ord(ch) not in covered and not ch.isspace() and unicodedata.category(ch) != "Cf"
    }


def is_arabic_letter(ch: str) -> bool:
    """A letter of the Arabic script (Arabic, Persian, Urdu, Pashto…): drawn by the Arabic face."""
    return 0x0600 <= ord(ch) <= 0x06FF or 0x0750 <= ord(ch) <= 0x077F or 0xFB50 <= ord(ch) <= 0xFEFF
