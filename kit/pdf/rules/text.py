"""TXT: the text layer: the kit's fonts, embedded, and text that extracts in every script."""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping

import pikepdf

from kit.pdf.rules.base import Problem, Rule, Subject, everywhere, on_screen
from kit.plan import Output
from kit.sources.content import Content, Credit, Text, section_texts
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
    if "\ufffd" in s.characters:
        yield None, "text contains U+FFFD: a character could not be mapped"
    for code in s.output.languages:
        script = language(code).script
        if len(SCRIPT_RANGES[script].findall(s.characters)) < LETTERS:
            yield None, f"no extractable {script} text for `{code}`"


# Characters that steer layout or mark a possible break but are no part of a
# word; hyphenation's hyphen (U+2010) at a line's end joins the word's halves.
_INVISIBLE = re.compile("[\u00ad\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_HYPHENATED = re.compile("(.)\u2010\\s+(.)")
_TAG = re.compile(r"</?(?:em|strong)>")
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
# Chinese is written without spaces: each character counts as a word.
HAN = "\u3400-\u9fff"


def _marks() -> str:
    """Every combining mark (Unicode category M) as ranges for a character class."""
    marks = [c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c))[0] == "M"]
    ranges: list[list[int]] = []
    for c in marks:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                   for a, b in ranges)


# A word: letters, digits (what `\w` takes, less the underscore) and marks, Han
# apart. A regular expression, as the preflight reads every file's words.
_WORD = re.compile(f"(?:[^\\W_{HAN}]|[{_marks()}])+|[{HAN}]")


def words(text: str) -> Counter[str]:
    """The words of a text, compared the way a reader would: NFKC, case folded.

    A word is a run of letters, marks and digits, so a zero-width non-joiner
    (Persian "می‌توانم") separates two words, and losing it joins them.
    """
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).casefold()
    return Counter(_WORD.findall(text))


def _script(letter: str) -> str:
    return unicodedata.name(letter, "").split(" ")[0]


def unhyphenated(text: str) -> str:
    """Text with each word hyphenation broke joined again.

    pdftotext's reading order puts a bilingual page's columns line by line,
    so a Dutch line's hyphenated half may be followed by an Amharic line: a
    word never goes on in another script, so there the hyphen is a break.
    """
    def join(found: re.Match[str]) -> str:
        before, after = found.group(1), found.group(2)
        other = before.isalpha() and after.isalpha() and _script(before) != _script(after)
        return f"{before} {after}" if other else before + after

    return _HYPHENATED.sub(join, text)


def message_texts(content: Content, output: Output,
                  strings: Mapping[str, Mapping[str, str] | None]) -> dict[str, tuple[str, ...]]:
    """What each language of a file must say: the whole advice, or a poster's rules of thumb.

    Labels, names and numbers vary by edition and school; the advice is what
    a parent must be able to read, search and hear.
    """
    texts: list[Text]
    if output.product == "brochure":
        texts = [content.document.title]
        for section in content.document.sections:
            texts += section_texts(section)
    elif output.product == "poster" and content.document.rules is not None:
        rules = content.document.rules
        # A credit is printed once, in Dutch, on a school's multilingual poster.
        credits = {b.text.key for b in rules.blocks if isinstance(b, Credit)}
        texts = [t for t in section_texts(rules) if t.key not in credits]
    else:
        return {}
    return {code: tuple(_plain(text.source if strings.get(code) is None
                               else strings[code][text.key]) for text in texts)
            for code in output.languages}


def _plain(message: str) -> str:
    """A message as printed, without its inline tags; a placeholder's value is not known."""
    return _PLACEHOLDER.sub(" ", _TAG.sub("", message))


def message_words(s: Subject) -> Iterator[Problem]:
    """Every word of every message comes back from the text layer (screen: as read aloud).

    Tagged files are read as a screen reader reads them, in the structure
    tree's order with each element's ActualText; others through pdftotext.
    Compared after NFKC normalisation and case folding, with hyphenation
    undone. The threshold is every word: a parent who hears, searches or
    copies the advice must get all of it, and one lost word is a lost
    instruction; a missing word list says where.
    """
    if not s.expect.messages:
        return
    if "/StructTreeRoot" in s.pdf.Root:
        have = words(unhyphenated(s.reading))
    else:
        # pdftotext's two reading orders each lose something: the default one
        # interleaves the lines of two columns (a hyphenated word's halves
        # fall apart), the raw one splits an Ethiopic word where its glyphs
        # change font. A word comes back if either gives it. The raw order
        # alone gives every word of nearly every file, and what is missing
        # from it is what decides whether the other is read (one run of
        # pdftotext less, the same findings).
        have = words(unhyphenated(s.drawn_text))
        if _missing(have, s.expect.messages):
            have |= words(unhyphenated(s.text))
    for code, (share, missing) in _missing(have, s.expect.messages).items():
        sample = ", ".join(word for word, _ in missing.most_common(5))
        yield None, (f"{share:.1%} of the `{code}` words come back from the text layer, "
                     f"not all; missing: {sample}")


def _missing(have: Counter[str], messages: Mapping[str, tuple[str, ...]]
             ) -> dict[str, tuple[float, Counter[str]]]:
    """Per language, the share of its words that come back and the words that do not.

    A word two languages share must be there twice: each language takes its
    words from what is left by the ones before it.
    """
    left = Counter(have)
    found = {}
    for code, texts in messages.items():
        want = _wanted(texts)
        missing = want - left
        left -= want
        if missing:
            found[code] = (1 - missing.total() / want.total(), missing)
    return found


@functools.lru_cache(maxsize=64)
def _wanted(texts: tuple[str, ...]) -> Counter[str]:
    """The words of a language's messages: the same for each edition of a layout (read only)."""
    return sum((words(text) for text in texts), Counter())


def brackets_in_order(s: Subject) -> Iterator[Problem]:
    """Brackets come back in logical order: in each block of the reading, one closes after it opens.

    A bracket drawn right to left is drawn with its mirror's glyph, and one
    glyph maps to one character: read through the glyphs, the source of a
    Persian credit line, "(onderwijs.vlaanderen.be)", comes back as
    ")onderwijs.vlaanderen.be(", and so may a Dutch one that shares the font.
    Its words all come back (TXT003 counts words, not punctuation); the
    reading does not. Screen files, read in the structure tree's order: an
    extractor's guess at a page's direction (poppler reads a page of more
    Dutch than Persian left to right) may show any bracket of a
    right-to-left line the other way round, whatever the file says.
    """
    for line in s.reading.splitlines():
        depth = 0
        for at, character in enumerate(line):
            kind = unicodedata.category(character)
            if kind == "Ps":
                depth += 1
            elif kind == "Pe" and depth:
                depth -= 1
            elif kind == "Pe":
                yield None, f"a bracket comes back reversed: `{line[max(0, at - 30):at + 30]}`"
                break


RULES = (
    Rule("TXT001", "fonts", everywhere, fonts_embedded),
    Rule("TXT002", "text", everywhere, language_text),
    Rule("TXT003", "words", everywhere, message_words),
    Rule("TXT004", "brackets", on_screen, brackets_in_order),
)
