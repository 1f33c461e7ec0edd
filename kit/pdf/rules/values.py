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
from kit.values import reading_text, right_to_left, value_pattern


def _school_file(output: Output) -> bool:
    return output.school is not None


def values_whole(s: Subject) -> Iterator[Problem]:
    """Every value the school's pages show comes back whole, in logical order, from the text.

    Left-to-right values are read from the text as drawn (each block in its
    logical order). Right-to-left ones (a name in Arabic script, a Persian
    time range) come back from poppler in visual order: a tagged (screen)
    file gives them from its structure tree, as a screen reader reads them;
    an untagged one has no logical order to give, and they are not checked
    there. An imposed booklet's sheets put its pages out of reading order:
    there each value must come back whole, in any order.
    """
    ordered = not s.output.imposed
    values = s.expect.values
    yield from _found(reading_text(s.drawn_text),
                      [v for v in values if not right_to_left(v[1])], ordered)
    if s.output.edition == "screen":
        yield from _found(reading_text(s.reading),
                          [v for v in values if right_to_left(v[1])], ordered)


def _found(text: str, values: list[tuple[str, str]], ordered: bool) -> Iterator[Problem]:
    position = 0
    for kind, value in values:
        pattern = value_pattern(kind, value)
        found = pattern.search(text, position)
        if found is not None:
            position = found.end() if ordered else 0
        elif pattern.search(text):
            yield None, f"the {kind} `{value}` comes back out of order"
        else:
            yield None, (f"the {kind} `{value}` does not come back whole from the text "
                         "layer: cut, broken at a place a reader cannot tell, or reordered")


RULES = (
    Rule("VAL001", "values", _school_file, values_whole),
)
