"""Cut Noto Sans CJK SC down to the GB 2312 repertoire for the kit's fonts/.

Needs Debian's fonts-noto-cjk. GB 2312 holds every character of everyday
Simplified Chinese (6,763 hanzi and the usual symbols); ASCII, Latin-1,
general and CJK punctuation and full-width forms are kept too. Run:
    .venv/bin/python fonts/make-chinese-subset.py
"""

import contextlib
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc"
KEPT_RANGES = ((0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF))


def repertoire() -> str:
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes([high, low]).decode("gb2312"))
    for first, last in KEPT_RANGES:
        chars.update(chr(c) for c in range(first, last + 1))
    return "".join(sorted(chars))


def main() -> None:
    here = Path(__file__).resolve().parent
    for weight in ("Regular", "Bold"):
        collection = TTCollection(SOURCE.format(weight=weight))
        face = next(f for f in collection.fonts if "SC" in f["name"].getDebugName(1))
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=repertoire())
        subsetter.subset(face)
        subset.save_font(face, str(here / f"NotoSansSC-GB2312-{weight}.otf"), options)


if __name__ == "__main__":
    main()
