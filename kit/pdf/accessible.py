"""The screen edition's structure, made right for screen readers (PDF/UA-1).

WeasyPrint tags the document from its boxes but leaves things a screen
reader stumbles on, which this stage fixes:

- no structure element carries its own language, so Arabic in a bilingual
  file is read with a Dutch voice: `tag_languages` gives every element whose
  HTML has a `lang` attribute a `/Lang`;
- page numbers are marked content linked to nothing: they become
  pagination artifacts;
- header cells have no scope and refer to IDs no ID tree resolves, and
  layout tables (a poster's two columns) are announced as data tables;
- a list item's paragraph sits beside its `LBody` instead of inside it;
- an element with nothing in it (the empty `div`s a poster's layout is
  measured by) becomes an empty `Div` a screen reader announces: removed;
- Arabic-script text and mirrored brackets are read through glyphs that
  cannot say them: `tag_actual_text` gives each such run its own words as
  `/ActualText` (in untagged files too, in page content).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pikepdf
import pydyf

from kit.pdf.streams import Parse

LIST_ITEM_PARTS = {"/Lbl", "/LBody"}
LIST_PARTS = {"/LI", "/L", "/Caption"}
TABLE_PARTS = {"/Table", "/THead", "/TBody", "/TFoot", "/TR", "/TH", "/TD"}


def tag_languages() -> None:
    """Make WeasyPrint's tagger copy each element's `lang` attribute into `/Lang`.

    WeasyPrint 70 builds the structure tree in `_build_box_tree`, which calls
    itself for every box; wrapping it sees each box beside the elements made
    for it. Installed once per process; the pinned version keeps this honest,
    and a test fails if the tags lose their languages.
    """
    from weasyprint.pdf import tags

    if getattr(tags._build_box_tree, "kit_languages", False):
        return
    tags._build_box_tree = _with_language(tags._build_box_tree)


def _with_language(build: Callable[..., Iterator[pydyf.Dictionary]]
                   ) -> Callable[..., Iterator[pydyf.Dictionary]]:
    def build_with_language(box, *args, **kwargs) -> Iterator[pydyf.Dictionary]:
        element = getattr(box, "element", None)
        lang = None
        if element is not None and getattr(element, "tag", None) not in ("html", "body"):
            lang = element.get("lang")
        for made in build(box, *args, **kwargs):
            if lang and "Lang" not in made:
                made["Lang"] = pydyf.String(lang)
            yield made

    build_with_language.kit_languages = True  # type: ignore[attr-defined]
    return build_with_language


# Characters of the Arabic script: its faces (Nastaliq most) draw contextual
# forms and ligatures whose glyphs map back to no character or the wrong one.
ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# Bidi controls steer the layout and soft hyphens mark where a word may
# break: neither is part of the words a reader copies, searches or hears
# ("com-mu<shy>ni<shy>ce<shy>ren" would not be found as "communiceren").
NOT_WORDS = re.compile("[\u00ad\u200e\u200f\u202a-\u202e\u2066-\u2069]")
LRM, RLM = "\u200e", "\u200f"


def tag_actual_text() -> None:
    """Give a run whose glyphs cannot say its words those words as /ActualText (ISO 32000-1 14.9.4).

    Text comes back from a PDF through each font's map from glyphs to
    characters, which cannot say what a ligature or a contextual form stands
    for: half of the Nastaliq face's glyphs map to nothing, and a zero-width
    non-joiner draws no glyph at all. A mirrored character (a bracket) drawn
    right to left is drawn with its mirror's glyph, and one glyph maps to one
    text, so the font's map misreads the brackets of one direction or the
    other: whichever the file drew first wins.

    WeasyPrint marks each text box it draws with a marked-content sequence of
    its own in a tagged file (the screen edition): wrapping `Stream.marked`
    adds the box's text, in logical order, to that sequence's property list,
    and `make_accessible` moves it to the box's structure element, where a
    screen reader reads it instead of the glyphs. An untagged file (print,
    office) gets a marked-content sequence of the kit's own around such a
    box, whose ActualText the text extractors read in place of the glyphs:
    see `drawn_text` for its order.
    """
    from weasyprint import draw
    from weasyprint.draw import text as draw_text
    from weasyprint.pdf.stream import Stream

    if getattr(Stream.marked, "kit_actual_text", False):
        return
    Stream.marked = _with_actual_text(Stream.marked)
    draw.draw_inline_level = _with_line_ends(draw.draw_inline_level)
    draw_text.draw_first_line = _with_drawn_text(draw_text.draw_first_line)


def unsaid(text: str) -> bool:
    """Whether a box's glyphs may not say its text: Arabic script, or a mirrored character."""
    return bool(ARABIC_SCRIPT.search(text)) or any(unicodedata.mirrored(c) for c in text)


