"""Render one job of the build plan into finished, checked PDF files (runs in a worker)."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import pickle
import re
import resource
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pydyf

from kit.manifest import write_bytes_atomic
from kit.pdf import preflight
from kit.pdf.accessible import tag_actual_text, tag_languages
from kit.pdf.finish import finish
from kit.pdf.fitting import TooWide, value_fits
from kit.pdf.impose import impose_booklet
from kit.pdf.rules.text import message_texts
from kit.plan import CONDITIONS, DEFAULT_CONDITION, POSTER_FLOOR_PT, Condition, Job, Output
from kit.render import (
    Renderer,
    RenderLog,
    Translations,
    booklet_rtl,
    capture_warnings,
    render_html,
)
from kit.sources.content import Content
from kit.sources.school import School
from kit.values import Fits, school_values

if TYPE_CHECKING:
    from weasyprint.document import Document

# A finished job's result, written where a batch reads it while the task goes on.
FINISHED_SUFFIX = ".result"
MIN_FIT, MAX_FIT = 50, 150  # a poster's text scale, in percent
VARIANTS = {"print": "pdf/x-4", "screen": "pdf/ua-1", "office": None}
# Blank pages laid out before the back page of a print-shop brochure; the ones
# a multiple of four does not need are dropped after layout.
SPARE_BLANKS = 3
_DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-f-]{36}")


@dataclass
class Written:
    output: Output
    job_name: str
    staged: Path
    pages: int
    sha256: str
    fit: int = 100
    checked_s: float = 0.0  # the preflight's time on this file, its share of the layout's


@dataclass
class JobResult:
    job: Job
    written: list[Written] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    peak_mb: float = 0.0


class JobError(Exception):
    """A job could not produce a correct file; the message names the reason."""


_renderer: Renderer | None = None


def renderer() -> Renderer:
    """One renderer (and so one font configuration) per worker process."""
    global _renderer
    if _renderer is None:
        tag_languages()
        tag_actual_text()
        _renderer = Renderer()
    return _renderer


def produce(
    job: Job, content: Content, tr: Translations, staging: Path, strict: bool,
    school: School | None = None, print_condition: str = DEFAULT_CONDITION,
) -> JobResult:
    started = time.perf_counter()
    result = JobResult(job)
    log = RenderLog()
    try:
        # One geometry at a time, written and dropped before the next is laid
        # out, so a worker never holds two long documents at once.
        for bleed, document, fit in _layouts(job, content, tr, log, school):
            result.written += _write_geometry(job, bleed, document, staging, log, fit,
                                              CONDITIONS[print_condition], content, tr, school)
            del document
        _check_log(log, strict)
    except JobError as exc:
        result.error = str(exc)
    except OSError as exc:  # a full disk while writing: the reason, not a traceback
        result.error = f"cannot write {exc.filename or 'a file'}: {exc.strerror or exc}"
    except Exception:  # a bug in the kit: keep the traceback for the report
        result.error = "internal error\n" + traceback.format_exc()
    result.warnings = list(dict.fromkeys(log.warnings))
    result.seconds = time.perf_counter() - started
    result.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def produce_group(
    jobs: list[Job], content: Content, tr: Translations, staging: Path, strict: bool,
    schools: dict[str, School], print_condition: str = DEFAULT_CONDITION,
    finished: Path | None = None,
) -> list[JobResult]:
    """Several schools' layouts of one product in one language set (a batch's task).

    Brochures share the department's pages: they are laid out once per page
    geometry, and each school lays out only its own pages (cover, contact
    page, back page) around as many empty pages, which the department's then
    replace. The files are the same as those of a school's own build.

    With `finished`, each job's result is also written into that folder the
    moment its files are done, so a batch stopped while the task goes on
    with other schools still keeps the schools whose files are all done.
    """
    try:
        return _produce_group(jobs, content, tr, staging, strict, schools, print_condition,
                              finished)
    finally:
        renderer().forget_fonts()  # every document of the task is written and dropped


def _produce_group(
    jobs: list[Job], content: Content, tr: Translations, staging: Path, strict: bool,
    schools: dict[str, School], print_condition: str, finished: Path | None,
) -> list[JobResult]:
    if jobs[0].product != "brochure" or len(jobs) == 1:
        return [produce(job, content, tr, staging, strict, schools.get(job.school or ""),
                        print_condition) for job in jobs]
    results = [JobResult(job) for job in jobs]
    logs = [RenderLog() for _ in jobs]
    done: set[int] = set()
    r = renderer()
    condition = CONDITIONS[print_condition]
    try:
        for bleed in sorted({bleed for job in jobs for bleed in job.layouts}, reverse=True):
            started = time.perf_counter()
            body = _department_pages(r, content, jobs[0], tr, bleed, logs[0])
            mine = [n for n, job in enumerate(jobs)
                    if bleed in job.layouts and not results[n].error]
            # Each school's time: its own pages and its share of the department's.
            share = (time.perf_counter() - started) / max(1, len(mine))
            for n in mine:
                job, result, log = jobs[n], results[n], logs[n]
                started = time.perf_counter()
                last = bleed == min(job.layouts)
                try:
                    document = _school_around(r, content, job, tr, bleed, log,
                                              schools[job.school or ""], body)
                    school = schools[job.school or ""]
                    result.written += _write_geometry(job, bleed, document, staging, log, 100,
                                                      condition, content, tr, school)
                    del document
                    if last:
                        _check_log(log, strict)
                except JobError as exc:
                    result.error = str(exc)
                result.seconds += share + time.perf_counter() - started
                if last:
                    _close(result, log, finished)
                    done.add(n)
            del body
    except JobError as exc:  # the department's pages themselves: every school not done yet
        for n in set(range(len(jobs))) - done:
            results[n].error = results[n].error or str(exc)
    except OSError as exc:
        for n in set(range(len(jobs))) - done:
            results[n].error = f"cannot write {exc.filename or 'a file'}: {exc.strerror or exc}"
    except Exception:
        for n in set(range(len(jobs))) - done:
            results[n].error = "internal error\n" + traceback.format_exc()
    for n in set(range(len(jobs))) - done:
        _close(results[n], logs[n], None)
    return results


def _close(result: JobResult, log: RenderLog, finished: Path | None) -> None:
    """A job's result made whole; written into `finished` too, when given."""
    result.warnings = list(dict.fromkeys(log.warnings))
    result.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if finished is not None:
        finished.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha256(result.job.name.encode()).hexdigest()[:32]
        write_bytes_atomic(finished / f"{name}{FINISHED_SUFFIX}", pickle.dumps(result))


