"""Inline markup and placeholders: escaped by default, compared with the source."""

from __future__ import annotations

from kit.sources.markup import compare, to_html


def test_translation_with_same_tokens_in_other_order_passes() -> None:
    assert compare("Tekst: {a}, <em>{b}</em>.", "{b} <em>en</em> {a}") is None


def test_dropped_or_changed_tag_is_reported() -> None:
    assert "missing `</em>`, `<em>`" in compare("een <em>woord</em>", "a word")
    assert "not open" in compare("een <em>woord</em>", "a word</em>")
    assert "missing `{date}`" in compare("Uitgave {date}", "Edition {datum}")


def test_foreign_markup_is_reported_and_escaped() -> None:
    hostile = '<img src="file:///etc/passwd"> tekst'
    assert "not allowed" in compare("tekst", hostile)
    html = to_html(hostile)
    assert "<img" not in html
    assert "&lt;img" in html


def test_allowed_tags_survive_and_values_are_escaped() -> None:
    html = to_html("<strong>{x}</strong>", {"x": "<b>&"})
    assert html == "<strong>&lt;b&gt;&amp;</strong>"
