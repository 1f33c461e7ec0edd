"""Fonts cover every language the kit prints; the preflight catches what they do not."""

from __future__ import annotations

from kit.sources.fonts import font_css, missing_glyphs
from kit.sources.languages import known_languages, language


def test_every_language_has_a_direction_script_and_native_name() -> None:
    assert language("ar").direction == "rtl"
    assert language("fa").direction == "rtl"
    assert language("ti").direction == "ltr"
    assert language("ti").native_name == "ትግርኛ"
    assert all(language(code).native_name for code in known_languages())


def test_glyph_preflight_catches_characters_outside_the_fonts() -> None:
    assert missing_glyphs("Latn", "Gewone tekst – met ‘quotes’ …") == set()
    assert missing_glyphs("Arab", "فارسی‌زبان") == set()  # with a zero-width non-joiner
    assert missing_glyphs("Ethi", "ሰላም፣ ዓለም።") == set()
    assert missing_glyphs("Latn", "漢字 and 😀") == {"漢", "字", "😀"}
    assert missing_glyphs("Ethi", "ሰላም ☃") == {"☃"}


def test_font_css_declares_every_script_stack() -> None:
    css = font_css()
    for script in ("Latn", "Cyrl", "Arab", "Ethi"):
        assert f'[data-script="{script}"]' in css
