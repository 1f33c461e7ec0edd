"""A school's values on the page: names, numbers and addresses as atoms, hours in every language.

A phone number, e-mail or web address, street address or time range is the
school's own text and must reach a parent whole and in its own order:

- each is its own left-to-right block (`dir="ltr"`), because bidi isolation
  holds only within one paragraph, and a value that wraps inside an Arabic
  paragraph is reordered across its lines;
- it is set in the Latin face, also inside Urdu, Chinese or Ethiopic text
  (Nastaliq digits and spaces are too narrow to read a number);
- it breaks only where a parent can still read it: a phone number never, an
  e-mail or web address after "@", "." or "/" (never at its own hyphen, which
  a parent would drop), a street address after a comma, nowhere else. Break
  points are zero-width spaces; a word joiner after a hyphen forbids the
  break there. Neither is drawn nor copied into the text layer. A value too
  wide for its column then is set smaller (`kit.pdf.fitting`), never broken.

Opening hours are data (`kit/sources/hours.py`), printed in the column's
language with CLDR's weekday names, time format and digits.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from babel import Locale
from babel.dates import format_interval, get_day_names
from babel.lists import format_list
from markupsafe import Markup, escape

from kit.sources.fonts import is_arabic_letter
from kit.sources.hours import Hours
from kit.sources.languages import DIGITS, language
from kit.sources.school import School

ZWSP, WJ, NBSP = "\u200b", "\u2060", "\u00a0"
LRI, RLI, PDI = "\u2066", "\u2067", "\u2069"
# The kinds of value, and whether each is set left to right in the Latin face.
LATIN_KINDS = {"phone", "email", "web", "address"}
# A street address is read in Dutch (a screen reader's Dutch voice says "Lindenlaan").
DUTCH_KINDS = {"address"}


# A part of an e-mail or web address this short ("be", "com") stays with the
# part before it (`address_stretches`).
SHORT_STRETCH = 3


@dataclass(frozen=True)
class Fit:
    """A value too wide for its column in a first layout (`kit.pdf.fitting`): its label
    goes above it, and it is set at `size_pt` where its own size is still too wide."""

    size_pt: float | None


# (column's language tag, kind, the value's text with its break points) -> its fit
Fits = Mapping[tuple[str, str, str], Fit]


def breakable(value: str, kind: str) -> str:
    """The value's text with its break points and no-break points set."""
    if kind == "phone":
        return value.replace(" ", NBSP)
    if kind in {"email", "web"}:
        return ZWSP.join(part.replace("-", f"-{WJ}") for part in address_stretches(value))
    if kind == "address":
        return " ".join(p.replace(" ", NBSP).replace("-", f"-{WJ}")
                        for p in re.split(r"(?<=,)\s+", value))
    return value


def address_stretches(value: str) -> list[str]:
    """An e-mail or web address cut after each "@", "." or "/": the parts a line may end with.

    A part of three characters or fewer stays with the one before it: a line
    of "be" or "com" alone reads as a fault, not as the address's end.
    """
    stretches: list[str] = []
    for part in re.split(r"(?<=[@./])(?=.)", value):
        if stretches and len(part) <= SHORT_STRETCH:
            stretches[-1] += part
        else:
            stretches.append(part)
    return stretches


def direction_of(text: str) -> str:
    """The direction of the first strong character: a name may be written in Arabic script."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "ltr"
        if kind in {"R", "AL"}:
            return "rtl"
    return "ltr"


def script_of(text: str) -> str:
    """The kit's script code for a name: Arabic letters need the Arabic face."""
    return "Arab" if any(is_arabic_letter(ch) for ch in text) else "Latn"