def actual_text(box: object) -> str | None:
    """The words a text box draws, in logical order, where its glyphs cannot say them.

    A line ends in a space the layout dropped: without it, the last word of
    one line and the first of the next would be read as one.
    """
    text = getattr(box, "text", None)
    if not isinstance(text, str) or not unsaid(text):
        return None
    text = NOT_WORDS.sub("", text)
    return text + " " if getattr(box, "kit_line_end", False) and not text[-1:].isspace() else text


def drawn_text(layout: object) -> str:
    """The text of a laid-out line in the order its glyphs are drawn: left to right.

    Each run of the line's bidi resolution as Pango drew it, a right-to-left
    run's characters reversed. This is the order the text extractors expect
    of an ActualText in page content: poppler's pdftotext, PDFium (Chrome,
    Edge, Android) and MuPDF lay its characters out left to right across
    the glyphs it replaces, then reorder the line from visual to logical
    order as they do the glyphs' own text. Measured on the Urdu brochure,
    logical-order ActualText came back reversed from all three (3-10 % of the
    words); in drawing order, 69-98 %. A mirrored character stays itself:
    the extractors reverse a right-to-left run without mirroring it.

    A right-to-left run is fenced by right-to-left marks, a left-to-right
    one by left-to-right marks, and a right-to-left run's spaces at its ends
    stand outside its fence, each between a left-to-right and a right-to-left
    mark: poppler reads a line either way round (by the page's majority) and
    otherwise moves such a space to the run's other end, joining its last
    word to the next run's first ("CLBسے"). A no-break space is a space here:
    poppler takes it for part of a number and splits a run there.
    """
    from weasyprint.text.ffi import ffi

    line, _ = layout.get_first_line()  # type: ignore[attr-defined]
    data = layout.text.encode()  # type: ignore[attr-defined]
    runs: list[tuple[str, int]] = []
    run = line.runs
    while run != ffi.NULL:
        item = run.data.item
        text = NOT_WORDS.sub("", data[item.offset:item.offset + item.length].decode())
        rtl = item.analysis.level % 2
        if runs and runs[-1][1] == rtl:
            # Pango splits a line at each change of font too; the bidi runs are what counts.
            text = text + runs.pop()[0] if rtl else runs.pop()[0] + text
        runs.append((text, rtl))
        run = run.next
    if not any(rtl for _, rtl in runs):
        return "".join(text for text, _ in runs)
    parts = []
    for number, (text, rtl) in enumerate(runs):
        if not rtl:
            left, right = (runs[number - 1][0] if number else " "), (
                runs[number + 1][0] if number + 1 < len(runs) else " ")
            # Read left to right, a right-to-left neighbour's far end meets this
            # run: a space keeps a word there from joining this run's.
            lead = " " if text[:1].isalnum() and left[-1:].isalnum() else ""
            trail = " " if text[-1:].isalnum() and right[:1].isalnum() else ""
            parts.append(f"{LRM}{lead}{text}{trail}{LRM}")
            continue
        text = text.replace("\u00a0", " ")
        space = f"{LRM} {RLM}"
        # The box's own edges count as spaces: a run there meets the next box.
        before = text[-1:] == " " or number == 0
        after = text[:1] == " " or number == len(runs) - 1
        parts.append((space if before else "") + f"{RLM}{text.strip(' ')[::-1]}{RLM}"
                     + (space if after else ""))
    return "".join(parts)


def _with_drawn_text(draw_first_line: Callable[..., list]) -> Callable[..., list]:
    """Keep the drawing order of a box's text, read from its layout while it is drawn."""

    def draw_keeping_order(stream: pydyf.Stream, textbox: object, *args: object,
                           **kwargs: object) -> list:
        drawn = draw_first_line(stream, textbox, *args, **kwargs)
        text = getattr(textbox, "text", None)
        if isinstance(text, str) and unsaid(text):
            textbox.kit_drawn = drawn_text(textbox.pango_layout)  # type: ignore[attr-defined]
        return drawn

    return draw_keeping_order


def _with_line_ends(draw: Callable[..., None]) -> Callable[..., None]:
    """Mark the last text box of each line as it is drawn, for `actual_text`."""
    from weasyprint.formatting_structure.boxes import LineBox, TextBox

    def draw_marking_line_ends(stream: pydyf.Stream, page: object, box: object,
                               *args: object, **kwargs: object) -> None:
        if isinstance(box, LineBox):
            last = box
            while getattr(last, "children", None):
                last = last.children[-1]
            if isinstance(last, TextBox):
                last.kit_line_end = True  # type: ignore[attr-defined]
        draw(stream, page, box, *args, **kwargs)

    return draw_marking_line_ends


