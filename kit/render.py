"""Turn content and translations into HTML, and HTML into laid-out pages."""

from __future__ import annotations

import datetime
import functools
import logging
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import util as process_exit
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import jinja2
import pyphen
from markupsafe import Markup, escape

from kit.plan import Job
from kit.qr import page_url, qr_data_uri, short_address
from kit.sources.catalogs import Review
from kit.sources.content import Content, Text
from kit.sources.fonts import FONTS_DIR, font_css
from kit.sources.hours import Hours
from kit.sources.languages import DIGITS, SOURCE_LANGUAGE, Language, language, long_date
from kit.sources.markup import isolated_text, to_html
from kit.sources.school import School
from kit.values import LATIN_KINDS, Fit, Fits, breakable, hours_markup, value_element

if TYPE_CHECKING:
    from weasyprint.document import Document
    from weasyprint.urls import URLFetcher

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT / "templates"
STYLES_DIR = ROOT / "styles"
# The only local files a document may load: the kit's own assets.
ASSET_DIRS = (FONTS_DIR, STYLES_DIR, TEMPLATES_DIR)
DATA_IMAGES = ("data:image/png;base64,", "data:image/svg+xml;base64,")
# Placeholders whose values are always the Dutch source's words.
DUTCH_VALUES = frozenset({"title", "publisher"})


# The last two words of a text are kept on one line when together they are
# at most this long: a paragraph never ends on one word alone, and the pair
# still fits its column: about 28 Latin characters beside the Dutch or on a
# poster, 60 in a brochure's single column or on its back page.
TIE_LENGTH, WIDE_TIE_LENGTH = 24, 40
# A heading may be set very large: only a short last pair is tied.
HEADING_TIE_LENGTH = 12
# Ethiopic and Georgian letters are about a quarter wider than Latin ones
# (measured over the catalogs in the kit's faces): their ties are shorter. A
# Georgian pair of 24 letters tied stuck out of its column beside the Dutch.
TIE_SCALE = {"Ethi": 0.85, "Geor": 0.85}
# Hyphenation of the print shop's brochure: only words of eight letters or
# more, never fewer than three letters before the break or four after it
# ("Discu-tez", "rețele-le" are refused).
HYPHENATE_WORD, HYPHENATE_LEFT, HYPHENATE_RIGHT = 8, 3, 4
SOFT_HYPHEN = "\u00ad"
_WORD = re.compile(rf"[^\W\d_]{{{HYPHENATE_WORD},}}")
_ISOLATED = re.compile("[\u2066-\u2068][^\u2069]*\u2069")


