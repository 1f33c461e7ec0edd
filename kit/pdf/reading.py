"""The text a screen reader reads from a tagged PDF: the structure tree, in order.

Each structure element contributes its /ActualText where it has one (then
nothing below it is read), else the text of its marked content, decoded
through each font's ToUnicode map, and the text of its kids. This is the
text layer "in the structure tree's reading order": no guess from positions
on the page, unlike pdftotext.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pikepdf

from kit.pdf.streams import Parse

_BLOCK = re.compile(rb"begin(bfchar|bfrange)(.*?)end\1", re.S)
_HEX = re.compile(rb"<([0-9a-fA-F]*)>")
# Elements whose text a screen reader reads as a block of its own.
INLINE = {"/Span", "/Link", "/Lbl", "/Reference", "/Quote", "/Note", "/Code"}

Mapping = dict[int, str]


def _utf16(hexadecimal: bytes) -> str:
    return bytes.fromhex(hexadecimal.decode()).decode("utf-16-be", errors="replace")


def to_unicode(font: pikepdf.Dictionary) -> Mapping:
    """A two-byte font's map from glyph codes to text, read from its ToUnicode CMap."""
    stream = font.get("/ToUnicode")
    if not isinstance(stream, pikepdf.Stream):
        return {}
    mapping: Mapping = {}
    for kind, body in _BLOCK.findall(stream.read_bytes()):
        if kind == b"bfchar":
            values = _HEX.findall(body)
            for code, text in zip(values[::2], values[1::2], strict=True):
                mapping[int(code, 16)] = _utf16(text)
            continue
        for line in body.splitlines():
            values = _HEX.findall(line)
            if len(values) < 3:
                continue
            first, last = int(values[0], 16), int(values[1], 16)
            if b"[" in line:  # one destination per code
                for offset, text in enumerate(values[2:]):
                    mapping[first + offset] = _utf16(text)
            else:
                start = int(values[2], 16)
                for offset in range(last - first + 1):
                    mapping[first + offset] = chr(start + offset)
    return mapping


def marked_texts(page: pikepdf.Page, parse: Parse = pikepdf.parse_content_stream
                 ) -> dict[int, str]:
    """The text of each marked-content sequence (by MCID) of one page."""
    fonts = page.obj.get("/Resources", pikepdf.Dictionary()).get("/Font", pikepdf.Dictionary())
    maps: dict[str, Mapping] = {}
    texts: dict[int, list[str]] = {}
    stack: list[int | None] = []
    mapping: Mapping = {}
    for operands, operator in parse(page.obj):
        op = str(operator)
        if op == "BDC":
            properties = operands[1] if isinstance(operands[1], pikepdf.Dictionary) else {}
            stack.append(int(properties["/MCID"]) if "/MCID" in properties else None)
        elif op == "BMC":
            stack.append(None)
        elif op == "EMC" and stack:
            stack.pop()
        elif op == "Tf":
            name = str(operands[0])
            if name not in maps:
                maps[name] = to_unicode(fonts.get(operands[0], pikepdf.Dictionary()))
            mapping = maps[name]
        elif op in {"Tj", "TJ"} and stack and stack[-1] is not None:
            parts = operands[0] if op == "TJ" else [operands[0]]
            for part in parts:
                if isinstance(part, pikepdf.String):
                    data = bytes(part)
                    texts.setdefault(stack[-1], []).extend(
                        mapping.get(int.from_bytes(data[i:i + 2], "big"), "")
                        for i in range(0, len(data) - 1, 2))
    return {mcid: "".join(parts) for mcid, parts in texts.items()}


def reading_text(pdf: pikepdf.Pdf, parse: Parse = pikepdf.parse_content_stream) -> str:
    """The file's text as a screen reader meets it: one line per block element.

    A run that ends a line and one that starts inside a word (a word split by
    inline markup) look alike here; a space after each run is the common case.
    """
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return ""
    pages = {page.obj.objgen: page for page in pdf.pages}
    cache: dict[tuple[int, int], dict[int, str]] = {}

    def page_texts(page: pikepdf.Object | None) -> dict[int, str]:
        if page is None or page.objgen not in pages:
            return {}
        if page.objgen not in cache:
            cache[page.objgen] = marked_texts(pages[page.objgen], parse)
        return cache[page.objgen]

    def read(element: pikepdf.Object, page: pikepdf.Object | None) -> Iterator[str]:
        page = element.get("/Pg", page)
        if "/ActualText" in element:
            yield str(element.ActualText)
            return
        kids = element.get("/K")
        # Each marked-content sequence is a run of one line: the space between
        # two lines is no glyph, so one is put between any two sequences.
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, int):
                yield page_texts(page).get(kid, "") + " "
            elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
                yield page_texts(kid.get("/Pg", page)).get(int(kid.MCID), "") + " "
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                block = str(kid.S) not in INLINE
                yield from (["\n", *read(kid, page), "\n"] if block else read(kid, page))

    text = re.sub(r"[ \t]+", " ", "".join(read(tree, None)))
    return re.sub(r" ?\n[\s]*", "\n", text).strip()
