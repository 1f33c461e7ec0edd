"""Inline markup and placeholders in content and translations.

Strings come from content editors and from translators, so they are
untrusted: everything is escaped, and only bare `<em>`/`<strong>` tags are
turned back into HTML. A translation must use exactly the tags and
placeholders of its Dutch source.
"""

from __future__ import annotations

import re
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


def compare(source: str, translation: str) -> str | None:
    """Why a translation's tags or placeholders differ from its source, or None."""
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


def plain(text: str) -> str:
    """The visible characters of a string (tags removed), for glyph checks."""
    return _ALLOWED.sub("", text)
