"""Make WeasyPrint's PDF/X-4 a file a print shop's preflight accepts.

WeasyPrint writes the PDF/X-4 metadata, boxes and CMYK colours the
stylesheet asks for, but leaves three things a preflight rejects: no output
intent, RGB transparency groups (and RGB wherever an image or SVG brings
its own colours), and crop marks inside the bleed. This stage adds the output
intent with an embedded CMYK profile, converts every RGB colour, image and
group to CMYK, and draws the crop marks outside the bleed on a larger sheet.
"""

from __future__ import annotations

import zlib
from functools import cache

import pikepdf

from kit.pdf.streams import is_rgb
from kit.plan import Condition

MM = 72 / 25.4
# Crop marks start 1 mm outside the 3 mm bleed and are 5 mm long; the sheet
# (MediaBox) reaches 2 mm beyond them.
MARK_OFFSET_MM = 4.0
MARK_LENGTH_MM = 5.0
SLUG_MM = MARK_OFFSET_MM + MARK_LENGTH_MM + 2.0
MARK_WIDTH_PT = 0.25


def rgb_to_cmyk(r: float, g: float, b: float) -> tuple[float, float, float, float]:
    """Grey component replacement: black and greys become K only, never four inks."""
    k = 1 - max(r, g, b)
    if k >= 1:
        return 0.0, 0.0, 0.0, 1.0
    c, m, y = (round((1 - v - k) / (1 - k), 4) for v in (r, g, b))
    return c, m, y, round(k, 4)


def make_print_ready(pdf: pikepdf.Pdf, condition: Condition) -> None:
    done: set[tuple[int, int]] = set()
    for page in pdf.pages:
        _cmyk_object(pdf, page.obj, done)
        _crop_marks(pdf, page)
    _output_intent(pdf, condition)


# --- colour ------------------------------------------------------------------------


def _number(value: pikepdf.Object) -> float:
    return float(value)


def _cmyk_stream(operations: list) -> tuple[list, bool]:
    """Content-stream operations with every RGB colour operator in CMYK."""
    changed = False
    fill_rgb = stroke_rgb = False
    result = []
    for operands, operator in operations:
        op = str(operator)
        if op in {"rg", "RG"}:
            cmyk = rgb_to_cmyk(*(_number(v) for v in operands))
            result.append((list(cmyk), pikepdf.Operator("k" if op == "rg" else "K")))
            changed = True
            continue
        if op in {"cs", "CS"}:
            rgb = str(operands[0]) == "/DeviceRGB"
            if op == "cs":
                fill_rgb = rgb
            else:
                stroke_rgb = rgb
            if rgb:
                operands = [pikepdf.Name.DeviceCMYK]
                changed = True
        elif len(operands) == 3 and ((op in {"sc", "scn"} and fill_rgb)
                                     or (op in {"SC", "SCN"} and stroke_rgb)):
            operands, changed = list(rgb_to_cmyk(*(_number(v) for v in operands))), True
        result.append((operands, operator))
    return result, changed


def _cmyk_group(obj: pikepdf.Object) -> None:
    group = obj.get("/Group")
    if group is not None and group.get("/CS") == pikepdf.Name.DeviceRGB:
        group.CS = pikepdf.Name.DeviceCMYK


def _cmyk_image(image: pikepdf.Stream) -> None:
    rgb = pikepdf.PdfImage(image).as_pil_image().convert("RGB").tobytes()
    cache: dict[bytes, bytes] = {}
    out = bytearray()
    for at in range(0, len(rgb), 3):
        pixel = rgb[at:at + 3]
        if pixel not in cache:  # logos have few colours
            cache[pixel] = bytes(round(v * 255) for v in rgb_to_cmyk(*(c / 255 for c in pixel)))
        out += cache[pixel]
    image.write(zlib.compress(bytes(out)), filter=pikepdf.Name.FlateDecode)
    image.ColorSpace = pikepdf.Name.DeviceCMYK
    image.BitsPerComponent = 8
    for key in ("/DecodeParms", "/Decode"):
        if key in image:
            del image[key]


# Every way a content stream sets an RGB colour writes one of these: the operators
# `rg` and `RG`, or the name /DeviceRGB (its letters, or `#` where a name escapes them).
_RGB_HINTS = (b"rg", b"RG", b"#")


def _may_set_rgb(obj: pikepdf.Object) -> bool:
    """Whether a page's or form's content could set an RGB colour.

    WeasyPrint sets the print edition's colours in CMYK, so most pages never
    do: looking for the bytes is cheaper than parsing the stream, and a false
    alarm only costs the parse.
    """
    contents = obj if isinstance(obj, pikepdf.Stream) else obj.get("/Contents")
    streams = contents if isinstance(contents, pikepdf.Array) else [contents]
    data = b"\n".join(s.read_bytes() for s in streams if isinstance(s, pikepdf.Stream))
    return any(hint in data for hint in _RGB_HINTS)


