"""STR: the file's structure: sections, tags for screen readers, metadata, syntax."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pikepdf

from kit.pdf.accessible import _kids, has_content, structure_problems
from kit.pdf.rules.base import Problem, Rule, Subject, everywhere, on_screen
from kit.plan import Output, planned_bookmarks
from kit.sources.languages import SOURCE_LANGUAGE, language


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
    for problem in structure_problems(s.pdf, tags, s.parse):
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


def _scripts(obj: pikepdf.Object, path: str) -> Iterator[str]:
    """Where under `obj` a JavaScript action or script sits ("" for `obj` itself).

    References are not followed: every indirect object is scanned on its own.
    """
    if isinstance(obj, pikepdf.Dictionary):
        if "/JS" in obj or obj.get("/S") == pikepdf.Name.JavaScript:
            yield path
        for key, value in obj.items():
            if isinstance(value, pikepdf.Dictionary | pikepdf.Array) and not value.is_indirect:
                yield from _scripts(value, f"{path}{key}")
    elif isinstance(obj, pikepdf.Array):
        for index, value in enumerate(obj):
            if isinstance(value, pikepdf.Dictionary | pikepdf.Array) and not value.is_indirect:
                yield from _scripts(value, f"{path}[{index}]")


def no_javascript(s: Subject) -> Iterator[Problem]:
    """No JavaScript: no script action (an /OpenAction, a link, a field) and no script tree.

    A school hands the file to parents; a print shop's preflight rejects
    scripts, and a file that runs code on opening is not one to forward.
    """
    if "/JavaScript" in s.pdf.Root.get("/Names", pikepdf.Dictionary()):
        yield None, "a document-level JavaScript name tree (/Names /JavaScript)"
    for obj in s.pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            continue
        found = obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj
        kind = f" ({found.Type})" if "/Type" in found else ""
        for where in _scripts(found, ""):
            yield None, f"JavaScript in object {obj.objgen[0]}{kind}" + (
                f" at {where}" if where else "")


def display_title(s: Subject) -> Iterator[Problem]:
    """The viewer's title bar shows the document's title, not its file name (PDF/UA-1 7.1)."""
    preferences = s.pdf.Root.get("/ViewerPreferences", pikepdf.Dictionary())
    if not bool(preferences.get("/DisplayDocTitle", False)):
        yield None, "/ViewerPreferences /DisplayDocTitle is not true: viewers show the file name"


def in_order(element: pikepdf.Object) -> Iterator[pikepdf.Dictionary]:
    """The structure elements under `element` in document (reading) order."""
    for kid in _kids(element):
        if "/S" in kid:
            yield kid
            yield from in_order(kid)


def _page_numbers(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: number for number, page in enumerate(pdf.pages, start=1)}


def _page(element: pikepdf.Dictionary, pages: dict[tuple[int, int], int]) -> int | None:
    page = element.get("/Pg")
    return pages.get(page.objgen) if page is not None else None


HEADING = {f"/H{level}": level for level in range(1, 7)}


def heading_levels(s: Subject) -> Iterator[Problem]:
    """Headings start at H1 and never skip a level going down (Matterhorn 14-002, 14-003)."""
    tree = s.pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return  # STR002 reports an untagged file
    pages = _page_numbers(s.pdf)
    previous = 0
    for element in in_order(tree):
        level = HEADING.get(str(element.S))
        if level is None:
            continue
        if previous == 0 and level != 1:
            yield _page(element, pages), f"the first heading is H{level}, not H1"
        elif level > previous + 1:
            yield _page(element, pages), (f"H{previous} is followed by H{level}: "
                                          "a heading level is skipped")
        previous = level
    if previous == 0:
        yield None, "no heading: a tagged file starts with an H1"


def dutch_quotes(s: Subject) -> Iterator[Problem]:
    """In each translation, the quoted Dutch title and the department's name are tagged nl.

    They are Dutch words inside a line of another language (the credit
    line): without their own /Lang a screen reader reads them with the
    translation's voice. Two at least: the title and the publisher.
    """
    source = language(SOURCE_LANGUAGE).tag
    inside: Counter[str] = Counter()
    tree = s.pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return  # STR002 reports an untagged file
    todo = [(kid, str(s.pdf.Root.get("/Lang", ""))) for kid in _kids(tree)]
    while todo:
        element, inherited = todo.pop()
        if "/S" not in element:
            continue
        own = str(element.get("/Lang", inherited))
        if own == source and inherited != source:
            inside[inherited] += 1
        todo += [(kid, own) for kid in _kids(element)]
    for code in s.output.languages:
        tag = language(code).tag
        if tag != source and inside[tag] < 2:
            yield None, (f"the `{tag}` text holds {inside[tag]} Dutch (nl) parts, not the quoted "
                         "title and the department's name: they would be read with its voice")


def _translated_credit(output: Output) -> bool:
    """A screen file with a translation's own credit line (a multilingual poster has one, Dutch)."""
    return (on_screen(output) and not output.multilingual
            and any(code != SOURCE_LANGUAGE for code in output.languages))


def no_empty_elements(s: Subject) -> Iterator[Problem]:
    """No structure element without content: a screen reader announces an empty group."""
    pages = _page_numbers(s.pdf)
    for element in in_order(s.pdf.Root.get("/StructTreeRoot", pikepdf.Dictionary())):
        if not has_content(element):
            yield _page(element, pages), f"an empty {str(element.S)[1:]} structure element"


RULES = (
    Rule("STR001", "sections", everywhere, sections),
    Rule("STR002", "tags", on_screen, screen_tags),
    Rule("STR003", "metadata", everywhere, metadata),
    Rule("STR004", "qpdf", everywhere, qpdf),
    Rule("STR005", "javascript", everywhere, no_javascript),
    Rule("STR006", "doctitle", on_screen, display_title),
    Rule("STR007", "headings", on_screen, heading_levels),
    Rule("STR008", "empty", on_screen, no_empty_elements),
    Rule("STR009", "dutch", _translated_credit, dutch_quotes),
)
