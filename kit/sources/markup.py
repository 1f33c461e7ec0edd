"""Inline markup and placeholders in content and translations.

Strings come from content editors and from translators, so they are
untrusted: everything is escaped, and only bare `<em>`/`<strong>` tags are
turned back into HTML. A translation must use exactly the tags and
placeholders of its Dutch source.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping

from markupsafe import Markup, escape

ALLOWED_TAGS = ("em", "strong")
_ALLOWED = re.compile(r"</?(?:" + "|".join(ALLOWED_TAGS) + r")>")
_ANY_TAG = re.compile(r"</?[A-Za-z!?][^<>]*>?")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def tokens(text: str) -> Counter[str]:
    """Tags and placeholders of a string, counted (their order may differ)."""
    found: Counter[str] = Counter(m.group(0) for m in _ANY_TAG.finditer(text))
    found.update(m.group(0) for m in PLACEHOLDER.finditer(text))
    return found


def problems(text: str) -> list[str]:
    """What is wrong with the markup of one string on its own."""
    issues = []
    for match in _ANY_TAG.finditer(text):
        if not _ALLOWED.fullmatch(match.group(0)):
            issues.append(f"markup `{match.group(0)}` is not allowed (only <em> and <strong>)")
    depth: list[str] = []
    for match in _ALLOWED.finditer(text):
        tag = match.group(0)
        name = tag.strip("</>")
        if tag.startswith("</"):
            if not depth or depth.pop() != name:
                issues.append(f"`{tag}` closes a tag that is not open")
        else:
            depth.append(name)
    if depth:
        issues.append(f"`<{depth[-1]}>` is never closed")
    return issues


BIDI_EMBEDDINGS = set("\u202a\u202b\u202c\u202d\u202e")
ISOLATE_OPENERS, ISOLATE_CLOSER = set("\u2066\u2067\u2068"), "\u2069"
MAX_LENGTH = 5000


def character_problems(text: str) -> str | None:
    """Characters a printed text must not contain, or None.

    Bidi embeddings and overrides (U+202A–U+202E) can print a sentence
    backwards and unbalanced isolates leak into what follows; control
    characters are invisible; a message of thousands of characters is a
    paste gone wrong and would take minutes to lay out.
    """
    if len(text) > MAX_LENGTH:
        return f"the text is {len(text)} characters long; at most {MAX_LENGTH}"
    depth = 0
    for ch in text:
        code = ord(ch)
        if ch in BIDI_EMBEDDINGS:
            return f"the bidi control character U+{code:04X} is not allowed; remove it"
        if ch in ISOLATE_OPENERS:
            depth += 1
        elif ch == ISOLATE_CLOSER:
            depth -= 1
            if depth < 0:
                return "the bidi isolate U+2069 closes nothing; remove it"
        elif (code < 0x20 and ch != "\n") or 0x7F <= code < 0xA0:
            return f"the control character U+{code:04X} is not allowed; remove it"
    if depth:
        return "a bidi isolate (U+2066–U+2068) is never closed with U+2069; remove it"
    return None


def compare(source: str, translation: str) -> str | None:
    """Why a translation's tags or placeholders differ from its source, or None."""
    bad = character_problems(translation)
    if bad:
        return bad
    own = problems(translation)
    if own:
        return own[0]
    want, have = tokens(source), tokens(translation)
    if want == have:
        return None
    missing = sorted((want - have).elements())
    extra = sorted((have - want).elements())
    parts = []
    if missing:
        parts.append("missing " + ", ".join(f"`{t}`" for t in missing))
    if extra:
        parts.append("unexpected " + ", ".join(f"`{t}`" for t in extra))
    return "tags or placeholders differ from the Dutch: " + "; ".join(parts)


def to_html(text: str, values: Mapping[str, str] | None = None) -> Markup:
    """Escape a string for HTML, keeping allowed inline tags and filling placeholders."""
    escaped = str(escape(text))
    escaped = re.sub(
        r"&lt;(/?)(" + "|".join(ALLOWED_TAGS) + r")&gt;", lambda m: f"<{m[1]}{m[2]}>", escaped
    )
    if values is not None:

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:
                raise KeyError(name)
            return str(escape(values[name]))

        escaped = PLACEHOLDER.sub(fill, escaped)
    return Markup(escaped)


def isolated_text(value: str) -> str:
    """A value inserted into a sentence, wrapped so bidi cannot reorder it.

    A first-strong isolate (U+2068 … U+2069) keeps it one run; a mark of its
    own direction at its end keeps a final "?" or ")" with it where the line
    breaks inside the value, which WeasyPrint lays out per line.
    """
    strong = next((unicodedata.bidirectional(ch) for ch in value
                   if unicodedata.bidirectional(ch) in {"L", "R", "AL"}), None)
    mark = {"L": "\u200e", "R": "\u200f", "AL": "\u200f"}.get(strong or "", "")
    return f"\u2068{value}{mark}\u2069"


def plain(text: str) -> str:
    """The visible characters of a string (tags removed), for glyph checks."""
    return _ALLOWED.sub("", text)
