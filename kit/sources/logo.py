"""What a school's logo may be, checked in full before anything is rendered.

A logo is printed on every cover and poster of the school's pack, so a fault
in it must be found when the profile is read, with the profile's line, not
after minutes of layout with a message from deep inside WeasyPrint:

- an SVG is one self-contained drawing: no DTD or entities, no processing
  instructions (an `xml-stylesheet` loads a file), nesting at most
  `MAX_DEPTH` deep and at most `MAX_ELEMENTS` elements, no `<use>` of what
  itself holds a `<use>` (each level multiplies the shapes); no text (it would be
  set in a font the kit does not have, or silently in another one: the
  lettering must be converted to outlines), no embedded images, scripts or
  foreign objects, and no reference to anything outside the file;
- a PNG or JPEG is decoded pixel by pixel (damaged image data otherwise
  prints as a black square); a JPEG is stored as PNG, the one bitmap format
  the print edition's colour conversion takes.
"""

from __future__ import annotations

import io
import re
from xml.parsers import expat

SVG_NS = "http://www.w3.org/2000/svg"
MAX_DEPTH = 32  # a drawing program's logo is a handful of groups deep
MAX_ELEMENTS = 20_000
# Elements that draw text: their font is not the kit's to choose.
TEXT = {"text", "tspan", "textPath", "tref", "altGlyph", "font", "font-face", "glyph"}
# Elements that bring in what is not a drawing.
FOREIGN = {"image", "feImage", "script", "foreignObject", "iframe", "video", "audio", "canvas",
           "handler", "listener"}
# url(…) to anything but an element of the same file (`url(#gradient)`), and CSS imports.
_OUTSIDE = re.compile(r"url\(\s*(?:['\"]\s*)?(?![\s'\"#])|@import", re.IGNORECASE)


class Refused(Exception):
    """Why the logo cannot be printed: the end of a sentence that starts with its name."""


def check_svg(data: bytes) -> None:
    """Refuse an SVG that is not one self-contained drawing the kit can print."""
    depth = 0
    elements = 0
    style: list[str] | None = None  # the text of a `<style>` element being read
    # `<use>` inside what another `<use>` repeats multiplies the drawing at
    # every level: ten levels of ten make ten billion shapes to lay out.
    open_ids: list[str | None] = []  # the id of each element being read
    repeating: set[str] = set()  # ids of elements that hold a `<use>`
    used: list[str] = []  # the ids `<use>` elements repeat

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth, elements, style
        depth += 1
        elements += 1
        namespace, _, local = name.rpartition(" ")
        if depth == 1 and (local != "svg" or namespace not in {"", SVG_NS}):
            raise Refused("is not an SVG image")
        if depth > MAX_DEPTH:
            raise Refused(f"is nested more than {MAX_DEPTH} levels deep; ungroup it in the "
                          "drawing program")
        if elements > MAX_ELEMENTS:
            raise Refused(f"has more than {MAX_ELEMENTS} elements; simplify it in the drawing "
                          "program")
        if local in TEXT:
            raise Refused(f"contains text (`<{local}>`); convert the text to outlines (paths) "
                          "in the drawing program, so it prints in the logo's own lettering")
        if local in FOREIGN:
            raise Refused(f"contains `<{local}>`; a logo must be a drawing of shapes only")
        for key, text in attributes.items():
            attribute = key.rpartition(" ")[2]
            if attribute == "href" and not text.strip().startswith("#"):
                raise Refused(f"refers to `{text[:60]}`; a logo must be one file, with nothing "
                              "outside it")
            if _OUTSIDE.search(text):
                raise Refused(f"refers to a file in its `{attribute}`; a logo must be one file, "
                              "with nothing outside it")
        style = [] if local == "style" else None
        open_ids.append(attributes.get("id"))
        if local == "use":
            repeating.update(i for i in open_ids if i)
            used.extend(text.strip()[1:] for key, text in attributes.items()
                        if key.rpartition(" ")[2] == "href")

    def end(name: str) -> None:
        nonlocal depth, style
        depth -= 1
        open_ids.pop()
        if style is not None and _OUTSIDE.search("".join(style)):
            raise Refused("refers to a file in its `<style>`; a logo must be one file, with "
                          "nothing outside it")
        style = None

    def text(data: str) -> None:
        if style is not None:
            style.append(data)

    def doctype(*_: object) -> None:
        raise Refused("declares a DOCTYPE or entities; save it as plain SVG")

    def instruction(target: str, _: str) -> None:
        raise Refused(f"holds the processing instruction `<?{target}`; save it as plain SVG")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.ProcessingInstructionHandler = instruction
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        raise Refused("is not a readable SVG file") from None
    nested = next((i for i in used if i in repeating), None)
    if nested is not None:
        raise Refused(f"repeats `#{nested}`, which itself repeats other shapes (`<use>` within "
                      "`<use>`); expand the repeated shapes in the drawing program")


def check_bitmap(data: bytes, kind: str, max_pixels: int) -> bytes:
    """A PNG or JPEG decoded in full; the logo as PNG."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            found = image.format
            width, height = image.size
    except Exception:  # Pillow raises many kinds for a damaged file
        raise Refused(f"is not a readable {kind} image") from None
    if found != kind:
        raise Refused(f"is a {found} file, not a {kind}")
    if max(width, height) > max_pixels:
        raise Refused(f"is {width} × {height} pixels; at most {max_pixels} on a side")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()  # the chunks' checksums
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # every pixel: damaged image data would print as a black square
            if kind == "PNG":
                return data
            buffer = io.BytesIO()
            image.convert("RGBA" if "A" in image.mode else "RGB").save(buffer, "PNG")
            return buffer.getvalue()
    except Exception:
        raise Refused(f"is a damaged {kind} image: its pixels cannot be read; export it "
                      "again") from None
