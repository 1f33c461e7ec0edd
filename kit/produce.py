"""Render one job of the build plan into finished PDF files (runs in a worker)."""

from __future__ import annotations

import hashlib
import io
import re
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader

from kit.content import Content
from kit.impose import impose_booklet
from kit.languages import language
from kit.plan import Job, Output
from kit.render import Renderer, RenderLog, Translations, capture_warnings, render_html

POSTER_FITS = (100, 90, 80, 70)
VARIANTS = {"print": "pdf/x-4", "screen": "pdf/ua-1", "office": None}
_DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-f-]{36}")


@dataclass
class Written:
    output: Output
    staged: Path
    pages: int
    sha256: str
    fit: int = 100


@dataclass
class JobResult:
    job: Job
    written: list[Written] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


class JobError(Exception):
    """A job could not produce a correct file; the message names the reason."""


_renderer: Renderer | None = None


def renderer() -> Renderer:
    """One renderer (and so one font configuration) per worker process."""
    global _renderer
    if _renderer is None:
        _renderer = Renderer()
    return _renderer


def produce(
    job: Job, content: Content, tr: Translations, staging: Path, strict: bool
) -> JobResult:
    started = time.perf_counter()
    result = JobResult(job)
    log = RenderLog()
    try:
        document, fit = _layout(job, content, tr, log)
        for output in job.outputs:
            result.written.append(_write(output, document, staging, log, fit))
        _check_log(log, strict)
    except JobError as exc:
        result.error = str(exc)
    except Exception:  # a bug in the kit: keep the traceback for the report
        result.error = "internal error\n" + traceback.format_exc()
    result.warnings = list(dict.fromkeys(log.warnings))
    result.seconds = time.perf_counter() - started
    return result


def _layout(job: Job, content: Content, tr: Translations, log: RenderLog):
    r = renderer()
    if job.product == "poster":
        for fit in POSTER_FITS:
            document = r.layout(render_html(r.env, content, job, tr, fit=fit), job, log)
            if len(document.pages) == 1:
                return document, fit
        raise JobError(
            f"the poster does not fit on one {job.paper} page, even with text at "
            f"{POSTER_FITS[-1]}% ({len(document.pages)} pages); shorten the rules of thumb"
        )
    document = r.layout(render_html(r.env, content, job, tr), job, log)
    if job.bleed and len(document.pages) % 4:
        # A stapled booklet from a print shop needs a multiple of four pages:
        # blank pages go before the back page, never inside a section.
        padding = -len(document.pages) % 4
        document = r.layout(render_html(r.env, content, job, tr, padding=padding), job, log)
    return document, 100


def _write(output: Output, document, staging: Path, log: RenderLog, fit: int) -> Written:
    target = staging / output.path
    target.parent.mkdir(parents=True, exist_ok=True)
    with capture_warnings(log):
        data = document.write_pdf(pdf_variant=VARIANTS[output.edition])
    if output.edition == "print":
        data = _fixed_document_id(data, output)
    if output.imposed:
        data = impose_booklet(data, rtl=_rtl(output))
    target.write_bytes(data)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    return Written(output, target, pages, hashlib.sha256(data).hexdigest(), fit)


def _rtl(output: Output) -> bool:
    # A bilingual booklet opens like its Dutch half; a right-to-left
    # translation on its own binds on the right.
    return len(output.languages) == 1 and language(output.languages[0]).direction == "rtl"


def _fixed_document_id(data: bytes, output: Output) -> bytes:
    """Replace WeasyPrint's random PDF/X-4 DocumentID with one derived from the output.

    The XMP stream is uncompressed and the id has a fixed length, so the
    replacement keeps every byte offset of the file valid.
    """
    stable = uuid.uuid5(uuid.NAMESPACE_URL, f"cyberbullying-print-kit/{output.path}")
    return _DOCUMENT_ID.sub(f"xmp.did:{stable}".encode(), data, count=1)


def _check_log(log: RenderLog, strict: bool) -> None:
    if log.refused:
        raise JobError(f"refused to load {log.refused[0]}: only the kit's own files may be used")
    if log.missing_glyphs:
        raise JobError(f"missing glyphs: {log.missing_glyphs[0]}")
    if strict and log.warnings:
        raise JobError(f"WeasyPrint warning (strict build): {log.warnings[0]}")
