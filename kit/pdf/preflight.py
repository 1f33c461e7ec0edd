"""Preflight: check every PDF against what the build plan declared for it.

Run at the end of every build on the new files, and on all of `output/` by
`python build.py check`. Each rule is a small function that returns a
problem description or None, so a test can show each one failing.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from kit.manifest import sha256_file
from kit.pack import verify_pack
from kit.pdf.accessible import structure_problems
from kit.pdf.impose import padded_order, sheet_sides
from kit.pdf.streams import Colour, is_black_ink, is_rich_black, rgb_uses, text_runs
from kit.plan import PAPER_MM, POSTER_FLOOR_PT, Output, planned_bookmarks
from kit.render import booklet_rtl
from kit.sources.languages import language

MM = 72 / 25.4
TOLERANCE = 0.6  # points
BLEED_MM = 3
# The sheet's margin beyond the bleed that crop marks need, and the size up
# to which text counts as body text (the largest body size is 11.6 pt, in
# Arabic; headings are bold).
MARKS_MM = 8
BODY_PT = 12.0
SCRIPT_RANGES = {
    "Latn": re.compile(r"[A-Za-zÀ-ɏ]"),
    "Cyrl": re.compile(r"[Ѐ-ӿ]"),
    "Arab": re.compile(r"[؀-ۿ]"),
    "Ethi": re.compile(r"[ሀ-፿]"),
    "Aran": re.compile(r"[؀-ۿ]"),
    "Geor": re.compile(r"[Ⴀ-ჿ]"),
    "Grek": re.compile(r"[Ͱ-Ͽ]"),
    "Hans": re.compile(r"[一-鿿]"),
}


@dataclass
class Subject:
    """One file under inspection, with its expectations."""

    output: Output
    path: Path
    pages: int
    pdf: pikepdf.Pdf
    headings: int  # the content's section headings: what the plan expects


Rule = Callable[[Subject], str | None]


def _size(box: list) -> tuple[float, float]:
    x0, y0, x1, y1 = (float(v) for v in box)
    return x1 - x0, y1 - y0


def _box(page: pikepdf.Page, name: str) -> list | None:
    """A page box as written in the file, not a default derived from another box."""
    box = page.obj.get(name)
    return list(box) if box is not None else None


def _close(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) <= TOLERANCE and abs(a[1] - b[1]) <= TOLERANCE


def paper_points(paper: str, landscape: bool = False) -> tuple[float, float]:
    w, h = PAPER_MM[paper]
    return (h * MM, w * MM) if landscape else (w * MM, h * MM)


def rule_page_size(s: Subject) -> str | None:
    o = s.output
    expected = paper_points("A4", landscape=True) if o.imposed else paper_points(o.paper)
    for number, page in enumerate(s.pdf.pages, start=1):
        box = _box(page, "/TrimBox" if o.edition == "print" else "/MediaBox")
        if box is None:
            return f"page {number} has no {'TrimBox' if o.edition == 'print' else 'MediaBox'}"
        if not _close(_size(box), expected):
            w, h = _size(box)
            return (f"page {number} is {w / MM:.1f} × {h / MM:.1f} mm, expected "
                    f"{expected[0] / MM:.0f} × {expected[1] / MM:.0f} mm")
    return None


def rule_page_count(s: Subject) -> str | None:
    actual = len(s.pdf.pages)
    if actual != s.pages:
        return f"has {actual} pages, the build recorded {s.pages}"
    if s.output.product in {"poster", "guide"} and actual != 1:
        return f"a {s.output.product} must be one page, this one has {actual}"
    if s.output.product == "brochure":
        if s.output.imposed and actual * 2 % 4:
            return f"booklet of {actual} sheet sides is not a multiple of four pages"
        if s.output.edition == "print" and actual % 4:
            return f"print-shop booklet has {actual} pages, not a multiple of four"
    return None


def _bookmarks(pdf: pikepdf.Pdf) -> list[str]:
    titles: list[str] = []
    with pdf.open_outline() as outline:
        stack = list(reversed(outline.root))
        while stack:
            item = stack.pop()
            titles.append(item.title)
            stack.extend(reversed(item.children))
    return titles


def rule_sections(s: Subject) -> str | None:
    """Every planned section is in the file once: counted through the bookmarks."""
    expected = planned_bookmarks(s.output, s.headings)
    if expected is None:
        return None
    found = _bookmarks(s.pdf)
    if len(found) != expected:
        return (f"has {len(found)} bookmarked headings, the plan expects {expected}: "
                "a section is missing or laid out twice")
    return None


def _fonts(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every font any page uses, including those inside form XObjects."""
    fonts = []
    for page in pdf.pages:
        stack = [page.obj.get("/Resources", pikepdf.Dictionary())]
        while stack:
            resources = stack.pop()
            fonts += list(resources.get("/Font", pikepdf.Dictionary()).values())
            for xobject in resources.get("/XObject", pikepdf.Dictionary()).values():
                if "/Resources" in xobject:
                    stack.append(xobject.Resources)
    return fonts