@dataclass(frozen=True)
class Column:
    """One language's text, as a template places it."""

    lang: Language
    strings: dict[str, str] | None  # message context -> translation; None for Dutch
    content: Content
    date: str
    paper: bool = True  # a PDF's page, where the kit sets where lines may end
    hyphenate: bool = False  # the print shop's brochure: advice hyphenated (`typeset`)
    tie: int = TIE_LENGTH  # the longest last two words kept together: the column's measure
    fits: Fits = field(default_factory=dict)  # values too wide for a first layout (kit.pdf.fitting)
    split_pair: bool = False  # a poster: a pair too long to tie is tied, broken in its first word

    def when(self, day: datetime.date) -> str:
        """A date as this column's readers write it."""
        return long_date(day, self.lang.code)

    def lookup(self, text: Text) -> str:
        if self.strings is None:
            return text.source
        return self.strings[text.key]

    def t(self, text: Text, **values: str) -> Markup:
        # A title, name or number inserted into a sentence is isolated, so a
        # Dutch title inside an Arabic line keeps its quotation marks around
        # the right words.
        filled = {name: self.value(name, value) for name, value in values.items()}
        html = to_html(self.lookup(text), filled if values else None)
        if not self.paper:
            return html
        if text.key in self.content.heading_keys():
            # A heading is never hyphenated, not even to keep its last words together.
            return typeset(html, self.lang, tie=min(self.tie, HEADING_TIE_LENGTH))
        advice = self.hyphenate and text.key in self.content.body_keys()
        return typeset(html, self.lang, hyphenate=advice, tie=self.tie,
                       split_pair=self.split_pair)

    def value(self, name: str, value: str) -> Markup:
        """A value for a placeholder: isolated, and marked Dutch where it is the source's.

        The department's name and the Dutch title quoted in a translated
        credit line are Dutch words: a screen reader must read them with a
        Dutch voice (WCAG 3.1.2), so they get a span of their own language.
        """
        isolated = isolated_text(value)
        if name in DUTCH_VALUES and self.strings is not None:
            return Markup('<span lang="{}">{}</span>').format(SOURCE_LANGUAGE, isolated)
        return Markup(escape(isolated))

    def label(self, label_id: str, **values: str) -> Markup:
        return self.t(self.content.label(label_id), **values)

    def number(self, n: int) -> str:
        """A number in this column's digits: a Persian rule badge reads ۱ and ۲."""
        return str(n).translate(str.maketrans(DIGITS["latn"], DIGITS[self.lang.digits]))

    def hours(self, hours: Hours) -> list[Markup]:
        """Opening hours in this column's language, one line per group of days."""
        return hours_markup(hours, self.lang.code)

    def fit(self, kind: str, value: object) -> Fit | None:
        """How a value too wide for this column in a first layout is set: None if it fit."""
        if kind not in LATIN_KINDS or not isinstance(value, str):
            return None
        return self.fits.get((self.lang.tag, kind, breakable(value, kind)))

    def above(self, rows: list[tuple[str, str, object]]) -> bool:
        """Whether a list of labels and values sets each label above its value: one is too wide."""
        return any(self.fit(kind, value) for _, kind, value in rows)

    def explains(self, text: Text) -> bool:
        """Whether the kit's note on the CLB follows this text: the first that names it."""
        return text.key == self.content.first_naming("CLB")


@dataclass(frozen=True)
class Translations:
    """Everything rendering needs from the catalogs for one language set.

    Plain data, so it can be sent to a worker process.
    """

    strings: dict[str, dict[str, str] | None]
    review: Review | None  # of the one translation of a monolingual or bilingual file
    reviews: dict[str, Review] = field(default_factory=dict)  # of every translation
    # Messages printed in Dutch because a language was built below 100 %.
    untranslated: dict[str, int] = field(default_factory=dict)


def typeset(html: Markup, lang: Language, hyphenate: bool = False,
            tie: int = TIE_LENGTH, split_pair: bool = False) -> Markup:
    """Where a text's lines may end: its last two words together, the rest hyphenated if asked.

    The last word is tied to the one before it by no-break spaces (a
    punctuation mark standing alone, "…).", goes with them), so a paragraph
    never ends on one word; left to right, the pair does not break at its
    own hyphen ("e-mail") either. Hyphenation is the kit's, not WeasyPrint's:
    soft hyphens in every long word but the last two, never inside an
    inserted name or title (an isolate) or markup. WeasyPrint's own would
    split the last word too and leave a fragment alone on the last line.
    With `split_pair` (a poster's text, not its headings), a pair too long to
    tie is tied all the same where its first word may be hyphenated (below).
    """
    tokens = _SPACE_OUTSIDE_TAGS.split(str(html))
    visible = [_TAG.sub("", t) for t in tokens]
    lettered = [i for i, t in enumerate(visible) if any(c.isalnum() for c in t)]
    if not lettered:
        return html
    first = lettered[-2] if len(lettered) >= 2 else lettered[-1]
    limit = tie * TIE_SCALE.get(lang.script, 1)
    tied = len(" ".join(visible[first:])) <= limit
    if not tied and split_pair and not hyphenate and len(lettered) >= 2:
        # A pair too long for the column ("Muttersprachler gegengelesen.") is
        # still kept together where its first word may be hyphenated and what
        # follows the last break fits: the line breaks inside that word, and
        # the last line never holds one word alone (a multilingual poster's
        # German note did). Only on posters: in a brochure's columns the
        # fragment went to a line of its own ("конфиденци-") where the two
        # words had stood on a line each, and the print shop's hyphenated
        # advice was left with a short hyphenated line (LIN003).
        split = _soft_hyphens(tokens[first], lang)
        rest = _TAG.sub("", split).split(SOFT_HYPHEN)[-1]
        if SOFT_HYPHEN in split and len(" ".join([rest, *visible[first + 1:]])) <= limit:
            tokens[first], tied = split, True
    if not tied:
        first = lettered[-1]  # too long to tie: the last word is still never hyphenated
    head, tail = " ".join(tokens[:first]), tokens[first:]
    if hyphenate:
        head = _soft_hyphens(head, lang)
    if tied and lang.direction == "ltr":
        tail = [_outside_tags(t, lambda text: text.replace("-", "-\u2060")) for t in tail]
    return Markup(" ".join(part for part in (head, ("\u00a0" if tied else " ").join(tail))
                           if part))


