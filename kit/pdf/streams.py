"""Reading what a PDF's content streams draw: text sizes and colours, RGB anywhere.

The preflight judges files by what they contain, not by what their metadata
claims: these walks follow every page, form XObject and tiling pattern with
the graphics state (transformation matrix and fill colour) a viewer would.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pikepdf

Colour = tuple[str, tuple[float, ...]]  # colour space and components
_SPACES = {"g": "DeviceGray", "rg": "DeviceRGB", "k": "DeviceCMYK"}
_DEFAULTS = {"DeviceGray": (0.0,), "DeviceRGB": (0.0, 0.0, 0.0),
             "DeviceCMYK": (0.0, 0.0, 0.0, 1.0)}


# Reads a page's (or a form's) content stream into its operations.
Parse = Callable[[pikepdf.Object], list]


def parsed_once() -> Parse:
    """A parser that reads each content stream of one open file once, however many walks ask.

    Several preflight rules walk the same pages (colours, text sizes, crop
    marks; on screen the reading and the artifacts): the parse is most of
    each walk's time. Only for a file no one changes while it is read.
    """
    parsed: dict[tuple[int, int], list] = {}

    def parse(obj: pikepdf.Object) -> list:
        if not obj.is_indirect:
            return pikepdf.parse_content_stream(obj)
        if obj.objgen not in parsed:
            parsed[obj.objgen] = pikepdf.parse_content_stream(obj)
        return parsed[obj.objgen]

    return parse


@dataclass(frozen=True)
class TextRun:
    font: str  # without the subset tag
    size: float  # in points on paper
    fill: Colour


def text_runs(pdf: pikepdf.Pdf, parse: Parse = pikepdf.parse_content_stream
              ) -> Counter[TextRun]:
    """Glyphs set per font, size on paper and fill colour, over every page."""
    runs: Counter[TextRun] = Counter()
    for page in pdf.pages:
        _walk(page.obj, page.obj.get("/Resources", pikepdf.Dictionary()), pikepdf.Matrix(),
              ("DeviceGray", (0.0,)), runs, parse)
    return runs


def _walk(stream: pikepdf.Object, resources: pikepdf.Dictionary, ctm: pikepdf.Matrix,
          fill: Colour, runs: Counter[TextRun], parse: Parse) -> None:
    stack: list[tuple[pikepdf.Matrix, Colour]] = []
    fonts = resources.get("/Font", pikepdf.Dictionary())
    xobjects = resources.get("/XObject", pikepdf.Dictionary())
    tm, font, size = pikepdf.Matrix(), "", 0.0
    for operands, operator in parse(stream):
        op = str(operator)
        if op == "q":
            stack.append((ctm, fill))
        elif op == "Q" and stack:
            ctm, fill = stack.pop()
        elif op == "cm":
            ctm = pikepdf.Matrix(*(float(v) for v in operands)) @ ctm
        elif op in _SPACES:
            fill = (_SPACES[op], tuple(float(v) for v in operands))
        elif op == "cs":
            space = str(operands[0]).lstrip("/")
            fill = (space, _DEFAULTS.get(space, ()))
        elif op in {"sc", "scn"}:
            fill = (fill[0], tuple(float(v) for v in operands
                                   if not isinstance(v, pikepdf.Name)))
        elif op == "BT":
            tm = pikepdf.Matrix()
        elif op == "Tm":
            tm = pikepdf.Matrix(*(float(v) for v in operands))
        elif op == "Tf":
            name = str(fonts.get(operands[0], {}).get("/BaseFont", "?"))
            font, size = name.split("+", 1)[-1].lstrip("/"), float(operands[1])
        elif op in {"TJ", "Tj"}:
            m = tm @ ctm
            scale = abs(m.a * m.d - m.b * m.c) ** 0.5
            parts = operands[0] if op == "TJ" else [operands[0]]
            glyphs = sum(len(bytes(p)) // 2 for p in parts if isinstance(p, pikepdf.String))
            runs[TextRun(font, round(size * scale, 1), fill)] += glyphs
        elif op == "Do":
            xobject = xobjects.get(operands[0])
            if xobject is not None and xobject.get("/Subtype") == "/Form":
                matrix = pikepdf.Matrix(*(float(v) for v in xobject.get("/Matrix",
                                                                     [1, 0, 0, 1, 0, 0])))
                _walk(xobject, xobject.get("/Resources", resources), matrix @ ctm, fill, runs,
                      parse)


def _appearances(annotation: pikepdf.Object) -> Iterator[pikepdf.Object]:
    """An annotation's appearance streams: normal, rollover and down, in every state."""
    for kind in annotation.get("/AP", pikepdf.Dictionary()).values():
        if isinstance(kind, pikepdf.Stream):
            yield kind
        elif isinstance(kind, pikepdf.Dictionary):
            yield from (state for state in kind.values() if isinstance(state, pikepdf.Stream))


