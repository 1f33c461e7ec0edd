"""Measure the build against a naive baseline, in one run on one machine.

    ./run bench            (or: .venv/bin/python bench/benchmark.py)
    ./run bench --schools 200   (a school network's batch: see bench/schools.py)

Prints (a) a naive sequential loop that calls WeasyPrint once per planned
output (and gives each file the build's last pass), (b) a cold full build,
(c) a no-op rebuild, (d) a rebuild after one translation in one catalog
changed, the peak memory of a render worker, and the ratios b/a, c/b, d/b.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def naive_baseline(manifest: list[dict]) -> tuple[float, int]:
    """One WeasyPrint call per planned output, one after the other, nothing shared.

    Each call renders the same HTML and stylesheets the build used for that
    output (a poster at the text scale the build chose), from scratch.
    """
    import weasyprint

    from kit.pdf.accessible import tag_languages
    from kit.pdf.finish import finish
    from kit.pdf.produce import SPARE_BLANKS, VARIANTS
    from kit.plan import CONDITIONS, DEFAULT_CONDITION, LeafletPlan, plan
    from kit.render import TEMPLATES_DIR, make_environment, render_html, stylesheet_paths
    from kit.sources.content import load_content
    from kit.sources.fonts import FONTS_DIR, font_css
    from kit.translations import load_languages, requested_languages, translations_for

    tag_languages()
    scale = {e["path"]: e["text_scale"] for e in manifest}
    content = load_content(ROOT / "content")
    edition = content.document.edition
    codes = requested_languages(ROOT / "locales", None)
    states = load_languages(content, ROOT / "locales", codes)
    env = make_environment()
    started = time.perf_counter()
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        for job in plan(
            [LeafletPlan("cyberpesten", codes, True)],
            ["brochure", "poster"],
            ["print", "office", "screen"],
        ):
            tr = translations_for(content, states, job.languages)
            for output in job.outputs:
                bleed = output.edition == "print"
                padding = SPARE_BLANKS if bleed and job.product == "brochure" else 0
                html = render_html(env, content, job, tr, padding=padding, print_shop=bleed)
                sheets = [weasyprint.CSS(string=font_css(), base_url=FONTS_DIR.as_uri() + "/")]
                sheets += [weasyprint.CSS(filename=str(p)) for p in stylesheet_paths(job, bleed)]
                if scale.get(output.path):
                    fit = f":root {{ --fit: {scale[output.path]}% }}"
                    sheets.append(weasyprint.CSS(string=fit))
                data = weasyprint.HTML(
                    string=html, base_url=TEMPLATES_DIR.as_uri() + "/"
                ).write_pdf(stylesheets=sheets, pdf_variant=VARIANTS[output.edition])
                # The same last pass the build gives every file (CMYK and marks,
                # structure fixes, metadata), so both make the same files.
                data = finish(data, output, CONDITIONS[DEFAULT_CONDITION], edition)
                (Path(tmp) / f"{count}.pdf").write_bytes(data)
                count += 1
    return time.perf_counter() - started, count


def timed_build(*args: str) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args], check=True, capture_output=True, text=True
    )
    return time.perf_counter() - started, result.stdout


def main() -> None:
    print(f"machine: {os.cpu_count()} cores; measuring, this takes a few minutes", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "output"
        locales = Path(tmp) / "locales"
        shutil.copytree(ROOT / "locales", locales)
        common = ["--strict", "--output", str(out), "--locales", str(locales)]
        cold, log = timed_build(*common, "--force")
        peak = re.search(r"peak worker memory (\d+) MB", log)
        noop, _ = timed_build(*common)
        po = locales / "fr/LC_MESSAGES/messages.po"
        text = po.read_text(encoding="utf-8")
        po.write_text(
            re.sub(
                r'(msgctxt "aanpakken.dader.punten.waarom"\nmsgid "[^"]*"\n'
                r'msgstr "[^"]*)"',
                r'\1 "',
                text,
                count=1,
            ),
            encoding="utf-8",
        )
        edit, log = timed_build(*common)
        rebuilt = len(re.findall(r"^\[ *\d+/\d+\] (\S+)", log, re.MULTILINE))
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    naive, count = naive_baseline(manifest)
    print(f"(a) naive sequential baseline: {naive:6.1f} s  ({count} WeasyPrint calls)")
    print(f"(b) cold full build:           {cold:6.1f} s  (--jobs {os.cpu_count()})")
    print(f"(c) no-op rebuild:             {noop:6.1f} s")
    print(f"(d) one French entry edited:   {edit:6.1f} s  ({rebuilt} files rebuilt)")
    print(f"peak memory of a worker:       {peak.group(1) if peak else '?'} MB")
    print(f"b/a = {cold / naive:.2f}   (target <= 0.60)")
    print(f"c/b = {noop / cold:.3f}  (target <= 0.02)")
    print(f"d/b = {edit / cold:.2f}")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Measure the kit's builds in one run.")
    parser.add_argument(
        "--schools",
        type=int,
        metavar="N",
        help="measure a batch of N generated schools instead (bench/schools.py)",
    )
    args = parser.parse_args()
    if args.schools:
        from schools import main as schools_main

        schools_main(args.schools)
    else:
        main()