def rule_fonts_embedded(s: Subject) -> str | None:
    for font in _fonts(s.pdf):
        name = str(font.get("/BaseFont", "?"))
        target = font.DescendantFonts[0] if "/DescendantFonts" in font else font
        descriptor = target.get("/FontDescriptor")
        if descriptor is None or not any(
            key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
        ):
            return f"font {name} is not embedded"
        if "+Kit-" not in name:
            return f"font {name} is not one of the kit's fonts (a system font was used)"
    return None


def pdf_text(path: Path) -> str:
    """The text of a PDF, through poppler's pdftotext (many times faster than pypdf)."""
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                            capture_output=True, text=True, check=False)
    return result.stdout


def rule_language_text(s: Subject) -> str | None:
    text = pdf_text(s.path)
    if "\ufffd" in text:
        return "text contains U+FFFD: a character could not be mapped"
    for code in s.output.languages:
        script = language(code).script
        if len(SCRIPT_RANGES[script].findall(text)) < 20:
            return f"no extractable {script} text for `{code}`"
    return None


def rule_print_boxes(s: Subject) -> str | None:
    if s.output.edition != "print":
        return None
    for number, page in enumerate(s.pdf.pages, start=1):
        trim, bleed = _box(page, "/TrimBox"), _box(page, "/BleedBox")
        if trim is None or bleed is None:
            return f"page {number} has no TrimBox or BleedBox"
        trim, bleed = _size(trim), _size(bleed)
        want = (trim[0] + 2 * BLEED_MM * MM, trim[1] + 2 * BLEED_MM * MM)
        if not _close(bleed, want):
            return f"page {number}: the bleed is not {BLEED_MM} mm on every side"
    metadata = s.pdf.Root.get("/Metadata")
    if metadata is None or b"PDF/X-4" not in metadata.read_bytes():
        return "not marked PDF/X-4"
    return None


def rule_output_intent(s: Subject) -> str | None:
    """PDF/X: one GTS_PDFX output intent with an embedded CMYK output profile."""
    if s.output.edition != "print":
        return None
    intents = [i for i in s.pdf.Root.get("/OutputIntents", pikepdf.Array())
               if i.get("/S") == pikepdf.Name.GTS_PDFX]
    if len(intents) != 1:
        return f"{len(intents)} GTS_PDFX output intents, not one"
    profile = intents[0].get("/DestOutputProfile")
    if profile is None:
        return "the output intent embeds no profile (DestOutputProfile)"
    header = profile.read_bytes()[:20]
    if int(profile.get("/N", 0)) != 4 or header[16:20] != b"CMYK" or header[12:16] != b"prtr":
        return "the output intent's profile is not a CMYK output (printer) profile"
    if not str(intents[0].get("/OutputConditionIdentifier", "")):
        return "the output intent names no printing condition"
    return None


def rule_no_rgb(s: Subject) -> str | None:
    """PDF/X with a CMYK intent: no RGB colour, image or transparency group anywhere."""
    if s.output.edition != "print":
        return None
    found = rgb_uses(s.pdf)
    return f"RGB in a print file: {found[0]} ({len(found)} in all)" if found else None


