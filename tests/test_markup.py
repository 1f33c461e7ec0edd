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


def test_a_translation_marks_the_dutch_title_and_publisher_dutch() -> None:
    """A screen reader reads the quoted Dutch words of a credit line with a Dutch voice."""
    from conftest import ROOT

    from kit.render import Column
    from kit.sources.content import load_content
    from kit.sources.languages import language

    content = load_content(ROOT / "content")
    arabic = Column(language("ar"), {}, content, "")
    dutch = Column(language("nl"), None, content, "")
    title = arabic.value("title", "Wat <kan>?")
    assert title == '<span lang="nl">\u2068Wat &lt;kan&gt;?\u200e\u2069</span>'
    assert dutch.value("title", "Wat?") == "\u2068Wat?\u200e\u2069"
    assert arabic.value("date", "1 mei") == "\u20681 mei\u200e\u2069"
