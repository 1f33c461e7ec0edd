"""VAL: a school's own words (names, numbers, addresses, times) come back whole and in order.

A parent who copies an e-mail address or a screen reader that reads a phone
number gets the text layer, not the picture: each value of the profile must
come back from it in one piece, broken across lines only at the points the
kit allows (`kit.values.breakable`), and in the order the page shows them.
"""

from __future__ import annotations

from collections.abc import Iterator

from kit.pdf.rules.base import Problem, Rule, Subject
from kit.plan import Output
from kit.values import reading_text, value_pattern


def _school_file(output: Output) -> bool:
    return output.school is not None and not output.imposed


def values_whole(s: Subject) -> Iterator[Problem]:
    """Every value the school's pages show comes back whole, in logical order, from the text."""
    text = reading_text(s.drawn_text)
    position = 0
    for kind, value in s.expect.values:
        pattern = value_pattern(kind, value)
        found = pattern.search(text, position)
        if found is not None:
            position = found.end()
        elif pattern.search(text):
            yield None, f"the {kind} `{value}` comes back out of order"
        else:
            yield None, (f"the {kind} `{value}` does not come back whole from the text "
                         "layer: cut, broken at a place a reader cannot tell, or reordered")


RULES = (
    Rule("VAL001", "values", _school_file, values_whole),
)