def _department_pages(r: Renderer, content: Content, job: Job, tr: Translations, bleed: bool,
                      log: RenderLog) -> list:
    """The pages between the cover and the back page, the same in every school's brochure."""
    department = dataclasses.replace(job, school=None)
    html = render_html(r.env, content, department, tr, print_shop=bleed)
    document = r.layout(html, department, bleed, log)
    back = next(i for i, page in enumerate(document.pages) if "colophon" in page.anchors)
    return document.pages[1:back]


def _school_around(r: Renderer, content: Content, job: Job, tr: Translations, bleed: bool,
                   log: RenderLog, school: School, body: list) -> Document:
    """A school's brochure: its own pages laid out, the department's pages put in place."""
    own = _values_fitted(
        lambda fits: render_html(r.env, content, job, tr, padding=SPARE_BLANKS if bleed else 0,
                                 school=school, body_pages=len(body), print_shop=bleed,
                                 fits=fits),
        lambda html: r.layout(html, job, bleed, log), school)
    stand_ins = own.pages[1:1 + len(body)]
    if len(stand_ins) != len(body) or any(f"body-page-{n}" not in page.anchors
                                          for n, page in enumerate(stand_ins, start=1)):
        raise JobError(f"the school's own pages of {job.name} do not line up with the "
                       "department's pages")
    document = own.copy([own.pages[0], *body, *own.pages[1 + len(body):]])
    return _drop_surplus_blanks(document) if bleed else document


