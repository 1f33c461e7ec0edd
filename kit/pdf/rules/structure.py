"""STR: the file's structure: sections, tags for screen readers, metadata, syntax."""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf

from kit.pdf.accessible import structure_problems
from kit.pdf.rules.base import Problem, Rule, Subject, everywhere, on_screen
from kit.plan import planned_bookmarks
from kit.sources.languages import language


def _bookmarks(pdf: pikepdf.Pdf) -> list[str]:
    titles: list[str] = []
    with pdf.open_outline() as outline:
        stack = list(reversed(outline.root))
        while stack:
            item = stack.pop()
            titles.append(item.title)
            stack.extend(reversed(item.children))
    return titles


def sections(s: Subject) -> Iterator[Problem]:
    """Every planned section is in the file once: counted through the bookmarks."""
    expected = planned_bookmarks(s.output, s.headings)
    if expected is None:
        return
    found = _bookmarks(s.pdf)
    if len(found) != expected:
        yield None, (f"has {len(found)} bookmarked headings, the plan expects {expected}: "
                     "a section is missing or laid out twice")


def screen_tags(s: Subject) -> Iterator[Problem]:
    """Tagged and marked, with a language, a title, bookmarks and a sound structure tree."""
    root = s.pdf.Root
    if "/StructTreeRoot" not in root:
        yield None, "not tagged (no structure tree)"
        return
    if not bool(root.get("/MarkInfo", pikepdf.Dictionary()).get("/Marked", False)):
        yield None, "not marked as tagged"
    if not str(root.get("/Lang", "")):
        yield None, "no document language"
    if not str(s.pdf.docinfo.get("/Title", "")):
        yield None, "no title"
    if s.output.product == "brochure" and "/Outlines" not in root:
        yield None, "no bookmarks"
    tags = tuple(language(c).tag for c in s.output.languages)
    for problem in structure_problems(s.pdf, tags):
        yield None, problem


def metadata(s: Subject) -> Iterator[Problem]:
    """Document info and XMP, in every edition, with title, languages and dates."""
    for key in ("/Title", "/Author", "/Keywords", "/CreationDate"):
        if not str(s.pdf.docinfo.get(key, "")):
            yield None, f"metadata has no {key[1:]}"
    if "/Metadata" not in s.pdf.Root:
        yield None, "no XMP metadata"
        return
    xmp = s.pdf.open_metadata()
    for key in ("dc:title", "dc:language", "xmp:CreateDate", "xmp:MetadataDate"):
        if not xmp.get(key):
            yield None, f"the XMP metadata has no {key}"


def qpdf(s: Subject) -> Iterator[Problem]:
    """qpdf's own structural check (`qpdf --check`), run in-process through pikepdf."""
    for problem in s.pdf.check_pdf_syntax():
        yield None, f"qpdf --check: {problem}"


RULES = (
    Rule("STR001", "sections", everywhere, sections),
    Rule("STR002", "tags", on_screen, screen_tags),
    Rule("STR003", "metadata", everywhere, metadata),
    Rule("STR004", "qpdf", everywhere, qpdf),
)