_TAG = re.compile(r"<[^>]*>")
_SPACE_OUTSIDE_TAGS = re.compile(r" (?![^<]*>)")


def _outside_tags(html: str, change: Callable[[str], str]) -> str:
    parts = re.split(r"(<[^>]+>|&[#\w]+;)", html)
    return "".join(part if n % 2 else change(part) for n, part in enumerate(parts))


def _soft_hyphens(html: str, lang: Language) -> str:
    dictionary = _dictionary(lang.tag)
    if dictionary is None:
        return html

    def hyphenate(text: str) -> str:
        pieces = re.split(f"({_ISOLATED.pattern})", text)
        for m in range(0, len(pieces), 2):  # outside inserted names and titles
            pieces[m] = _WORD.sub(lambda w: dictionary.inserted(w[0], SOFT_HYPHEN), pieces[m])
        return "".join(pieces)

    return _outside_tags(html, hyphenate)


@functools.cache
def _dictionary(tag: str) -> pyphen.Pyphen | None:
    found = pyphen.language_fallback(tag.replace("-", "_"))
    if found is None:
        return None
    return pyphen.Pyphen(lang=found, left=HYPHENATE_LEFT, right=HYPHENATE_RIGHT)


def columns(content: Content, languages: tuple[str, ...], tr: Translations,
            paper: bool = True, hyphenate: bool = False, tie: int = TIE_LENGTH,
            fits: Fits | None = None, split_pair: bool = False) -> list[Column]:
    edition = content.document.edition
    return [
        Column(language(code), tr.strings[code], content,
               long_date(edition, code), paper, hyphenate, tie, fits or {}, split_pair)
        for code in languages
    ]


def isolate(value: str) -> Markup:
    """A name, number or address as one left-to-right run that cannot be reordered.

    First-strong isolates (U+2068 … U+2069) keep "09 123 45 67" or an e-mail
    address in its own order inside Arabic or Persian text, without inline
    elements that WeasyPrint's bidi handling could split.
    """
    return Markup(isolated_text(str(escape(value))))


def make_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["iso"] = isolate
    env.globals["value"] = value_element
    # The printing guide's Dutch, set as the brochures are (`typeset`).
    env.filters["fill"] = lambda text, **values: typeset(to_html(text, values),
                                                         language(SOURCE_LANGUAGE))
    return env