def _write_geometry(
    job: Job, bleed: bool, document: Document, staging: Path, log: RenderLog, fit: int,
    condition: Condition, content: Content, tr: Translations, school: School | None = None,
) -> list[Written]:
    """Every file of a job laid out in this geometry, each checked by the preflight.

    The lines are checked on the layout itself, before anything is written
    (`kit.pdf.rules.lines`); each file then by the rules that read PDFs,
    with the messages its languages must say and a school's values.
    """
    outputs = [o for o in job.outputs if (o.edition == "print") == bleed]
    started = time.perf_counter()
    lines = preflight.layout_errors(document, outputs)
    if lines:
        raise JobError(f"preflight of {' and '.join(o.path for o in outputs)}: {lines[0]}")
    # Timed apart, so that the build can say what the preflight costs.
    layout_checks = (time.perf_counter() - started) / max(1, len(outputs))
    written = []
    for output in outputs:
        file = _write(output, job.name, document, staging, log, fit, condition,
                      content.document.edition)
        started = time.perf_counter()
        values = school_values(school, job.product, output.languages) if school else ()
        expect = preflight.Expectation(values, message_texts(content, output, tr.strings))
        problems = preflight.problems_of(output, file.staged, file.pages, content.heading_count,
                                         expect)
        if problems:
            raise JobError(f"preflight of {output.path}: {problems[0]}")
        file.checked_s = layout_checks + time.perf_counter() - started
        written.append(file)
    return written


def _layouts(
    job: Job, content: Content, tr: Translations, log: RenderLog, school: School | None
) -> Iterator[tuple[bool, Document, int]]:
    """Each page geometry the job needs, laid out once, with a poster's text scale."""
    r = renderer()
    if job.product == "poster":
        html = render_html(r.env, content, job, tr, school=school)
        found: int | None = None
        for bleed in job.layouts:
            document, found = _fit_poster(r, html, job, bleed, log, found)
            if (school is not None and len(job.languages) > 2
                    and _below_floor(document, job.paper)):
                # Every contact's role in six languages leaves the rules below
                # the floor (the longest translations beside Urdu): the foot
                # gives the roles in Dutch only.
                html = render_html(r.env, content, job, tr, school=school, compact_foot=True)
                document, found = _fit_poster(r, html, job, bleed, log, None)
            yield bleed, document, found
            del document
        return
    for bleed in job.layouts:
        if bleed:
            # A stapled booklet from a print shop needs a multiple of four
            # pages, with blank pages before the back page, never inside a
            # section. Spare blanks laid out and the surplus dropped avoid a
            # second layout.
            document = _values_fitted(
                lambda fits: render_html(r.env, content, job, tr, padding=SPARE_BLANKS,
                                         school=school, print_shop=True, fits=fits),
                lambda html, bleed=bleed: r.layout(html, job, bleed, log), school)
            yield bleed, _drop_surplus_blanks(document), 100
        else:
            yield bleed, _values_fitted(
                lambda fits: render_html(r.env, content, job, tr, school=school, fits=fits),
                lambda html, bleed=bleed: r.layout(html, job, bleed, log), school), 100


def _values_fitted(render: Callable[[Fits], str], layout: Callable[[str], Document],
                   school: School | None) -> Document:
    """A layout in which each of the school's values fits its column (`kit.pdf.fitting`).

    A value too wide in the first layout is set in a second, with its label
    above it and, where that is not enough, smaller.
    """
    document = layout(render({}))
    if school is None:
        return document
    try:
        fits = value_fits(document)
    except TooWide as exc:
        raise JobError(str(exc)) from None
    return layout(render(fits)) if fits else document