def value_element(tag: str, kind: str, value: str, css_class: str = "",
                  within: str = "ltr", link: bool = False, fit: Fit | None = None) -> Markup:
    """One value as its own block: `<dd class="value value-email" dir="ltr" …>…</dd>`.

    `within` is the direction of the text around it: a value aligns with its
    column's start (the right in Arabic) whatever its own direction (a name
    in Arabic script in a Dutch column starts at the left). `link` makes a
    phone number, e-mail or web address a link (web pages). `fit`: the size
    a value too wide for its column is set at, measured on a first layout
    (so it is the layout's, not the stylesheet's).
    """
    # Aligned with the column's start, whatever the value's own direction.
    classes = ["value", f"value-{kind}", *css_class.split(), f"in-{within}"]
    if kind in LATIN_KINDS:
        attrs = 'dir="ltr" data-script="Latn"'
    else:  # a name: in its own script and direction
        attrs = f'dir="{direction_of(value)}" data-script="{script_of(value)}"'
    if kind in DUTCH_KINDS:
        attrs += ' lang="nl"'
    if fit is not None and fit.size_pt is not None:
        attrs += f' style="font-size: {fit.size_pt}pt"'
    text = escape(breakable(value, kind))
    href = link_target(kind, value) if link else None
    if href:
        text = Markup(f'<a href="{escape(href)}">{text}</a>')
    return Markup(f'<{tag} class="{" ".join(classes)}" {attrs}>{text}</{tag}>')


def link_target(kind: str, value: str) -> str | None:
    """`tel:`, `mailto:` or a web address for a value; a Belgian number in international form."""
    if kind == "phone":
        digits = re.sub(r"[^0-9+]", "", value)
        if digits.startswith("00"):
            digits = "+" + digits[2:]
        elif digits.startswith("0"):
            digits = "+32" + digits[1:]  # the kit's schools are Flemish
        return f"tel:{digits}"
    if kind == "email":
        return f"mailto:{value}"
    if kind == "web":
        return value if "://" in value else f"https://{value}"
    return None


# --- opening hours ------------------------------------------------------------


@cache
def range_separator(code: str) -> str:
    """What joins two ends of a range in this language: CLDR's time-interval separator.

    "–" in most languages, " – " in French and English, " تا " in Persian and Dari.
    """
    locale = Locale.parse(language(code).date_locale)
    text = format_interval(datetime.time(1, 0), datetime.time(2, 0), skeleton="Hm",
                           locale=locale)
    match = re.search(r"\d{1,2}:\d{2}(.+?)\d{1,2}:\d{2}", text)
    return match[1] if match else "–"


def _digits(text: str, code: str) -> str:
    return text.translate(str.maketrans(DIGITS["latn"], DIGITS[language(code).digits]))


def _isolated_range(text: str, separator: str) -> str:
    """A range kept in the reading order of its separator, whatever surrounds it.

    With a dash, "08:15–16:00" reads left to right in every script (in an
    Arabic line it would otherwise print as "16:00–08:15"); with a word such
    as Persian "تا" it reads right to left.
    """
    rtl = any(unicodedata.bidirectional(ch) in {"R", "AL"} for ch in separator)
    return f"{RLI if rtl else LRI}{text}{PDI}"


def _no_break(text: str) -> str:
    """No line break inside a range: after its dash or inside its separator."""
    return (text.replace("–", f"–{WJ}").replace(" ", NBSP)
            .replace("\u2009", "\u202f"))  # a thin space, made a narrow no-break one


def day_phrase(days: list[int], code: str) -> str:
    """Weekdays in the language: a run of three or more as a range, the rest as a list."""
    locale = Locale.parse(language(code).date_locale)
    names = get_day_names("wide", locale=locale)
    separator = range_separator(code)
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    items: list[str] = []
    for run in runs:
        if len(run) >= 3:
            items.append(_no_break(f"{names[run[0]]}{separator}{names[run[-1]]}"))
        else:
            items += [names[d] for d in run]
    return format_list(items, locale=locale)


def time_range(start: datetime.time, end: datetime.time, code: str) -> str:
    locale = Locale.parse(language(code).date_locale)
    text = format_interval(start, end, skeleton="Hm", locale=locale)
    return _isolated_range(_no_break(_digits(text, code)), range_separator(code))


def hours_lines(hours: Hours, code: str) -> list[str]:
    """One line per group of days with the same hours, in the language of `code`."""
    return [f"{day_phrase(days, code)} {time_range(start, end, code)}"
            for days, start, end in hours.groups()]


