"""LIN: the line rules, each shown failing on a tiny laid-out document and passing when fixed."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from kit.pdf.rules.lines import LAYOUT_RULES, layout_problems
from kit.render import typeset
from kit.sources.languages import language

weasyprint = pytest.importorskip("weasyprint")

PAGE = "<style>@page { size: 100mm 80mm; margin: 5mm } body { font-size: 10pt }</style>"
# Numbered pages, as the brochure's: the number in the footer is laid out on every page.
NUMBERED = ("<style>@page { margin-bottom: 12mm; "
            "@bottom-center { content: counter(page); font-size: 8pt } }</style>")


def lay_out(body: str, lang: str = "nl") -> object:
    return weasyprint.HTML(string=f'<html lang="{lang}">{PAGE}{body}</html>').render()


def codes(body: str, lang: str = "nl") -> set[str]:
    return {code for code, _, _, _ in layout_problems(lay_out(body, lang))}


def test_every_layout_rule_has_a_code_and_a_docstring() -> None:
    assert len({r.code for r in LAYOUT_RULES}) == len(LAYOUT_RULES)
    assert all(r.code.startswith("LIN") and r.find.__doc__ for r in LAYOUT_RULES)


def test_a_word_alone_on_a_line_that_broke_early() -> None:
    # A forced break after the first word, as the template's whitespace once made.
    broken = ("<ul><li>Bespreek<br>met je kind hoe het probleem op school het best "
              "aangekaart wordt en wie helpt.</li></ul>")
    assert "LIN001" in codes(broken)
    assert "LIN001" not in codes(broken.replace("<br>", " "))


def test_a_paragraph_ending_on_one_short_word() -> None:
    text = ("Vraag aan de school of het CLB dat ze je betrekken bij het uitwerken van de "
            "maatregelen en je op de hoogte houden van wat er gebeurt met je kind op school.")
    narrow = '<p style="width: 62mm">{}</p>'
    # Find a width at which the last line holds one word alone, then tie it.
    found = [w for w in range(40, 90)
             if "LIN002" in codes(narrow.replace("62", str(w)).format(text))]
    assert found, "no width leaves a word alone"
    width = str(found[0])
    tied = typeset(Markup(text), language("nl"))
    assert "LIN002" not in codes(narrow.replace("62", width).format(tied))


def test_a_hyphenated_line_left_mostly_empty() -> None:
    # The rest of the word cannot follow on the line: only "Dis-" is left on it.
    body = ('<p style="width: 30mm; hyphens: manual">Dis\u00adcussieafsprakenlijstjes '
            'over de gevolgen.</p>')
    assert "LIN003" in codes(body)
    assert "LIN003" not in codes(body.replace("30mm", "80mm"))


def test_a_label_broken_inside_a_word() -> None:
    label = ('<dl><dt style="width: 6mm; overflow-wrap: anywhere">Telefoon</dt>'
             '<dd>09 123 45 67</dd></dl>')
    chinese = '<dl><dt style="width: 4mm" lang="zh-Hans">电话</dt><dd>09 123 45 67</dd></dl>'
    assert "LIN004" in codes(label)
    assert "LIN004" in codes(chinese)
    assert "LIN004" not in codes(label.replace("width: 6mm;", "white-space: nowrap;"))


def test_a_heading_at_the_foot_of_a_page() -> None:
    filler = "<p style='height: 51mm; margin: 0'>Tekst.</p>"
    body = (f"{NUMBERED}{filler}<h2 style='margin: 0; break-after: auto'>Je kind cyberpest</h2>"
            "<p>Maak je kind duidelijk dat het moet stoppen, en vertel waarom.</p>")
    assert "LIN005" in codes(body)
    kept = body.replace("break-after: auto", "break-after: avoid")
    assert "LIN005" not in codes(kept)


def test_a_line_wider_than_its_column() -> None:
    # Two words tied together, longer than the column is wide: they stick out of it.
    body = '<p style="width: {}">Vraag wie helpt: iemand\u00a0schoolteamleden.</p>'
    assert "LIN006" in codes(body.format("35mm"))
    assert "LIN006" in codes(f'<div dir="rtl">{body.format("35mm")}</div>')  # out to the left
    assert "LIN006" not in codes(body.format("80mm"))
    assert "LIN006" not in codes(body.format("35mm").replace("\u00a0", " "))


def test_a_last_word_after_one_too_long_to_share_its_line_is_no_runt() -> None:
    # Without hyphenation the long word fills a line of its own: the last
    # word can only stand alone or stick out beside it.
    text = ("Vraag aan de school wie je kind helpt, bijvoorbeeld iemand van de "
            "schoolteamverantwoordelijken zelf.")
    assert "LIN002" not in codes(f'<p style="width: 58mm">{text}</p>')
    runt = text.replace("schoolteamverantwoordelijken", "zorgteam of de leerkrachten")
    assert "LIN002" in codes(f'<p style="width: 58mm">{runt}</p>')


def test_typeset_ties_no_georgian_pair_wider_than_the_column() -> None:
    # 24 letters: tied in Dutch, but Georgian letters are a quarter wider.
    georgian = typeset(Markup("სკოლის თანამშრომლებიდან ვინმე)."), language("ka"))
    assert georgian.endswith("თანამშრომლებიდან ვინმე).")
    dutch = typeset(Markup("iemand van schoolteamleden iemand)."), language("nl"))
    assert dutch.endswith("schoolteamleden\u00a0iemand).")


@pytest.mark.parametrize("code", ["nl", "fr", "ar", "ti"])
def test_typeset_ties_the_last_two_words(code: str) -> None:
    out = typeset(Markup("één twee drie vier"), language(code))
    assert out.endswith("drie\u00a0vier")
    assert typeset(Markup("kort"), language(code)) == "kort"


def test_print_hyphenation_spares_the_last_words_and_inserted_names() -> None:
    text = Markup("Gebruiksvoorwaarden \u2068Basisschool\u2069 informatie klaslokaal")
    out = typeset(text, language("nl"), hyphenate=True)
    assert out.startswith("Gebruiks\u00advoor\u00adwaarden ")
    assert "\u2068Basisschool\u2069" in out  # a name is never hyphenated
    assert out.endswith("informatie\u00a0klaslokaal")  # nor the last two words
    long_pair = typeset(Markup("Lees de gebruiksvoorwaarden informatieverstrekking"),
                        language("nl"), hyphenate=True)
    assert long_pair.endswith(" informatieverstrekking")  # too long to tie, still whole


def test_typeset_keeps_a_long_pair_together_broken_inside_its_first_word() -> None:
    # A multilingual poster's German note ended on «gegengelesen.» alone (LIN002).
    note = Markup("sie wurde noch nicht von einem Muttersprachler gegengelesen.")
    out = typeset(note, language("de"), split_pair=True)
    assert out.endswith("Mut\u00adter\u00adsprachler\u00a0gegengelesen.")
    assert "einem Mut" in out  # the words before the pair are not hyphenated
    # Only where asked (a poster's text): elsewhere the pair stays apart, unhyphenated.
    assert typeset(note, language("de")).endswith(" Muttersprachler gegengelesen.")
    # What follows the first word's last break is still too long: the pair stays apart.
    apart = typeset(Markup("Lees de gebruiksvoorwaarden informatieverstrekking"),
                    language("nl"), split_pair=True)
    assert apart.endswith("gebruiksvoorwaarden informatieverstrekking")