def _with_actual_text(marked: Callable[..., AbstractContextManager[None]]
                      ) -> Callable[..., AbstractContextManager[None]]:
    @contextmanager
    def marked_with_text(stream: pydyf.Stream, box: object, tag: str) -> Iterator[None]:
        before = len(stream.stream)
        with marked(stream, box, tag):
            tagged = len(stream.stream) > before
            if tagged:
                text = actual_text(box)
                # The property list `marked` has just written, before its BDC operator.
                properties = stream.stream[-2]
                if text and isinstance(properties, pydyf.Dictionary) and "MCID" in properties:
                    properties["ActualText"] = pydyf.String(text)
            start = len(stream.stream)
            yield
            drawn = None if tagged else vars(box).pop("kit_drawn", None)
            if drawn and len(stream.stream) > start:
                stream.stream[start:start] = [
                    b"/Span", pydyf.Dictionary({"ActualText": pydyf.String(drawn)}), b"BDC"]
                stream.end_marked_content()

    marked_with_text.kit_actual_text = True  # type: ignore[attr-defined]
    return marked_with_text


# --- after writing ----------------------------------------------------------------------


def _kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    kids = element.get("/K")
    if kids is None:
        return []
    if isinstance(kids, pikepdf.Array):
        return [k for k in kids if isinstance(k, pikepdf.Dictionary)]
    return [kids] if isinstance(kids, pikepdf.Dictionary) else []


def _elements(root: pikepdf.Object) -> Iterator[pikepdf.Dictionary]:
    todo = list(_kids(root))
    while todo:
        element = todo.pop()
        if "/S" not in element:
            continue  # a marked-content or object reference
        yield element
        todo.extend(_kids(element))


def make_accessible(pdf: pikepdf.Pdf) -> None:
    tree = pdf.Root.StructTreeRoot
    reachable = {e.objgen for e in _elements(tree)}
    _artifacts_and_actual_text(pdf, tree, reachable)
    elements = list(_elements(tree))
    _tables(pdf, tree, elements)
    _list_items(pdf, elements)
    _prune_empty(tree)


def _artifacts_and_actual_text(pdf: pikepdf.Pdf, tree: pikepdf.Dictionary,
                               reachable: set) -> None:
    """Two fixes to each page's marked content, made in one pass over its stream.

    Marked content no structure element reaches (page numbers) becomes an
    artifact. Each text run's /ActualText moves from its marked content to
    its structure element: screen readers read it from either place, but
    Poppler (pdftotext, Evince) reads only the marked content's and lays its
    characters out left to right, so a right-to-left line would come out
    reversed; there the glyphs' own mapping is the better guess.
    """
    for page, mcids in _marked_pages(pdf, tree):
        orphans = {i for i, e in enumerate(mcids)
                   if not isinstance(e, pikepdf.Dictionary) or e.objgen not in reachable}
        operations, changed = [], False
        for operands, operator in pikepdf.parse_content_stream(page.obj):
            properties = operands[1] if (str(operator) == "BDC" and len(operands) == 2
                                         and isinstance(operands[1], pikepdf.Dictionary)
                                         ) else None
            mcid = int(properties.get("/MCID", -1)) if properties is not None else -1
            if mcid in orphans:
                operands = [pikepdf.Name.Artifact, pikepdf.Dictionary(
                    Type=pikepdf.Name.Pagination, Subtype=pikepdf.Name.Footer)]
                changed = True
            elif properties is not None and "/ActualText" in properties:
                owner = mcids[mcid] if 0 <= mcid < len(mcids) else None
                if isinstance(owner, pikepdf.Dictionary):
                    owner.ActualText = properties.ActualText
                del properties["/ActualText"]
                changed = True
            operations.append((operands, operator))
        if changed:
            page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(operations))
        for i in orphans:
            mcids[i] = pikepdf.Object.parse(b"null")


def _marked_pages(pdf: pikepdf.Pdf, tree: pikepdf.Dictionary
                  ) -> Iterator[tuple[pikepdf.Page, pikepdf.Array]]:
    """Each page with marked content, and the structure element of each of its MCIDs."""
    nums = tree.ParentTree.Nums
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for number, page in enumerate(pdf.pages):
        mcids = parents.get(number)
        if isinstance(mcids, pikepdf.Array):
            yield page, mcids


