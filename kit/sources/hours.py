"""Opening hours as data: which weekdays, from when to when.

A school writes its hours once, in a fixed form, and the kit prints them in
every language with CLDR's weekday names and time format (`kit/values.py`).
Free text such as "ma–vr 8.15–16.00" cannot be translated, so it is refused.

In a profile, a list of lines:

    hours:
      - {days: mo-fr, from: "08:15", to: "16:00"}
      - {days: we, from: "08:15", to: "12:00"}   # a later line for the same day replaces it

In a school list (and also accepted in a profile), the same as text:
`mo-fr 08:15-16:00; we 08:15-12:00`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

DAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
FORMAT = ("write hours as `mo-fr 08:15-16:00; we 08:15-12:00` (days mo tu we th fr sa su, "
          "single, as a list `mo,tu,th` or a range `mo-fr`; 24-hour times HH:MM)")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_LINE = re.compile(r"^(?P<days>[a-z,\s-]+?)\s+(?P<start>\d{1,2}:\d{2})\s*[-–]\s*"
                   r"(?P<end>\d{1,2}:\d{2})$")


class HoursError(ValueError):
    """What is wrong with an hours value; the reader adds the file and line."""


@dataclass(frozen=True)
class Hours:
    """For each weekday that has hours (0 is Monday), from when to when, in week order."""

    days: tuple[tuple[int, datetime.time, datetime.time], ...]

    def groups(self) -> list[tuple[list[int], datetime.time, datetime.time]]:
        """Days with the same times together, in the order of their first day."""
        grouped: dict[tuple[datetime.time, datetime.time], list[int]] = {}
        for day, start, end in self.days:
            grouped.setdefault((start, end), []).append(day)
        return [(days, start, end) for (start, end), days in grouped.items()]


def parse_days(text: str) -> list[int]:
    """`mo-fr`, `we`, `mo,tu,th,fr` → weekday numbers (0 is Monday)."""
    days: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        ends = [e.strip() for e in part.split("-")]
        if not part or len(ends) > 2 or any(e not in DAYS for e in ends):
            raise HoursError(f"`{text}` are not days; {FORMAT}")
        first, last = DAYS.index(ends[0]), DAYS.index(ends[-1])
        if last < first:
            raise HoursError(f"the days `{part}` run backwards; {FORMAT}")
        days += [d for d in range(first, last + 1) if d not in days]
    return days


def parse_time(text: str) -> datetime.time:
    match = _TIME.match(text.strip())
    if not match:
        raise HoursError(f"`{text}` is not a time; {FORMAT}")
    return datetime.time(int(match[1]), int(match[2]))


def hours_from_lines(lines: list[tuple[str, str, str]]) -> Hours:
    """(days, from, to) lines, in order; a later line for a day replaces an earlier one."""
    by_day: dict[int, tuple[datetime.time, datetime.time]] = {}
    for days, start_text, end_text in lines:
        start, end = parse_time(start_text), parse_time(end_text)
        if end <= start:
            raise HoursError(f"`{start_text}-{end_text}` ends before it starts; {FORMAT}")
        for day in parse_days(days):
            by_day[day] = (start, end)
    return Hours(tuple((day, *by_day[day]) for day in sorted(by_day)))


def parse_hours_text(text: str) -> Hours:
    """`mo-fr 08:15-16:00; we 08:15-12:00` → Hours."""
    lines = []
    for part in (p.strip() for p in text.split(";")):
        match = _LINE.match(part.lower())
        if not match:
            raise HoursError(f"`{part or text}` is not in the hours format; {FORMAT}")
        lines.append((match["days"], match["start"], match["end"]))
    return hours_from_lines(lines)