def hours_markup(hours: Hours, code: str) -> list[Markup]:
    """`hours_lines` as HTML: each time range written in Latin digits a run of its own.

    That run is left to right and in the Latin face, like every other value
    (Nastaliq's digits and spaces are too narrow to read a time); a range in
    the language's own digits (Persian, Dari, Pashto) stays in its face.
    """
    latin = language(code).digits == "latn"
    lines = []
    for days, start, end in hours.groups():
        times = time_range(start, end, code)
        run = (Markup('<span class="value-time" dir="ltr" data-script="Latn">{}</span>')
               .format(times) if latin else escape(times))
        lines.append(Markup('<span class="days">{}</span> {}').format(day_phrase(days, code), run))
    return lines


# --- what a reader must find --------------------------------------------------


def school_values(school: School, product: str, languages: tuple[str, ...]
                  ) -> tuple[tuple[str, str], ...]:
    """A school's values as (kind, value), in the order a file of `product` shows them.

    The brochure's contact page shows every value once per language column,
    hours in each column's language; a poster's foot shows the names,
    numbers and addresses once; the printing guide the school's name, in
    its mark and its title. The preflight finds each, whole, in this order;
    a right-to-left one (`right_to_left`) only where the file has a
    structure tree to read it from.
    """
    if product == "guide":
        return (("name", school.name), ("name", school.name))
    if product == "poster":
        found = [("name", school.name)]
        for c in school.contacts:
            found += [("name", c.name), ("phone", c.phone), ("email", c.email)]
        found += [("name", school.clb.name), ("phone", school.clb.phone),
                  ("email", school.clb.email)]
        return tuple((k, v) for k, v in found if v)
    if product != "brochure":
        return ()
    found = []
    for _ in languages:
        found += [("name", school.name), ("address", school.address), ("web", school.website)]
    for c in school.contacts:
        for code in languages:
            found += [("name", c.name), ("phone", c.phone), ("email", c.email)]
            found += [("time", t) for t in (time_ranges(c.hours, code) if c.hours else [])]
    for _ in languages:
        clb = school.clb
        found += [("name", clb.name), ("phone", clb.phone), ("email", clb.email),
                  ("web", clb.website)]
    return tuple((k, v) for k, v in found if v)


def right_to_left(value: str) -> bool:
    """Whether a value reads right to left: a name in Arabic script, a Persian time range.

    Poppler gives such text back in the order it is drawn, which is visual;
    only a tagged file's structure tree has it in logical order.
    """
    return direction_of(value) == "rtl"


def time_ranges(hours: Hours, code: str) -> list[str]:
    """The time ranges of a contact's hours in this language, as printed (without the
    isolate around each)."""
    return [time_range(start, end, code)[1:-1] for _, start, end in hours.groups()]


def reading_text(text: str) -> str:
    """Text as a reader compares it: compatibility-normalised (a no-break space is a
    space), without invisible format characters, spaces collapsed, line ends kept."""
    text = "".join(ch for ch in unicodedata.normalize("NFKC", text)
                   if unicodedata.category(ch) != "Cf")
    text = re.sub(r"[^\S\n]+", " ", text)
    return re.sub(r" ?\n ?", "\n", text).strip()


def value_pattern(kind: str, value: str) -> re.Pattern[str]:
    """Where a value may come back broken across lines (the points `breakable` sets)."""
    value = reading_text(value)
    if kind in {"phone", "time"}:
        return re.compile(re.escape(value))
    if kind in {"email", "web"}:
        return re.compile("\n?".join(re.escape(part) for part in address_stretches(value)))
    if kind == "address":
        return re.compile(",[ \n]".join(re.escape(p) for p in re.split(r",\s*", value)))
    # A name wraps like text: at its spaces and after its hyphens and slashes
    # ("De Linde/Sint-Jan"), where the line-breaking rules allow a break.
    return re.compile("[ \n]".join(re.escape(w).replace("\\-", "-\n?").replace("/", "/\n?")
                                   for w in value.split(" ")))