def render_html(
    env: jinja2.Environment,
    content: Content,
    job: Job,
    tr: Translations,
    padding: int = 0,
    school: School | None = None,
    body_pages: int = 0,
    print_shop: bool = False,
    compact_foot: bool = False,
    fits: Fits | None = None,
) -> str:
    """The HTML of one job; `padding` adds blank pages before a brochure's back page.

    With `body_pages`, a school's brochure has that many empty pages where the
    department's pages go, so its own pages are numbered as in the whole.
    `print_shop`: the print shop's layout, whose brochure is hyphenated.
    `compact_foot`: a school's poster names its contacts' roles in Dutch only.
    `fits`: how to set the school's values too wide for a first layout.
    """
    brochure = job.product == "brochure"
    single = brochure and len(job.languages) == 1
    cols = columns(content, job.languages, tr, hyphenate=print_shop and brochure,
                   tie=WIDE_TIE_LENGTH if single else TIE_LENGTH, fits=fits,
                   split_pair=job.product == "poster")
    translation = next((c for c in cols if c.lang.code != SOURCE_LANGUAGE), None)
    # A brochure's back page runs across the page, also beside the Dutch.
    colophon_cols = (columns(content, job.languages, tr, tie=WIDE_TIE_LENGTH) if brochure
                     else cols)
    if translation is not None and len(cols) == 1:
        # A translation is always marked as one in Dutch too.
        colophon_cols = [*colophon_cols,
                         *columns(content, (SOURCE_LANGUAGE,), tr, tie=WIDE_TIE_LENGTH)]
    doc = content.document
    title = " / ".join(c.t(doc.title).striptags() for c in cols)
    if job.product == "guide" and school is not None:
        title = to_html(content.guide["title"], {"school": school.name}).striptags()
    codes = school.languages if school else ()
    poster_codes = school.poster_languages if school else ()
    site = school.site_url if school else content.site_url
    qr = None
    if site and job.product in ("brochure", "poster"):
        # The leaflet's page in the file's language (the translation's, beside the
        # Dutch); only the multilingual poster, for parents of several languages,
        # leads to the language chooser.
        target = (translation or cols[0]).lang.code if len(cols) <= 2 else None
        url = page_url(site, target, doc.id)
        qr = {"uri": qr_data_uri(url), "address": short_address(url)}
    names = {c: language(c).name_in(SOURCE_LANGUAGE) for c in codes}
    # A pack's guide names each of its leaflets and the folder that holds it.
    pack = (school.leaflets or tuple(content.titles)) if school else ()
    leaflets = "; ".join(f"“{content.titles[i]}” (map {i})" for i in pack)
    template = env.get_template(job.template)
    return template.render(
        doc=doc,
        rules=doc.rules,
        cols=cols,
        main=cols[0],
        translation=translation,
        colophon_cols=colophon_cols,
        bilingual=len(cols) == 2,
        review=tr.review,
        title=title,
        keywords=", ".join(c.t(s.heading).striptags() for c in cols for s in doc.sections),
        created=doc.edition.isoformat(),
        product=job.product,
        multilingual=len(cols) > 2,
        padding=padding,
        body_pages=body_pages,
        school=school,
        guide=content.guide,
        leaflets=leaflets,
        reviews=tr.reviews,
        untranslated=tr.untranslated,
        language_names=names,
        poster_language_names=", ".join(names[c] for c in poster_codes),
        qr=qr,
        foot_cols=cols[:1] if compact_foot else cols,
        # A brochure's contacts are links where a parent can tap them: on
        # screen. The print shop's layout (PDF/X) has none; the office booklet
        # is imposed from the screen layout, and imposing drops them.
        links=not print_shop,
    )


def booklet_rtl(languages: tuple[str, ...]) -> bool:
    """Whether a booklet binds on the right.

    A bilingual booklet opens like its Dutch half; a right-to-left
    translation on its own binds on the right.
    """
    return len(languages) == 1 and language(languages[0]).direction == "rtl"


def stylesheet_paths(job: Job, bleed: bool) -> list[Path]:
    """The shared stylesheet, the format's, and the print-shop one for bleed layouts."""
    paths = [STYLES_DIR / "kit.css", STYLES_DIR / f"{job.product}-{job.paper.lower()}.css"]
    if bleed:
        paths.append(STYLES_DIR / "layout-print.css")
    return paths


# --- WeasyPrint ---------------------------------------------------------------


@dataclass
class RenderLog:
    """What WeasyPrint said while laying out and writing one document."""

    warnings: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def missing_glyphs(self) -> list[str]:
        return [w for w in self.warnings if ".notdef" in w]


class _Collector(logging.Handler):
    def __init__(self, log: RenderLog):
        super().__init__(logging.WARNING)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        self.log.warnings.append(record.getMessage().splitlines()[0])