def _cmyk_object(pdf: pikepdf.Pdf, obj: pikepdf.Object, done: set[tuple[int, int]]) -> None:
    """A page or form XObject, its own resources and everything they draw, in CMYK."""
    if obj.is_indirect:
        if obj.objgen in done:
            return
        done.add(obj.objgen)
    _cmyk_group(obj)
    if _may_set_rgb(obj):
        operations, changed = _cmyk_stream(list(pikepdf.parse_content_stream(obj)))
        if changed:
            data = pikepdf.unparse_content_stream(operations)
            if isinstance(obj, pikepdf.Stream):
                obj.write(data)
            else:
                pikepdf.Page(obj).obj.Contents = pdf.make_stream(data)
    resources = obj.get("/Resources", pikepdf.Dictionary())
    for xobject in resources.get("/XObject", pikepdf.Dictionary()).values():
        if xobject.get("/Subtype") == "/Form":
            _cmyk_object(pdf, xobject, done)
        elif xobject.get("/Subtype") == "/Image" and xobject.objgen not in done:
            done.add(xobject.objgen)
            if is_rgb(xobject.get("/ColorSpace")):
                _cmyk_image(xobject)
    for pattern in resources.get("/Pattern", pikepdf.Dictionary()).values():
        if pattern.get("/PatternType") == 1:
            _cmyk_object(pdf, pattern, done)


# --- marks and the output intent -----------------------------------------------------


def _all_inks(pdf: pikepdf.Pdf) -> pikepdf.Array:
    """Registration colour: the marks print on every plate."""
    tint = pdf.make_indirect(pikepdf.Dictionary(
        FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1], N=1))
    return pikepdf.Array([pikepdf.Name.Separation, pikepdf.Name.All,
                          pikepdf.Name.DeviceCMYK, tint])


def _crop_marks(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
    """A sheet larger than the bleed, with crop marks in the margin around it."""
    x0, y0, x1, y1 = (float(v) for v in page.obj.TrimBox)
    bx0, by0, bx1, by1 = (float(v) for v in page.obj.BleedBox)
    slug, offset, length = SLUG_MM * MM, MARK_OFFSET_MM * MM, MARK_LENGTH_MM * MM
    page.obj.MediaBox = [x0 - slug, y0 - slug, x1 + slug, y1 + slug]
    if "/CropBox" in page.obj:
        del page.obj["/CropBox"]
    # Whatever the layout drew stays inside the bleed: the marks' margin is empty.
    page.contents_add(f"q {bx0:.3f} {by0:.3f} {bx1 - bx0:.3f} {by1 - by0:.3f} re W n\n"
                      .encode(), prepend=True)
    lines = []
    for x, sign_x in ((x0, -1), (x1, 1)):
        for y, sign_y in ((y0, -1), (y1, 1)):
            # A horizontal mark on the trim line y, a vertical one on the trim line x.
            lines.append(f"{x + sign_x * offset:.3f} {y:.3f} m "
                         f"{x + sign_x * (offset + length):.3f} {y:.3f} l S")
            lines.append(f"{x:.3f} {y + sign_y * offset:.3f} m "
                         f"{x:.3f} {y + sign_y * (offset + length):.3f} l S")
    if "/Resources" not in page.obj:
        page.obj.Resources = pikepdf.Dictionary()
    resources = page.obj.Resources
    if "/ColorSpace" not in resources:
        resources.ColorSpace = pikepdf.Dictionary()
    resources.ColorSpace.KitRegistration = _all_inks(pdf)
    marks = "\n".join(lines)
    page.contents_add(f"Q\nq /KitRegistration CS 1 SCN {MARK_WIDTH_PT} w\n{marks}\nQ\n"
                      .encode())


@cache
def _compressed_profile(condition: Condition) -> bytes:
    """The profile as it is stored in every print file: compressed once per process, not
    once per file (the same bytes pikepdf's own compression gives)."""
    return zlib.compress(condition.profile_bytes())


def _output_intent(pdf: pikepdf.Pdf, condition: Condition) -> None:
    profile = pdf.make_stream(b"")
    profile.write(_compressed_profile(condition), filter=pikepdf.Name.FlateDecode)
    profile.N = 4
    pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name.GTS_PDFX,
        OutputConditionIdentifier=pikepdf.String(condition.identifier),
        OutputCondition=pikepdf.String(condition.info),
        RegistryName=pikepdf.String("http://www.color.org"),
        Info=pikepdf.String(condition.info),
        DestOutputProfile=profile,
    )])
