"""The web edition's font subsets and previews are made once and kept across builds."""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.web import site


def test_a_subset_is_made_once_for_every_later_site(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    real = site._subset.__wrapped__

    def counted(file: str, chars: frozenset[str]) -> bytes:
        made.append(file)
        return real(file, chars)

    monkeypatch.setattr(site, "_subset", counted)
    cache = tmp_path / "cache"
    html = "<p>Wat kan ik als ouder doen bij cyberpesten?</p><p>ماذا يمكنني أن أفعل</p>"
    (tmp_path / "a").mkdir()
    site.write_fonts(tmp_path / "a", html, ["nl", "ar"], cache)
    assert made and sorted(p.suffix for p in cache.iterdir()) == [".woff2"] * len(made)
    first = {p.name: p.read_bytes() for p in (tmp_path / "a/fonts").iterdir()}
    # Another build, a text edited with no character outside the ranges already cut.
    made.clear()
    (tmp_path / "b").mkdir()
    site.write_fonts(tmp_path / "b", html.replace("ouder", "moeder"), ["nl", "ar"], cache)
    assert made == []
    assert {p.name: p.read_bytes() for p in (tmp_path / "b/fonts").iterdir()} == first
    # A character from a new range (Ethiopic) makes the face that draws it, and only it.
    (tmp_path / "c").mkdir()
    site.write_fonts(tmp_path / "c", html + "<p>ሰላም</p>", ["nl", "ar", "ti"], cache)
    assert made and all("Ethiopic" in file for file in made)


def test_subsets_made_in_worker_processes_are_the_same_fonts(tmp_path: Path) -> None:
    html = "<p>Wat kan ik als ouder doen bij cyberpesten?</p><p>ماذا يمكنني أن أفعل</p>"
    fonts = {}
    for jobs in (1, 2):
        folder = tmp_path / f"jobs-{jobs}"
        folder.mkdir()
        site.write_fonts(folder, html, ["nl", "ar"], tmp_path / f"cache-{jobs}", jobs)
        fonts[jobs] = {p.name: p.read_bytes() for p in (folder / "fonts").iterdir()}
        # Each is kept in the cache as it was written into the site.
        assert sorted(fonts[jobs].values()) == sorted(
            p.read_bytes() for p in (tmp_path / f"cache-{jobs}").iterdir())
    assert len(fonts[2]) >= 4 and fonts[2] == fonts[1]


def test_a_preview_is_made_once_for_its_pdf(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    from weasyprint import HTML

    pdf = tmp_path / "leaflet.pdf"
    HTML(string="<p>Voorbeeld</p>").write_pdf(pdf)
    runs: list[list[str]] = []
    real = subprocess.run

    def counted(args: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        runs.append(args)
        return real(args, **kwargs)

    monkeypatch.setattr(site.subprocess, "run", counted)
    cache = tmp_path / "cache"
    site.make_previews([site.Preview(pdf, "ab" * 32, tmp_path / "a.png")], cache, 2)
    assert len(runs) == 1 and (tmp_path / "a.png").read_bytes().startswith(b"\x89PNG")
    # Another page, another build: the same PDF is not rendered again.
    site.make_previews([site.Preview(pdf, "ab" * 32, tmp_path / "b.png")], cache, 2)
    assert len(runs) == 1
    assert (tmp_path / "b.png").read_bytes() == (tmp_path / "a.png").read_bytes()


def _shaped(font: bytes, text: str) -> list[tuple[int, int, int]]:
    """Each glyph's advance and offsets as HarfBuzz shapes `text` with `font`."""
    import uharfbuzz

    shaper = uharfbuzz.Font(uharfbuzz.Face(font))
    buffer = uharfbuzz.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    uharfbuzz.shape(shaper, buffer)
    return [(p.x_advance, p.x_offset, p.y_offset) for p in buffer.glyph_positions]


@pytest.mark.parametrize("file, text", [
    ("NotoNastaliqUrdu-Regular.ttf", "میں اپنے بچے کی مدد کیسے کر سکتا ہوں؟ سائبر اسکول والدین"),
    ("NotoSansEthiopic-Bold.ttf", "ሳይበር ጉልበተኝነት ብዘይ ምፍራሕ ተዛረቡ"),
    ("NotoSans-Italic.ttf", "Wat kan ik als ouder doen? Ο γονιός — батьки «ffi»"),
], ids=["nastaliq", "ethiopic", "latin-greek-cyrillic"])
def test_a_web_subset_shapes_its_text_as_the_whole_face_does(file: str, text: str) -> None:
    """The subset keeps every layout feature: the page looks as it would with the whole face."""
    import io

    from fontTools.ttLib import TTFont

    whole = (site.FONTS_DIR / file).read_bytes()
    with TTFont(io.BytesIO(site._make_subset(file, frozenset(text)))) as subset:
        assert subset.flavor == "woff2"
        assert set(subset.getBestCmap()) >= {ord(c) for c in text if not c.isspace()}
        subset.flavor = None
        plain = io.BytesIO()
        subset.save(plain)
    assert _shaped(plain.getvalue(), text) == _shaped(whole, text)


def test_a_subset_is_packed_at_the_kits_quality_and_holds_the_same_tables() -> None:
    """WOFF2 at `WOFF2_QUALITY` decodes to the tables fontTools' own quality gives."""
    import io

    import brotli
    from fontTools.ttLib import TTFont, woff2

    text = frozenset("Wat kan ik als ouder doen bij cyberpesten? ماذا يمكنني أن أفعل")
    packed = site._make_subset("NotoNaskhArabic-Regular.ttf", text)
    assert woff2.brotli is brotli  # the swap is undone after the save
    with TTFont(io.BytesIO(packed), recalcTimestamp=False) as ours:
        ours.flavor = None
        default = io.BytesIO()
        ours.save(default)
    with TTFont(io.BytesIO(default.getvalue()), recalcTimestamp=False) as plain:
        plain.flavor = "woff2"
        slowest = io.BytesIO()
        plain.save(slowest)  # fontTools' own packing, at brotli's highest quality
    with TTFont(io.BytesIO(packed)) as a, TTFont(io.BytesIO(slowest.getvalue())) as b:
        tags = sorted(a.keys())
        assert tags == sorted(b.keys())
        assert all(a.getTableData(tag) == b.getTableData(tag) for tag in tags
                   if tag != "GlyphOrder")
    assert len(packed) != len(slowest.getvalue())  # packed differently: not quality 11