def _descendants(element: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
    for kid in _kids(element):
        if "/S" in kid:
            yield kid
            yield from _descendants(kid)


def _tables(pdf: pikepdf.Pdf, tree: pikepdf.Dictionary,
            elements: list[pikepdf.Dictionary]) -> None:
    """Data tables get scoped headers and an ID tree; layout tables stop being tables."""
    ids: dict[str, pikepdf.Dictionary] = {}
    for table in (e for e in elements if e.S == "/Table"):
        parts = [table, *(d for d in _descendants(table) if str(d.S) in TABLE_PARTS)]
        headers = [d for d in parts if d.S == "/TH"]
        if not headers:
            # Two columns side by side on a poster: layout, not data.
            for part in parts:
                part.S = pikepdf.Name.Div
                if "/A" in part:
                    del part["/A"]
            continue
        for header in headers:
            attributes = header.get("/A", pikepdf.Dictionary(O=pikepdf.Name.Table))
            attributes.Scope = pikepdf.Name.Column
            header.A = attributes
            if "/ID" in header:
                ids[str(header.ID)] = header
    if ids:
        tree.IDTree = pdf.make_indirect(pikepdf.Dictionary(Names=pikepdf.Array(
            [item for key in sorted(ids) for item in (pikepdf.String(key), ids[key])])))


def _list_items(pdf: pikepdf.Pdf, elements: list[pikepdf.Dictionary]) -> None:
    """Whatever a list item holds besides its label goes inside its body."""
    for item in (e for e in elements if e.S == "/LI"):
        kids = _kids(item)
        strays = [k for k in kids if "/S" in k and str(k.S) not in LIST_ITEM_PARTS]
        if not strays:
            continue
        parts = [k for k in kids if "/S" in k and str(k.S) in LIST_ITEM_PARTS]
        body = next((k for k in parts if k.S == "/LBody"), None)
        if body is None:
            body = pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.StructElem, S=pikepdf.Name.LBody, P=item, K=pikepdf.Array()))
            parts.append(body)
        if not isinstance(body.get("/K"), pikepdf.Array):
            body.K = pikepdf.Array([body.K] if "/K" in body else [])
        for stray in strays:
            body.K.append(stray)
            stray.P = body
        item.K = pikepdf.Array(parts)


def has_content(element: pikepdf.Dictionary) -> bool:
    """Marked content or an object somewhere below: not only empty elements, or nothing."""
    kids = element.get("/K")
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    return any(has_content(k) if isinstance(k, pikepdf.Dictionary) and "/S" in k
               else k is not None for k in items)


def _prune_empty(parent: pikepdf.Dictionary) -> None:
    """Structure elements with no content, at any depth, leave the tree."""
    kids = parent.get("/K")
    if isinstance(kids, pikepdf.Dictionary) and "/S" in kids and not has_content(kids):
        del parent["/K"]
    elif isinstance(kids, pikepdf.Array):
        parent.K = pikepdf.Array([k for k in kids if not (
            isinstance(k, pikepdf.Dictionary) and "/S" in k and not has_content(k))])
    for kid in _kids(parent):
        if "/S" in kid:
            _prune_empty(kid)


# --- checks -------------------------------------------------------------------------------


def _effective_languages(tree: pikepdf.Dictionary, document: str
                         ) -> dict[tuple[int, int], str]:
    languages: dict[tuple[int, int], str] = {}
    todo = [(kid, document) for kid in _kids(tree)]
    while todo:
        element, inherited = todo.pop()
        if "/S" not in element:
            continue
        lang = str(element.get("/Lang", inherited))
        languages[element.objgen] = lang
        todo.extend((kid, lang) for kid in _kids(element))
    return languages


def structure_problems(pdf: pikepdf.Pdf, languages: tuple[str, ...],
                       parse: Parse = pikepdf.parse_content_stream) -> list[str]:
    """What a screen reader would get wrong in a tagged file: one line per kind.

    `languages` are the file's languages as BCP 47 tags, in column order.
    """
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return ["no structure tree"]
    elements = list(_elements(tree))
    checks = (_language_problem(pdf, tree, elements, languages),
              _artifact_problem(pdf, tree, elements, parse),
              _table_problem(tree, elements), _list_problem(elements),
              _link_problem(pdf, tree))
    return [problem for problem in checks if problem]