@contextmanager
def capture_warnings(log: RenderLog) -> Iterator[None]:
    logger = logging.getLogger("weasyprint")
    handler = _Collector(log)
    logger.addHandler(handler)
    propagate = logger.propagate
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def asset_fetcher(log: RenderLog) -> URLFetcher:
    """A URL fetcher that serves only the kit's own asset files."""
    from weasyprint.urls import URLFetcher

    class AssetFetcher(URLFetcher):
        def fetch(self, url: str, headers: dict | None = None) -> object:
            parts = urlsplit(url)
            if url.startswith(DATA_IMAGES):
                # A school's logo, validated and inlined by the profile loader.
                return super().fetch(url, headers)
            # A host in a file URL (file://host/...) would make urllib look it up.
            if parts.scheme == "file" and not parts.netloc:
                path = Path(unquote(parts.path)).resolve()
                if any(path.is_relative_to(d) for d in ASSET_DIRS) and path.is_file():
                    return super().fetch(url, headers)
            log.refused.append(url)
            raise ValueError(f"refused to load {url}: only the kit's own asset files may be used")

    return AssetFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)


def review_sheet_styles() -> tuple[Path, ...]:
    return (STYLES_DIR / "kit.css", STYLES_DIR / "review-sheet.css")


def review_sheet_html(env: jinja2.Environment, lang: str, rows: list, words: dict[str, str],
                      title: str, own_intro: str = "") -> str:
    """The printable review sheet: one table row per message."""
    return env.get_template("review-sheet.html").render(
        lang=language(lang), dutch=language(SOURCE_LANGUAGE), english=language("en"),
        rows=rows, words=words, title=title, language_name=language(lang).name_in("en"),
        own_intro=own_intro,
    )


class Renderer:
    """Lays out jobs with WeasyPrint; one font configuration per process."""

    def __init__(self) -> None:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        self.weasyprint = weasyprint
        self.font_config = FontConfiguration()
        # WeasyPrint copies the web fonts into a temporary folder that it removes
        # only when the configuration is collected, which a worker process never
        # does before it exits: every build would leave 12 MB in the temp folder.
        process_exit.Finalize(self, _remove_font_copies, args=(self.font_config,),
                              exitpriority=0)
        self.env = make_environment()
        self._sheets: dict[tuple[Path, ...], list] = {}

    def stylesheets(self, paths: tuple[Path, ...], log: RenderLog) -> list:
        if paths not in self._sheets:
            fetcher = asset_fetcher(log)
            sheets = [
                self.weasyprint.CSS(
                    string=font_css(), base_url=FONTS_DIR.as_uri() + "/",
                    font_config=self.font_config, url_fetcher=fetcher,
                )
            ]
            sheets += [
                self.weasyprint.CSS(filename=str(p), font_config=self.font_config,
                                    url_fetcher=fetcher)
                for p in paths
            ]
            self._sheets[paths] = sheets
        return self._sheets[paths]

    def layout(
        self, html: str, job: Job, bleed: bool, log: RenderLog, fit: int = 100
    ) -> Document:
        """Lay out a document; `fit` scales a poster's text, in percent."""
        sheets = list(self.stylesheets(tuple(stylesheet_paths(job, bleed)), log))
        if fit != 100:
            sheets.append(self.weasyprint.CSS(string=f":root {{ --fit: {fit}%; }}"))
        return self.render(html, sheets, log)

    def forget_fonts(self) -> None:
        """Drop the fonts Pango loaded for the documents laid out so far.

        Pango keeps every font it loaded, at every size, for as long as its
        font map lives: in a worker that lays out school after school, with
        sizes that differ per poster scale and per fitted value, that grew a
        worker by about a megabyte a school. Only while no laid-out document
        is left (its boxes hold the fonts): between a worker's tasks. It costs
        nothing measurable: the next layout loads again the few fonts it uses.
        """
        from weasyprint.text.ffi import ffi, pangoft2

        pangoft2.pango_fc_font_map_config_changed(
            ffi.cast("PangoFcFontMap *", self.font_config.font_map))

    def render(self, html: str, sheets: list, log: RenderLog) -> Document:
        with capture_warnings(log):
            document = self.weasyprint.HTML(
                string=html, base_url=TEMPLATES_DIR.as_uri() + "/",
                url_fetcher=asset_fetcher(log),
            )
            return document.render(stylesheets=sheets, font_config=self.font_config)


def _remove_font_copies(font_config: object) -> None:
    folder = getattr(font_config, "_folder", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
