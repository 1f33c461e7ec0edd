"""Measure the build against a naive baseline, in one run on one machine.

    ./run bench            (or: .venv/bin/python bench/benchmark.py)

Prints (a) a naive sequential loop that calls WeasyPrint once per planned
output, (b) a cold full build, (c) a no-op rebuild, (d) a rebuild after one
translation in one catalog changed, the peak memory of the build's largest
process, and the ratios b/a, c/b, d/b.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def naive_baseline() -> tuple[float, int]:
    """One WeasyPrint call per planned output, one after the other, no sharing."""
    import weasyprint

    from kit.content import load_content
    from kit.fonts import font_css
    from kit.plan import plan
    from kit.produce import VARIANTS
    from kit.render import FONTS_DIR, TEMPLATES_DIR, make_environment, render_html, stylesheet_paths
    from kit.translations import load_languages, requested_languages, translations_for

    content = load_content(ROOT / "content")
    codes = requested_languages(ROOT / "locales", None)
    states = load_languages(content, ROOT / "locales", codes)
    env = make_environment()
    started = time.perf_counter()
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        for job in plan(codes, ["brochure", "poster"], ["print", "office", "screen"]):
            html = render_html(env, content, job, translations_for(content, states, job.languages))
            for output in job.outputs:
                sheets = [weasyprint.CSS(string=font_css(), base_url=FONTS_DIR.as_uri() + "/")]
                sheets += [weasyprint.CSS(filename=str(p)) for p in stylesheet_paths(job)]
                weasyprint.HTML(string=html, base_url=TEMPLATES_DIR.as_uri() + "/").write_pdf(
                    Path(tmp) / f"{count}.pdf", stylesheets=sheets,
                    pdf_variant=VARIANTS[output.edition],
                )
                count += 1
    return time.perf_counter() - started, count


def timed_build(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "build.py"), *args], check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    cores = os.cpu_count()
    print(f"machine: {cores} cores; measuring, this takes a few minutes")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "output"
        locales = Path(tmp) / "locales"
        shutil.copytree(ROOT / "locales", locales)
        common = ["--strict", "--output", str(out), "--locales", str(locales)]
        cold = timed_build(*common, "--force")
        noop = timed_build(*common)
        po = locales / "fr/LC_MESSAGES/messages.po"
        text = po.read_text(encoding="utf-8")
        po.write_text(re.sub(r'(msgctxt "aanpakken.dader.punten.waarom"\nmsgid "[^"]*"\n'
                             r'msgstr "[^"]*)"', r'\1 "', text, count=1), encoding="utf-8")
        edit = timed_build(*common)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    naive, count = naive_baseline()
    print(f"(a) naive sequential baseline: {naive:7.1f} s  ({count} WeasyPrint calls)")
    print(f"(b) cold full build:           {cold:7.1f} s")
    print(f"(c) no-op rebuild:             {noop:7.1f} s")
    print(f"(d) one catalog entry edited:  {edit:7.1f} s  (French outputs only)")
    print(f"peak memory of a build process: {peak_mb:.0f} MB")
    print(f"b/a = {cold / naive:.2f}   (target <= 0.60)")
    print(f"c/b = {noop / cold:.3f}  (target <= 0.02)")
    print(f"d/b = {edit / cold:.2f}")


if __name__ == "__main__":
    main()
