"""PRN: what a print shop's PDF/X-4 preflight rejects, or its printer complains about."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pikepdf

from kit.pdf.rules.base import MM, Problem, Rule, Subject, box, on_print, size
from kit.pdf.rules.geometry import close
from kit.pdf.streams import Colour, Parse, is_black_ink, is_rich_black, rgb_uses

BLEED_MM = 3
# The sheet's margin beyond the bleed that crop marks need, and the size up
# to which text counts as body text (the largest body size is 11.6 pt, in
# Arabic; headings are bold).
MARKS_MM = 8
BODY_PT = 12.0


def print_boxes(s: Subject) -> Iterator[Problem]:
    """Every page has a TrimBox and a BleedBox 3 mm beyond it; the file says PDF/X-4."""
    for number, page in enumerate(s.pdf.pages, start=1):
        trim, bleed = box(page, "/TrimBox"), box(page, "/BleedBox")
        if trim is None or bleed is None:
            yield number, f"page {number} has no TrimBox or BleedBox"
            continue
        (tw, th), want = size(trim), size(bleed)
        if not close(want, (tw + 2 * BLEED_MM * MM, th + 2 * BLEED_MM * MM)):
            yield number, f"page {number}: the bleed is not {BLEED_MM} mm on every side"
    metadata = s.pdf.Root.get("/Metadata")
    if metadata is None or b"PDF/X-4" not in metadata.read_bytes():
        yield None, "not marked PDF/X-4"


def output_intent(s: Subject) -> Iterator[Problem]:
    """PDF/X: one GTS_PDFX output intent with an embedded CMYK output profile."""
    intents = [i for i in s.pdf.Root.get("/OutputIntents", pikepdf.Array())
               if i.get("/S") == pikepdf.Name.GTS_PDFX]
    if len(intents) != 1:
        yield None, f"{len(intents)} GTS_PDFX output intents, not one"
        return
    profile = intents[0].get("/DestOutputProfile")
    if profile is None:
        yield None, "the output intent embeds no profile (DestOutputProfile)"
    else:
        header = profile.read_bytes()[:20]
        if (int(profile.get("/N", 0)) != 4 or header[16:20] != b"CMYK"
                or header[12:16] != b"prtr"):
            yield None, "the output intent's profile is not a CMYK output (printer) profile"
    if not str(intents[0].get("/OutputConditionIdentifier", "")):
        yield None, "the output intent names no printing condition"


def no_rgb(s: Subject) -> Iterator[Problem]:
    """PDF/X with a CMYK intent: no RGB colour, image or transparency group anywhere."""
    for where in rgb_uses(s.pdf, s.parse):
        yield None, f"RGB in a print file: {where}"


def marks_margin(s: Subject) -> Iterator[Problem]:
    """The sheet reaches beyond the bleed, so crop marks sit outside it."""
    for number, page in enumerate(s.pdf.pages, start=1):
        media, bleed = box(page, "/MediaBox"), box(page, "/BleedBox")
        if media is None or bleed is None:
            yield number, f"page {number} has no MediaBox or BleedBox"
            continue
        margins = (bleed[0] - media[0], bleed[1] - media[1], media[2] - bleed[2],
                   media[3] - bleed[3])
        if min(margins) < MARKS_MM * MM - 0.01:
            yield number, (f"page {number}: the sheet reaches only {min(margins) / MM:.1f} mm "
                           f"beyond the bleed; crop marks need {MARKS_MM:.0f} mm outside it")


def black_text(s: Subject) -> Iterator[Problem]:
    """No text in four-colour black; body text in black ink only (100 % K or a K tint)."""
    for (c, m, y, k), points in sorted({(run.fill[1], run.size) for run in s.runs
                                        if is_rich_black(run.fill)}):
        yield None, (f"text in four-colour black (C{c:.0%} M{m:.0%} Y{y:.0%} K{k:.0%}, "
                     f"{points} pt): small text must be 100 % K")
    body: Counter[Colour] = Counter()
    for run, count in s.runs.items():
        if run.size <= BODY_PT and not run.font.endswith("-Bold"):
            body[run.fill] += count
    if body and not is_black_ink(body.most_common(1)[0][0]):
        yield None, f"the body text is set in {body.most_common(1)[0][0]}, not in black ink only"


def _registration(space: pikepdf.Object | None) -> bool:
    """The colour that prints on every plate: a Separation named All."""
    return (isinstance(space, pikepdf.Array) and len(space) == 4
            and space[0] == pikepdf.Name.Separation and space[1] == pikepdf.Name.All)


Box = tuple[float, float, float, float]


def registration_strokes(page: pikepdf.Page, parse: Parse = pikepdf.parse_content_stream
                         ) -> list[Box]:
    """The box of every path the page strokes in registration colour: its crop marks."""
    spaces = page.obj.get("/Resources", pikepdf.Dictionary()).get("/ColorSpace",
                                                                   pikepdf.Dictionary())
    ctm, stroke = pikepdf.Matrix(), False
    stack: list[tuple[pikepdf.Matrix, bool]] = []
    path: list[tuple[float, float]] = []
    strokes = []
    for operands, operator in parse(page.obj):
        op = str(operator)
        if op == "q":
            stack.append((ctm, stroke))
        elif op == "Q" and stack:
            ctm, stroke = stack.pop()
        elif op == "cm":
            ctm = pikepdf.Matrix(*(float(v) for v in operands)) @ ctm
        elif op == "CS":
            stroke = _registration(spaces.get(operands[0]))
        elif op in {"RG", "K", "G"}:
            stroke = False
        elif op in {"m", "l"}:
            path.append(ctm.transform((float(operands[0]), float(operands[1]))))
        elif op in {"S", "s", "B", "b", "B*", "b*", "f", "F", "f*", "n"}:
            if stroke and path and op in {"S", "s", "B", "b", "B*", "b*"}:
                xs, ys = [x for x, _ in path], [y for _, y in path]
                strokes.append((min(xs), min(ys), max(xs), max(ys)))
            path = []
    return strokes


def crop_marks(s: Subject) -> Iterator[Problem]:
    """Crop marks are drawn, in registration colour, and none reaches inside the bleed."""
    for number, page in enumerate(s.pdf.pages, start=1):
        bleed = box(page, "/BleedBox")
        marks = registration_strokes(page, s.parse)
        if not marks:
            yield number, f"page {number}: no crop marks drawn in registration colour"
        if bleed is None:
            continue  # PRN001 reports it
        for x0, y0, x1, y1 in marks:
            if x0 < bleed[2] - 0.1 and x1 > bleed[0] + 0.1 and y0 < bleed[3] - 0.1 \
                    and y1 > bleed[1] + 0.1:
                yield number, (f"page {number}: a crop mark at ({x0 / MM:.1f}, {y0 / MM:.1f}) "
                               "mm reaches inside the bleed")


RULES = (
    Rule("PRN001", "boxes", on_print, print_boxes),
    Rule("PRN002", "intent", on_print, output_intent),
    Rule("PRN003", "rgb", on_print, no_rgb),
    Rule("PRN004", "marks", on_print, marks_margin),
    Rule("PRN005", "black", on_print, black_text),
    Rule("PRN006", "cropmarks", on_print, crop_marks),
)