def _fit_poster(
    r: Renderer, html: str, job: Job, bleed: bool, log: RenderLog, start: int | None
) -> tuple[Document, int]:
    """The poster at the largest text scale (in steps of 5 %) that fits one page.

    A second geometry starts from the scale the first one found and only
    goes down. The first starts from the scale this worker last found for a
    poster in the same languages (the other paper size, or another school's
    poster in the same mix: those come out alike, so the search mostly takes
    two layouts), else from a multilingual poster of as many languages, else
    from an estimate; once it fits, it probes up to two steps above it. A
    multilingual poster (whose estimate is rough, as its grid rows grow in
    steps) probes up as far as it fits, so it never ends up smaller than it
    has to be. A school's poster skips the probe where another school's
    poster in the same languages, with a foot no taller, overflowed the step
    above (`_overflowed`). Where it starts does not change what it finds.
    """
    if start is not None:
        return _fit_down(r, html, job, bleed, log, start)
    multilingual = len(job.languages) > 2
    mix = (job.leaflet, job.languages)
    hint = _fits_by_mix.get(mix) or (_fits_by_count.get(len(job.languages))
                                     if multilingual else None)
    known: dict[int, Document] = {}
    if hint is None:
        estimate = r.layout(html, job, bleed, log)
        start = _estimated_fit(estimate)
        known[100] = estimate
    else:
        start = hint
    document, fit = _fit_down(r, html, job, bleed, log, start, known)
    sheet = (*mix, job.paper, bleed)
    foot = _foot_height(document)
    seen = _overflowed.get(sheet)
    # The rest of the poster is the same for every school, and the foot is
    # set at the sheet's size: with a foot at least as tall as one that
    # overflowed a step up, this poster overflows there too.
    if fit == start and not (foot and seen and seen[0] == fit and foot >= seen[1]):
        reach = MAX_FIT if multilingual else min(fit + 10, MAX_FIT)
        for larger in range(fit + 5, reach + 1, 5):
            bigger = known.get(larger) or r.layout(html, job, bleed, log, fit=larger)
            if len(bigger.pages) > 1:
                if foot:
                    _overflowed[sheet] = (fit, foot)
                break
            document, fit = bigger, larger
    _fits_by_mix[mix] = fit
    if multilingual:
        _fits_by_count[len(job.languages)] = fit
    return document, fit


# The last scale this worker found for a poster, by its leaflet and languages
# and, for a multilingual one, by its number of languages: where the next
# search starts.
_fits_by_mix: dict[tuple[str | None, tuple[str, ...]], int] = {}
_fits_by_count: dict[int, int] = {}
# By leaflet, languages, paper and geometry: the largest scale at which a
# school's poster fitted, one step below a scale at which it overflowed, and
# the height of that school's foot (CSS pixels).
_overflowed: dict[tuple[str | None, tuple[str, ...], str, bool], tuple[int, float]] = {}


def _foot_height(document: Document) -> float:
    """The height a school's foot takes on a poster's page; 0 without a school."""
    return sum(box.margin_height() for box in _boxes_of_class(document.pages[0]._page_box,
                                                              "school-foot"))


def _fit_down(
    r: Renderer, html: str, job: Job, bleed: bool, log: RenderLog, start: int,
    known: dict[int, Document] | None = None,
) -> tuple[Document, int]:
    """The largest scale from `start` down that fits one page; `known` are layouts made."""
    fit = start
    while True:
        document = (known or {}).get(fit) or r.layout(html, job, bleed, log, fit=fit)
        if len(document.pages) == 1:
            return document, fit
        if fit - 5 < MIN_FIT:
            raise JobError(f"the poster does not fit on one {job.paper} page, even with "
                           f"its text at {fit}%: {what_does_not_fit(document)}")
        fit -= 5


def what_does_not_fit(document: Document) -> str:
    """What overfills a poster laid out on more than one page: its school's foot or its rules.

    The foot is set at the sheet's size, not the text scale: it is to blame
    when the rest of the poster would fit the page without it.
    """
    room, used = _room_and_use(document)
    foot = sum(box.margin_height() for page in document.pages
               for box in _boxes_of_class(page._page_box, "school-foot"))
    if foot and used - foot <= room:
        return (f"the school's contacts at its foot take {foot * PX_MM:.0f} of the page's "
                f"{room * PX_MM:.0f} mm; give fewer contacts or shorter names, or "
                "fewer `poster_languages`")
    return "shorten the rules of thumb"


PX_MM = 25.4 / 96  # CSS pixels to millimetres


def _boxes_of_class(box: object, name: str) -> Iterator[object]:
    element = getattr(box, "element", None)
    if element is not None and name in (element.get("class") or "").split():
        yield box
        return
    for child in getattr(box, "children", []):
        yield from _boxes_of_class(child, name)


