"""TXT: the text layer: the kit's fonts, embedded, and text that extracts in every script."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pikepdf

from kit.pdf.rules.base import Problem, Rule, Subject, everywhere
from kit.sources.languages import language

# At least this many letters of each of the file's scripts must extract: far
# fewer than any message has, so only a script that is missing entirely fails.
LETTERS = 20
SCRIPT_RANGES = {
    "Latn": re.compile(r"[A-Za-zÀ-ɏ]"),
    "Cyrl": re.compile(r"[Ѐ-ӿ]"),
    "Arab": re.compile(r"[؀-ۿ]"),
    "Ethi": re.compile(r"[ሀ-፿]"),
    "Aran": re.compile(r"[؀-ۿ]"),
    "Geor": re.compile(r"[Ⴀ-ჿ]"),
    "Grek": re.compile(r"[Ͱ-Ͽ]"),
    "Hans": re.compile(r"[一-鿿]"),
}


def _fonts(pdf: pikepdf.Pdf) -> Iterator[tuple[int, pikepdf.Dictionary]]:
    """Every font any page uses, including those inside form XObjects, with its page."""
    seen: set[tuple[int, int]] = set()
    for number, page in enumerate(pdf.pages, start=1):
        stack = [page.obj.get("/Resources", pikepdf.Dictionary())]
        while stack:
            resources = stack.pop()
            for font in resources.get("/Font", pikepdf.Dictionary()).values():
                if not font.is_indirect or font.objgen not in seen:
                    seen.add(font.objgen)
                    yield number, font
            for xobject in resources.get("/XObject", pikepdf.Dictionary()).values():
                if "/Resources" in xobject:
                    stack.append(xobject.Resources)


def fonts_embedded(s: Subject) -> Iterator[Problem]:
    """Every font is embedded and one of the kit's own (never a system font)."""
    for number, font in _fonts(s.pdf):
        name = str(font.get("/BaseFont", "?"))
        target = font.DescendantFonts[0] if "/DescendantFonts" in font else font
        descriptor = target.get("/FontDescriptor")
        if descriptor is None or not any(
            key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
        ):
            yield number, f"font {name} is not embedded"
        elif "+Kit-" not in name:
            yield number, f"font {name} is not one of the kit's fonts (a system font was used)"


def language_text(s: Subject) -> Iterator[Problem]:
    """Text extracts in each of the file's languages' scripts, with no unmappable character."""
    if "\ufffd" in s.text:
        yield None, "text contains U+FFFD: a character could not be mapped"
    for code in s.output.languages:
        script = language(code).script
        if len(SCRIPT_RANGES[script].findall(s.text)) < LETTERS:
            yield None, f"no extractable {script} text for `{code}`"


RULES = (
    Rule("TXT001", "fonts", everywhere, fonts_embedded),
    Rule("TXT002", "text", everywhere, language_text),
)
