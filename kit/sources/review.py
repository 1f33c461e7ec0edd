"""Per-message review state, kept in the catalogs as translator comments.

Translator comments (`# …`) are the one part of a PO entry that Poedit,
Weblate, GNU msgmerge and `pybabel update` all keep, so the kit records there:

    # back-translation: what the translation says, in English
    # reviewed: Anna Example, 2026-11-25, 3f9c01a2b4
    # review-comment: Anna Example: a remark for the translator
    # memory: from the leaflet `cyberpesten`, message `melden.clb` (identical Dutch)

The last field of `reviewed:` is a fingerprint of the Dutch and the
translation the reviewer approved. When either changes (a Dutch edit makes the
message fuzzy; a translator edits the text), the fingerprint no longer matches
and the message counts as out of date until it is reviewed again.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from babel.messages.catalog import Message

from kit.sources.fonts import missing_glyphs

BACK_TRANSLATION = "back-translation:"
REVIEWED = "reviewed:"
REVIEW_COMMENT = "review-comment:"
# Where the translation memory found a translation (`catalogs.fill_from_memory`).
MEMORY = "memory:"
MARKS = (BACK_TRANSLATION, REVIEWED, REVIEW_COMMENT, MEMORY)
_REVIEWED = re.compile(r"^reviewed:\s*(.+?),\s*(\d{4}-\d{2}-\d{2}),\s*([0-9a-f]{10})\s*$")

# A reviewer's name is printed in every file's colophon ("reviewed by …"), in
# the Dutch column and the translation's: 200 characters still fit a
# colophon line or two; more is a paste gone wrong.
MAX_REVIEWER_LENGTH = 200
# Direction marks, embeddings, overrides and isolates: inside a printed
# sentence one of them can turn the rest of the line around.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")

# The state of one message, from the translator's and the reviewer's side.
UNTRANSLATED, OUT_OF_DATE, TRANSLATED, REVIEWED_STATE = (
    "untranslated", "out of date", "translated", "reviewed")


@dataclass(frozen=True)
class Mark:
    reviewer: str
    date: datetime.date
    fingerprint: str


def fingerprint(context: str, source: str, translation: str) -> str:
    """What a reviewer approved: the Dutch and the translation, as ten hex digits."""
    data = f"{context}\x04{source}\x00{translation}".encode()
    return hashlib.sha256(data).hexdigest()[:10]


def message_fingerprint(message: Message) -> str:
    return fingerprint(message.context or "", str(message.id), str(message.string or ""))


def reviewer_problem(name: str) -> str | None:
    """What makes a reviewer's name unprintable, as the end of a sentence, or None.

    The name stands in the Dutch column too, so it must be drawn by the Latin
    face (Latin, Cyrillic and Greek letters), which follows every script's.
    """
    if not name:
        return "is empty"
    if len(name) > MAX_REVIEWER_LENGTH:
        return f"is {len(name)} characters long; at most {MAX_REVIEWER_LENGTH} fit the colophon"
    for ch in name:
        if ch in BIDI_CONTROLS:
            return f"contains the direction control U+{ord(ch):04X}; remove it"
        if unicodedata.category(ch) == "Cc":
            return f"contains the control character U+{ord(ch):04X}; remove it"
    missing = missing_glyphs("Latn", name)
    if missing:
        chars = " ".join(f"U+{ord(c):04X} ({c})" for c in sorted(missing))
        return (f"contains {chars}, which the kit's fonts cannot draw; write it in Latin, "
                "Cyrillic or Greek letters")
    return None


def _fields(comments: Iterable[str]) -> dict[str, str]:
    """Each mark's text; a mark Babel wrapped over several comment lines is joined."""
    fields: dict[str, str] = {}
    current: str | None = None
    for line in comments:
        text = line.strip()
        mark = next((m for m in MARKS if text.startswith(m)), None)
        if mark is not None:
            current = mark
            fields[mark] = text
        elif current is not None and text:
            fields[current] += " " + text
        else:
            current = None
    return fields


def memory_note(message: Message) -> str:
    """Where the translation memory took the translation from, or ""."""
    return _fields(message.user_comments).get(MEMORY, "")


def back_translation(message: Message) -> str:
    text = _fields(message.user_comments).get(BACK_TRANSLATION, "")
    return text[len(BACK_TRANSLATION):].strip()


def review_mark(message: Message) -> Mark | None:
    match = _REVIEWED.match(_fields(message.user_comments).get(REVIEWED, ""))
    if match is None:
        return None
    try:
        date = datetime.date.fromisoformat(match.group(2))
    except ValueError:
        return None
    return Mark(match.group(1), date, match.group(3))


def state(message: Message | None) -> str:
    """untranslated, out of date (fuzzy, or changed since its review), translated, reviewed."""
    if message is None or not isinstance(message.string, str) or not message.string.strip():
        return UNTRANSLATED
    if message.fuzzy:
        return OUT_OF_DATE
    mark = review_mark(message)
    if mark is None:
        return TRANSLATED
    return REVIEWED_STATE if mark.fingerprint == message_fingerprint(message) else OUT_OF_DATE


def _without(comments: Iterable[str], marks: set[str]) -> list[str]:
    """The comments with the given marks (and their wrapped continuations) removed."""
    kept: list[str] = []
    dropping = False
    for line in comments:
        text = line.strip()
        mark = next((m for m in MARKS if text.startswith(m)), None)
        if mark is not None:
            dropping = mark in marks
        elif not text:
            dropping = False
        if not dropping:
            kept.append(line)
    return kept


def mark_reviewed(message: Message, reviewer: str, date: datetime.date) -> None:
    """Record that `reviewer` approved the message as it stands now."""
    comments = _without(message.user_comments, {REVIEWED})
    comments.append(f"{REVIEWED} {reviewer}, {date.isoformat()}, {message_fingerprint(message)}")
    message.user_comments = comments


def add_review_comment(message: Message, reviewer: str, comment: str) -> None:
    comments = _without(message.user_comments, {REVIEW_COMMENT})
    comments.append(f"{REVIEW_COMMENT} {reviewer}: {' '.join(comment.split())}")
    message.user_comments = comments