def _below_floor(document: Document, paper: str) -> bool:
    """Whether a multilingual poster's rules of thumb are set below the size floor.

    Read from the layout, before anything is written: the size of each rule's
    text (not its number badge). The preflight measures the written file
    again (GEO004).
    """
    sizes = list(_rule_sizes(document.pages[0]._page_box))  # WeasyPrint's laid-out boxes
    return bool(sizes) and min(sizes) < POSTER_FLOOR_PT[paper] - 0.05


def _rule_sizes(box: object, in_rule: bool = False) -> Iterator[float]:
    from weasyprint.formatting_structure import boxes

    element = getattr(box, "element", None)
    classes = (element.get("class") or "").split() if element is not None else []
    if "number" in classes:
        return
    in_rule = in_rule or "rule" in classes
    if in_rule and isinstance(box, boxes.TextBox):
        yield box.style["font_size"] * 0.75  # CSS pixels to points
    for child in getattr(box, "children", []):
        yield from _rule_sizes(child, in_rule)


def _estimated_fit(document: Document) -> int:
    """Guess the text scale that fills the page, from a layout at 100 %.

    Text height grows with the square of its size (larger letters and more
    lines), so the scale is the square root of the room left.
    """
    room, used = _room_and_use(document)
    scale = 100 * (room / used) ** 0.5
    return int(max(MIN_FIT, min(MAX_FIT, scale)) // 5 * 5)


def _room_and_use(document: Document) -> tuple[float, float]:
    """The height a poster page has for its content, and the height its content takes."""
    first, last = document.pages[0], document.pages[-1]
    top = first.anchors["top"][1]
    room = first.height - 2 * top
    return room, (len(document.pages) - 1) * room + last.anchors["end"][1] - top


def _drop_surplus_blanks(document: Document) -> Document:
    pages = document.pages
    first_blank = next(i for i, p in enumerate(pages) if "blank-1" in p.anchors)
    back = next(i for i, p in enumerate(pages) if "colophon" in p.anchors)
    used = first_blank + (len(pages) - back)
    keep = -used % 4
    return document.copy(pages[:first_blank] + pages[first_blank:first_blank + keep] + pages[back:])


def _write(
    output: Output, job_name: str, document: Document, staging: Path, log: RenderLog, fit: int,
    condition: Condition, edition: datetime.date,
) -> Written:
    target = staging / output.path
    target.parent.mkdir(parents=True, exist_ok=True)
    with capture_warnings(log):
        data = document.write_pdf(pdf_variant=VARIANTS[output.edition],
                                  finisher=_stable_document_id(output))
    pages = len(document.pages)
    if output.imposed:
        data = impose_booklet(data, rtl=booklet_rtl(output.languages))
        pages = (pages + -pages % 4) // 2
    data = finish(data, output, condition, edition)
    # Whole or not at all: a batch may move a finished job's files while its task goes on.
    write_bytes_atomic(target, data)
    return Written(output, job_name, target, pages, hashlib.sha256(data).hexdigest(), fit)


def _stable_document_id(output: Output) -> Callable[[Document, pydyf.PDF], None]:
    """A WeasyPrint finisher: PDF/X-4's DocumentID derived from the output, not random.

    WeasyPrint 70 writes a random uuid4 into the XMP metadata of PDF/X-4 files,
    and the file identifier is a hash of all objects; setting the id before
    the file is written makes both reproducible.
    """
    stable = f"xmp.did:{uuid.uuid5(uuid.NAMESPACE_URL, f'cyberbullying-print-kit/{output.path}')}"

    def finish(document: Document, pdf: pydyf.PDF) -> None:
        for obj in pdf.objects:
            if isinstance(obj, pydyf.Stream) and obj.extra.get("Type") == "/Metadata":
                obj.stream = [_DOCUMENT_ID.sub(stable.encode(), bytes(part)) for part in obj.stream]

    return finish


def _check_log(log: RenderLog, strict: bool) -> None:
    if log.refused:
        raise JobError(f"refused to load {log.refused[0]}: only the kit's own files may be used")
    if log.missing_glyphs:
        raise JobError(f"missing glyphs: {log.missing_glyphs[0]}")
    if strict and log.warnings:
        raise JobError(f"WeasyPrint warning (strict build): {log.warnings[0]}")
