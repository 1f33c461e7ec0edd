"""Measure the build against a naive baseline, in one run on one machine.

    ./run bench            (or: .venv/bin/python bench/benchmark.py)
    ./run bench --schools 200   (a school network's batch: see bench/schools.py)

Prints (a) a naive sequential loop that calls WeasyPrint once per planned
output (and gives each file the build's last pass), (b) a cold full build,
(c) a no-op rebuild, (d) a rebuild after one translation in one catalog
changed, with the web edition's share of (b) and (d) and the preflight's
share of (b)'s worker time, (e) the example school's
pack rebuilt after one contact's phone number changed, beside its cold build,
the peak memory of a render worker, and the ratios b/a, c/b, d/b and e.
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
    from kit.sources.content import load_library
    from kit.sources.fonts import FONTS_DIR, font_css
    from kit.translations import load_languages, requested_languages, translations_for

    tag_languages()
    scale = {e["path"]: e["text_scale"] for e in manifest}
    library = load_library(ROOT / "content")
    codes = requested_languages(ROOT / "locales", None)
    leaflets = {ident: library.content(ident) for ident in library.leaflets}
    states = {ident: load_languages(content, ROOT / "locales", codes)
              for ident, content in leaflets.items()}
    env = make_environment()
    started = time.perf_counter()
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        for job in plan(
            [LeafletPlan(ident, codes, content.document.rules is not None)
             for ident, content in leaflets.items()],
            ["brochure", "poster"],
            ["print", "office", "screen"],
        ):
            content = leaflets[job.leaflet]
            edition = content.document.edition
            tr = translations_for(content, states[job.leaflet], job.languages)
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
        po = locales / "fr/LC_MESSAGES/cyberpesten.po"
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
        edit, edit_log = timed_build(*common)
        rebuilt = len(re.findall(r"^\[ *\d+/\d+\] (\S+)", edit_log, re.MULTILINE))
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        school_cold, school_edit, school_files = school_phone_edit(Path(tmp))
    naive, count = naive_baseline(manifest)
    print(f"(a) naive sequential baseline: {naive:6.1f} s  ({count} WeasyPrint calls)")
    print(f"(b) cold full build:           {cold:6.1f} s  (--jobs {os.cpu_count()}; web "
          f"edition {web_share(log, cold)}; {preflight_share(log)})")
    print(f"(c) no-op rebuild:             {noop:6.1f} s")
    print(f"(d) one French entry edited:   {edit:6.1f} s  ({rebuilt} files rebuilt; web "
          f"edition {web_share(edit_log, edit)})")
    print(f"(e) a school's phone number edited: {school_edit:6.1f} s  ({school_files} files "
          f"rebuilt; the school's cold build {school_cold:.1f} s)")
    print(f"peak memory of a worker:       {peak.group(1) if peak else '?'} MB")
    print(f"b/a = {cold / naive:.2f}   (target <= 0.50)")
    print(f"c/b = {noop / cold:.3f}  (target <= 0.02)")
    print(f"d/b = {edit / cold:.2f}   (target <= 0.08)")
    print(f"e/school cold = {school_edit / school_cold:.2f}  (no target yet)")


def school_phone_edit(tmp: Path) -> tuple[float, float, int]:
    """The example school's pack built cold, then again after one contact's phone number
    changed: both times, and how many files the edit made again."""
    folder = tmp / "school"
    folder.mkdir()
    shutil.copy(ROOT / "schools/example-logo.svg", folder)
    profile = folder / "example.yaml"
    text = (ROOT / "schools/example.yaml").read_text(encoding="utf-8")
    profile.write_text(text, encoding="utf-8")
    common = ["--strict", "--school", str(profile), "--output", str(tmp / "school-output")]
    cold, _ = timed_build(*common)
    phone = re.search(r"(?m)^    phone: (.+)$", text)
    assert phone, "the example profile has a contact with a phone number"
    profile.write_text(text.replace(phone.group(0), "    phone: 09 765 43 21", 1),
                       encoding="utf-8")
    edit, log = timed_build(*common)
    return cold, edit, len(re.findall(r"^\[ *\d+/\d+\] (\S+)", log, re.MULTILINE))


def preflight_share(log: str) -> str:
    """The preflight's part of the workers' time in a build, as the build reports it."""
    found = re.search(r"preflight ([\d.]+) s of ([\d.]+) s in the workers", log)
    if not found:
        return "preflight not reported"
    checked, work = float(found.group(1)), float(found.group(2))
    return f"preflight {checked:.1f} s of {work:.1f} s worker time, {checked / work:.0%}"


def web_share(log: str, total: float) -> str:
    """The web edition's seconds in a build, as the build reports them, and their share."""
    found = re.search(r"web edition and hand-offs ([\d.]+) s", log)
    if not found:
        return "not reported"
    seconds = float(found.group(1))
    return f"{seconds:.1f} s, {seconds / total:.0%}"


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