def rule_marks(s: Subject) -> str | None:
    """The sheet reaches beyond the bleed, so crop marks sit outside it."""
    if s.output.edition != "print":
        return None
    for number, page in enumerate(s.pdf.pages, start=1):
        media, bleed = _box(page, "/MediaBox"), _box(page, "/BleedBox")
        if media is None or bleed is None:
            return f"page {number} has no MediaBox or BleedBox"
        media, bleed = [float(v) for v in media], [float(v) for v in bleed]
        margins = (bleed[0] - media[0], bleed[1] - media[1], media[2] - bleed[2],
                   media[3] - bleed[3])
        if min(margins) < MARKS_MM * MM - 0.01:
            return (f"page {number}: the sheet reaches only {min(margins) / MM:.1f} mm beyond "
                    f"the bleed; crop marks need {MARKS_MM:.0f} mm outside it")
    return None


def rule_black_text(s: Subject) -> str | None:
    """No text in four-colour black; body text in black ink only (100 % K or a K tint)."""
    if s.output.edition != "print":
        return None
    runs = text_runs(s.pdf)
    rich = [run for run in runs if is_rich_black(run.fill)]
    if rich:
        c, m, y, k = rich[0].fill[1]
        return (f"text in four-colour black (C{c:.0%} M{m:.0%} Y{y:.0%} K{k:.0%}, "
                f"{rich[0].size} pt): small text must be 100 % K")
    body: Counter[Colour] = Counter()
    for run, count in runs.items():
        if run.size <= BODY_PT and not run.font.endswith("-Bold"):
            body[run.fill] += count
    if body and not is_black_ink(body.most_common(1)[0][0]):
        return f"the body text is set in {body.most_common(1)[0][0]}, not in black ink only"
    return None


def rule_screen_tags(s: Subject) -> str | None:
    if s.output.edition != "screen":
        return None
    root = s.pdf.Root
    if "/StructTreeRoot" not in root:
        return "not tagged (no structure tree)"
    if not bool(root.get("/MarkInfo", pikepdf.Dictionary()).get("/Marked", False)):
        return "not marked as tagged"
    if not str(root.get("/Lang", "")):
        return "no document language"
    if not str(s.pdf.docinfo.get("/Title", "")):
        return "no title"
    if s.output.product == "brochure" and "/Outlines" not in root:
        return "no bookmarks"
    problems = structure_problems(s.pdf, tuple(language(c).tag for c in s.output.languages))
    return problems[0] if problems else None


def rule_metadata(s: Subject) -> str | None:
    """Document info and XMP, in every edition, with title, languages and dates."""
    for key in ("/Title", "/Author", "/Keywords", "/CreationDate"):
        if not str(s.pdf.docinfo.get(key, "")):
            return f"metadata has no {key[1:]}"
    if "/Metadata" not in s.pdf.Root:
        return "no XMP metadata"
    xmp = s.pdf.open_metadata()
    for key in ("dc:title", "dc:language", "xmp:CreateDate", "xmp:MetadataDate"):
        if not xmp.get(key):
            return f"the XMP metadata has no {key}"
    return None


_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">(\d{1,3})</word>'
)
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


def footer_numbers(path: Path) -> list[tuple[int | None, int | None]]:
    """The page numbers printed in the footer of each half of every sheet side."""
    result = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                            text=True, check=False)
    sides = []
    for page in result.stdout.split("<page ")[1:]:
        size = _PAGE.match("<page " + page)
        width, height = float(size.group(1)), float(size.group(2))
        halves: list[int | None] = [None, None]
        for x, bottom, number in _WORD.findall(page):
            if height - float(bottom) < 16 * MM:
                halves[0 if float(x) < width / 2 else 1] = int(number)
        sides.append((halves[0], halves[1]))
    return sides


def expected_numbers(
    pages: int, rtl: bool, numbered: Callable[[int], bool]
) -> list[tuple[int | None, int | None]]:
    order = padded_order(pages)
    sides = sheet_sides(len(order), rtl)
    expected = []
    for left, right in sides:
        pair = []
        for slot in (left, right):
            index = order[slot]
            pair.append(index + 1 if index is not None and numbered(index) else None)
        expected.append((pair[0], pair[1]))
    return expected


def rule_imposition(s: Subject) -> str | None:
    if not s.output.imposed:
        return None
    found = footer_numbers(s.path)
    numbered = sorted(n for pair in found for n in pair if n is not None)
    if not numbered:
        return "no page numbers found on the sheets"
    source_pages = max(numbered) + 1  # the back page carries no number
    rtl = booklet_rtl(s.output.languages)
    expected = expected_numbers(source_pages, rtl, lambda i: 0 < i < source_pages - 1)
    if found != expected:
        return f"sheets are out of order: found {found}, expected {expected}"
    return None