def _drawn(pdf: pikepdf.Pdf) -> Iterator[tuple[str, pikepdf.Object, pikepdf.Dictionary]]:
    """Every page, annotation appearance, form XObject, tiling pattern and image, once.

    Each comes with where it is and the resources its names refer to (a form
    without resources of its own uses its parent's).
    """
    seen: set[tuple[int, int]] = set()
    todo = []
    for number, page in enumerate(pdf.pages, start=1):
        resources = page.obj.get("/Resources", pikepdf.Dictionary())
        todo.append((f"page {number}", page.obj, resources))
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            todo += [(f"page {number}, annotation appearance", stream, resources)
                     for stream in _appearances(annotation)]
    while todo:
        where, obj, inherited = todo.pop()
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        resources = obj.get("/Resources", inherited)
        yield where, obj, resources
        for name, xobject in resources.get("/XObject", pikepdf.Dictionary()).items():
            todo.append((f"{where}, {xobject.get('/Subtype')} {name}", xobject, resources))
        for name, pattern in resources.get("/Pattern", pikepdf.Dictionary()).items():
            todo.append((f"{where}, pattern {name}", pattern, resources))


def rgb_uses(pdf: pikepdf.Pdf, parse: Parse = pikepdf.parse_content_stream) -> list[str]:
    """Where a file uses RGB: colour operators, colour spaces, shadings, images, groups."""
    found = []
    for where, obj, resources in _drawn(pdf):
        group = obj.get("/Group")
        if group is not None and group.get("/CS") == pikepdf.Name.DeviceRGB:
            found.append(f"{where}: a transparency group in DeviceRGB")
        if obj.get("/Subtype") == "/Image":
            if is_rgb(obj.get("/ColorSpace")):
                found.append(f"{where}: an RGB image")
            continue
        if obj.get("/PatternType") not in (None, 1):
            shading = obj.get("/Shading", pikepdf.Dictionary())
            if is_rgb(shading.get("/ColorSpace")):
                found.append(f"{where}: an RGB shading")
            continue
        found += [f"{where}: {use}" for use in _stream_rgb(obj, resources, parse)]
    return found


def _stream_rgb(stream: pikepdf.Object, resources: pikepdf.Dictionary, parse: Parse
                ) -> list[str]:
    """RGB a content stream sets itself: one line per kind, however often it does."""
    spaces = resources.get("/ColorSpace", pikepdf.Dictionary())
    shadings = resources.get("/Shading", pikepdf.Dictionary())
    uses: dict[str, str] = {}  # kind -> the first use of that kind, in drawing order
    for operands, operator in parse(stream):
        op = str(operator)
        if op in {"rg", "RG"} or (op in {"cs", "CS"}
                                  and is_rgb(spaces.get(operands[0], operands[0]))):
            uses.setdefault("colour", f"`{op}` sets an RGB colour")
        elif op == "sh" and is_rgb(shadings.get(operands[0], pikepdf.Dictionary())
                                   .get("/ColorSpace")):
            uses.setdefault("shading", f"`sh` paints an RGB shading ({operands[0]})")
        elif op == "INLINE IMAGE":
            space = operands[0].obj.get("/ColorSpace")
            if is_rgb(spaces.get(space, space) if isinstance(space, pikepdf.Name) else space):
                uses.setdefault("image", "an RGB inline image")
    return list(uses.values())


def is_rgb(colorspace: pikepdf.Object | None) -> bool:
    """DeviceRGB, CalRGB, a three-component ICC profile, or a palette over one of them."""
    if colorspace is None:
        return False
    if colorspace == pikepdf.Name.DeviceRGB:
        return True
    if not isinstance(colorspace, pikepdf.Array) or len(colorspace) < 2:
        return False
    family = colorspace[0]
    if family == pikepdf.Name.ICCBased:
        return int(colorspace[1].get("/N", 0)) == 3
    if family == pikepdf.Name.CalRGB:
        return True
    return family == pikepdf.Name.Indexed and is_rgb(colorspace[1])


def is_black_ink(colour: Colour) -> bool:
    """Black or grey printed with the black plate alone."""
    space, values = colour
    if space == "DeviceGray":
        return True
    return space == "DeviceCMYK" and len(values) == 4 and not any(values[:3]) and values[3] > 0


def is_rich_black(colour: Colour) -> bool:
    """A near-black made of several inks: fine for large areas, never for text."""
    space, values = colour
    if space != "DeviceCMYK" or len(values) != 4:
        return False
    c, m, y, k = values
    return k >= 0.5 and c + m + y > 0