def _language_problem(pdf: pikepdf.Pdf, tree: pikepdf.Dictionary,
                      elements: list[pikepdf.Dictionary], languages: tuple[str, ...]
                      ) -> str | None:
    document = str(pdf.Root.get("/Lang", ""))
    effective = _effective_languages(tree, document)
    missing = [code for code in languages
               if code != document and code not in set(effective.values())]
    if missing:
        return f"no structure element is marked as `{missing[0]}` (/Lang)"
    for row in (e for e in elements if e.S == "/TR"):
        cells = [k for k in _kids(row) if str(k.get("/S")) in {"/TD", "/TH"}]
        if len(cells) == len(languages) > 1:
            found = tuple(effective[c.objgen] for c in cells)
            if found != languages:
                return f"a table row's cells are marked {found}, not {languages}"
    return None


def _artifact_problem(pdf: pikepdf.Pdf, tree: pikepdf.Dictionary,
                      elements: list[pikepdf.Dictionary], parse: Parse) -> str | None:
    """All page content is either reached from the structure tree or an artifact."""
    reachable = {e.objgen for e in elements}
    nums = tree.ParentTree.Nums
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for number, page in enumerate(pdf.pages, start=1):
        mcids = parents.get(number - 1)
        owners = list(mcids) if isinstance(mcids, pikepdf.Array) else []
        depth = 0
        for operands, operator in parse(page.obj):
            op = str(operator)
            if op == "BDC" and operands[0] != pikepdf.Name.Artifact:
                props = operands[1] if isinstance(operands[1], pikepdf.Dictionary) else {}
                mcid = int(props.get("/MCID", -1))
                owner = owners[mcid] if 0 <= mcid < len(owners) else None
                if not isinstance(owner, pikepdf.Dictionary) or owner.objgen not in reachable:
                    return (f"page {number}: marked content (MCID {mcid}) is neither in the "
                            "structure tree nor an artifact")
            if op in {"BDC", "BMC"}:
                depth += 1
            elif op == "EMC":
                depth -= 1
            elif op in {"Tj", "TJ", "'", '"'} and depth == 0:
                return f"page {number}: text outside any tag or artifact"
    return None


def _table_problem(tree: pikepdf.Dictionary, elements: list[pikepdf.Dictionary]) -> str | None:
    ids = {str(k) for k in pikepdf.NameTree(tree.IDTree)} if "/IDTree" in tree else set()
    for table in (e for e in elements if e.S == "/Table"):
        parts = list(_descendants(table))
        headers = [p for p in parts if p.S == "/TH"]
        if not headers:
            return "a table has no header cells (a layout table must not be a /Table)"
        if any("/Scope" not in h.get("/A", pikepdf.Dictionary()) for h in headers):
            return "a table header cell has no /Scope"
        refs = {str(r) for p in parts
                for r in p.get("/A", pikepdf.Dictionary()).get("/Headers", pikepdf.Array())}
        if refs - ids:
            return f"cells refer to header IDs no /IDTree resolves: {sorted(refs - ids)[0]}"
    return None


def _list_problem(elements: list[pikepdf.Dictionary]) -> str | None:
    for element in (e for e in elements if e.S == "/L"):
        kinds = [str(k.S) for k in _kids(element) if "/S" in k]
        strays = [kind for kind in kinds if kind not in LIST_PARTS]
        if strays:
            return f"a list holds {strays[0]} where only list items belong"
    for item in (e for e in elements if e.S == "/LI"):
        strays = [str(k.S) for k in _kids(item) if "/S" in k and str(k.S) not in LIST_ITEM_PARTS]
        if strays:
            return f"a list item holds {strays[0]} outside its LBody"
    return None


def _link_problem(pdf: pikepdf.Pdf, tree: pikepdf.Dictionary) -> str | None:
    """Every link annotation is described and reached from a `Link` element (PDF/UA-1 7.18.5).

    A screen reader finds a link through the structure tree: the annotation's
    /StructParent leads to a `Link` element whose kids hold the annotation's
    object reference, and /Contents says where it leads. A page with links
    orders them by the structure (/Tabs /S).
    """
    nums = tree.ParentTree.Nums
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for number, page in enumerate(pdf.pages, start=1):
        links = [a for a in page.obj.get("/Annots", pikepdf.Array())
                 if a.get("/Subtype") == pikepdf.Name.Link]
        if links and page.obj.get("/Tabs") != pikepdf.Name.S:
            return f"page {number}: links are not ordered by the structure (/Tabs /S)"
        for link in links:
            if not str(link.get("/Contents", "")).strip():
                return f"page {number}: a link has no description (/Contents)"
            element = parents.get(int(link.get("/StructParent", -1)))
            if not isinstance(element, pikepdf.Dictionary) or element.get("/S") != "/Link":
                return f"page {number}: a link is not reached from a Link structure element"
            kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
            if not any(isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"
                       and k.Obj.objgen == link.objgen for k in kids):
                return f"page {number}: a Link element does not hold its link's annotation"
    return None