def text_sizes(pdf: pikepdf.Pdf) -> Counter[tuple[str, float]]:
    """Glyphs set per (font name without subset tag, size in points on paper)."""
    sizes: Counter[tuple[str, float]] = Counter()
    for run, count in text_runs(pdf).items():
        sizes[(run.font, run.size)] += count
    return sizes


def rule_poster_floor(s: Subject) -> str | None:
    """On a multilingual poster every language's rules of thumb reach the size floor.

    The rules are the bold text of each script's face; the size most of those
    glyphs are set in is the rules' size (headings and names are fewer).
    """
    if not s.output.multilingual:
        return None
    floor = POSTER_FLOOR_PT[s.output.paper]
    bold: dict[str, Counter[float]] = {}
    for (font, size), count in text_sizes(s.pdf).items():
        if font.endswith("-Bold"):
            bold.setdefault(font, Counter())[size] += count
    if not bold:
        return "no bold text found: the rules of thumb are missing"
    for font, counts in sorted(bold.items()):
        size = counts.most_common(1)[0][0]
        if size < floor - 0.05:
            return (f"the rules of thumb in {font} are set at {size:.1f} pt, below the "
                    f"{floor:.0f} pt floor for an {s.output.paper} poster")
    return None


def rule_qpdf(s: Subject) -> str | None:
    """qpdf's own structural check (`qpdf --check`), run in-process through pikepdf."""
    problems = s.pdf.check_pdf_syntax()
    return f"qpdf --check: {problems[0]}" if problems else None


RULES: dict[str, Rule] = {
    "size": rule_page_size,
    "pages": rule_page_count,
    "sections": rule_sections,
    "fonts": rule_fonts_embedded,
    "text": rule_language_text,
    "boxes": rule_print_boxes,
    "intent": rule_output_intent,
    "rgb": rule_no_rgb,
    "marks": rule_marks,
    "black": rule_black_text,
    "tags": rule_screen_tags,
    "metadata": rule_metadata,
    "order": rule_imposition,
    "floor": rule_poster_floor,
    "qpdf": rule_qpdf,
}


def check_one(output: Output, path: Path, pages: int, headings: int
              ) -> dict[str, str | None]:
    """Every rule's verdict on one file: None where the rule is satisfied."""
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PdfError as exc:  # an unreadable file is a preflight failure, not a crash
        return {"read": f"cannot be read as PDF: {exc}"}
    with pdf:
        subject = Subject(output, path, pages, pdf, headings)
        return {name: rule(subject) for name, rule in RULES.items()}


def problems_of(output: Output, path: Path, pages: int, headings: int) -> list[str]:
    verdicts = check_one(output, path, pages, headings)
    return [f"{name}: {msg}" for name, msg in verdicts.items() if msg]


def check_manifest(out: Path, manifest: list[dict], headings: int) -> list[str]:
    """Check every file the manifest lists; print a table; return one line per failure."""
    rows = []
    for entry in manifest:
        path = out / entry["path"]
        if not path.exists():
            problems = ["missing: listed in the manifest but not in output/"]
        elif entry["product"] == "pack":
            problems = [f"pack: {p}" for p in verify_pack(out, entry, manifest)]
        elif sha256_file(path) != entry["sha256"]:
            problems = ["checksum: the file differs from the one the build wrote and listed"]
        else:
            output = Output(entry["product"], entry["paper"], tuple(entry["languages"]),
                            entry["edition"], entry.get("school"))
            problems = problems_of(output, path, entry["pages"], headings)
        rows.append((entry["path"], problems))
    width = max((len(path) for path, _ in rows), default=10)
    print(f"{'file':<{width}}  result  rules: {', '.join(RULES)}")
    for path, problems in rows:
        print(f"{path:<{width}}  {'FAIL' if problems else 'ok':<6}  {'; '.join(problems)}")
    failures = [f"{path}: {p}" for path, problems in rows for p in problems]
    print(f"{len(rows)} files checked, {len(failures)} problems")
    return failures
