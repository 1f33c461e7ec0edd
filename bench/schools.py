"""Measure a school network's batch against school builds one after the other.

    ./run bench --schools 200      (or: .venv/bin/python bench/benchmark.py --schools 200)

Generates N schools (Dutch and four translations each; brochures in the
office and print editions; the Dutch and the multilingual posters) and prints,
from one run:
(a) the naive baseline: each school a separate `build.py --school` run, one
    after the other, measured on a sample of schools and extrapolated to N;
(b) the batch on a local Dask cluster (`--schools LIST`);
(c) the batch on a Dask scheduler and workers started as separate processes
    (`--scheduler tcp://…`);
then seconds per school, the peak memory of a worker and the ratios b/a, c/a;
and (d) the floor: the WeasyPrint work on a sample school's own pages alone
(see `own_pages_floor`), the least any batch must do per school as long as
each school's own pages are laid out by WeasyPrint.
"""

from __future__ import annotations

import csv
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ["fr", "en", "de", "ar", "tr", "pl", "ro", "bg", "ru", "uk", "fa", "ti", "prs",
                "ps", "so", "es", "pt", "it", "sq", "ka", "ur", "zh_Hans", "am", "el"]
EDITIONS = ["--edition", "office", "--edition", "print"]
COLUMNS = ["slug", "name", "address", "site_url", "languages", "contact1_role", "contact1_name",
           "contact1_phone", "contact1_email", "clb_name", "clb_phone", "clb_email"]
SAMPLE = 3
TARGET_PER_SCHOOL = 2.5  # seconds per school on a 2-core machine, all cores busy
TARGET_RATIO = 0.20  # the batch against the naive school builds one after the other
SEPARATE_WITHIN = 0.10  # the separate scheduler and workers against the local cluster


def generated_schools(count: int) -> list[dict[str, str]]:
    """Schools with plausible details and four translations each (a fixed seed)."""
    rng = random.Random(2026)
    return [{
        "slug": f"school-{n:03d}", "name": f"Basisschool De Bron {n}",
        "address": f"Schoolstraat {n}, 9000 Gent",
        "site_url": f"https://school-{n:03d}.example/cyberpesten",
        "languages": " ".join(rng.sample(TRANSLATIONS, 4)),
        "contact1_role": "zorgcoördinator", "contact1_name": f"Zorgcoördinator {n}",
        "contact1_phone": f"09 {100 + n % 900} 45 67", "contact1_email": f"zorg@school-{n}.example",
        "clb_name": "CLB Gent", "clb_phone": "09 277 77 77", "clb_email": "info@clb.example",
    } for n in range(1, count + 1)]


def write_list(path: Path, schools: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fileobj:
        writer = csv.DictWriter(fileobj, COLUMNS)
        writer.writeheader()
        writer.writerows(schools)


def write_profile(path: Path, school: dict[str, str]) -> None:
    """The same school as a YAML profile, for the one-school build of the baseline."""
    lines = [f"{key}: {school[key]!r}" for key in ("slug", "name", "address", "site_url")]
    lines += [f"languages: [{', '.join(school['languages'].split())}]", "contacts:",
              f"  - role: {school['contact1_role']}", f"    name: {school['contact1_name']!r}",
              f"    phone: {school['contact1_phone']!r}",
              f"    email: {school['contact1_email']!r}", "clb:",
              f"  name: {school['clb_name']!r}", f"  phone: {school['clb_phone']!r}",
              f"  email: {school['clb_email']!r}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(*args: str) -> tuple[float, str]:
    """One build; a batch in which some schools failed (exit code 1) still counts."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--strict", *EDITIONS,
                             *args], capture_output=True, text=True, check=False)
    batch = "--schools" in args
    if result.returncode != 0 and not (batch and result.returncode == 1):
        sys.exit(f"the build failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    for line in result.stderr.splitlines():
        if line.startswith("FAILED "):
            print(f"    {line}", flush=True)
    return time.perf_counter() - started, result.stdout


def peak_mb(log: str) -> str:
    found = re.search(r"peak worker memory (\d+) MB", log)
    return found.group(1) if found else "?"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def separate_cluster_batch(school_list: Path, out: Path, workers: int) -> tuple[float, str]:
    """The batch on a scheduler and workers that are processes of their own."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
         "--port", str(port), "--dashboard-address", "127.0.0.1:0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers",
         str(workers), "--nthreads", "1", "--no-dashboard"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return build("--schools", str(school_list), "--output", str(out),
                     "--scheduler", address)
    finally:
        for process in (worker, scheduler):
            process.terminate()
            process.wait(timeout=60)


def own_pages_floor(school_list: Path, built: Path, sample: int) -> float:
    """Seconds of WeasyPrint work per school on a school's own pages alone, on one core.

    What every school needs whatever is shared: each brochure's cover, contact
    page and back page (around one empty stand-in page for the department's
    pages), laid out and written once per page geometry; each poster laid out
    and written once per geometry at the text scale the batch found, without
    the search; the printing guide. Left out, so that this is a lower bound:
    the department's pages, the poster search, the last pass, the preflight,
    the zip and the web edition. Measured in this process after one school's
    warm-up, so font loading and stylesheet parsing are not counted either.
    """
    sys.path.insert(0, str(ROOT))
    from kit.manifest import read_state
    from kit.pdf.produce import VARIANTS, renderer
    from kit.pipeline import Options, load_and_validate, plan_all
    from kit.render import RenderLog, render_html
    from kit.translations import translations_for

    options = Options(products=["brochure", "poster"], languages=None,
                      editions=["office", "print"], strict=True, jobs=1, force=True,
                      threshold=1.0, output=built, school_list=school_list)
    loaded = load_and_validate(options)
    fits = {path: info.get("fit") or 100 for path, info in read_state(built).items()
            if isinstance(info, dict)}
    by_school: dict[str, list] = {}
    for job in plan_all(loaded, options):
        by_school.setdefault(job.school or "", []).append(job)
    r = renderer()
    log = RenderLog()

    def one_school(jobs: list) -> None:
        for job in jobs:
            school = loaded.schools[job.school or ""]
            leaflet = loaded.of(job)
            tr = translations_for(leaflet.content, leaflet.states, job.languages)
            stand_in = 1 if job.product == "brochure" else 0
            html = render_html(r.env, leaflet.content, job, tr, school=school,
                               body_pages=stand_in)
            for bleed in job.layouts:
                outputs = [o for o in job.outputs if (o.edition == "print") == bleed]
                document = r.layout(html, job, bleed, log, fit=fits.get(outputs[0].path, 100))
                own = document.copy([page for page in document.pages
                                     if "body-page-1" not in page.anchors])
                for output in outputs:
                    own.write_pdf(pdf_variant=VARIANTS[output.edition])

    slugs = list(by_school)
    one_school(by_school[slugs[0]])  # warm-up
    measured = slugs[1:1 + sample] or slugs[:1]
    started = time.perf_counter()
    for slug in measured:
        one_school(by_school[slug])
    if log.missing_glyphs or log.refused:
        sys.exit(f"the floor measurement drew boxes or refused a file: {log.warnings[:1]}")
    return (time.perf_counter() - started) / len(measured)


def main(count: int) -> None:
    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores; {count} generated schools (Dutch + 4 translations each, "
          "office and print brochures, Dutch and multilingual posters)", flush=True)
    schools = generated_schools(count)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sample = schools[:min(SAMPLE, count)]
        seconds = []
        for school in sample:
            profile = folder / f"{school['slug']}.yaml"
            write_profile(profile, school)
            took, _ = build("--school", str(profile), "--output", str(folder / "naive"))
            seconds.append(took)
        naive = sum(seconds) / len(seconds) * count
        print(f"(a) naive, one school build after the other: {naive:7.1f} s  (measured on "
              f"{len(sample)} schools, {sum(seconds) / len(seconds):.1f} s each, extrapolated "
              f"to {count})", flush=True)
        school_list = folder / "schools.csv"
        write_list(school_list, schools)
        local, log = build("--schools", str(school_list), "--output", str(folder / "local"))
        print(f"(b) batch, local Dask cluster:               {local:7.1f} s  "
              f"({local / count:.2f} s per school, peak worker memory {peak_mb(log)} MB)",
              flush=True)
        remote, log = separate_cluster_batch(school_list, folder / "remote", cores)
        print(f"(c) batch, separate scheduler and workers:   {remote:7.1f} s  "
              f"({remote / count:.2f} s per school, peak worker memory {peak_mb(log)} MB)",
              flush=True)
        floor = own_pages_floor(school_list, folder / "local", SAMPLE)
        print(f"(d) floor, a school's own pages alone:        {floor:7.2f} s per school on one "
              f"core = {floor / cores:.2f} s per school with all {cores} cores busy (measured "
              f"on {min(SAMPLE, max(count - 1, 1))} schools; lower bound, see own_pages_floor)")
    print(f"b/a = {local / naive:.2f}   c/a = {remote / naive:.2f}   (target <= "
          f"{TARGET_RATIO:.2f}; <= {TARGET_PER_SCHOOL} s per school on {cores} cores; "
          f"<= 400 MB per worker)")
    print(f"c/b = {remote / local:.2f}   (the separate scheduler within "
          f"{SEPARATE_WITHIN:.0%} of the local cluster: <= {1 + SEPARATE_WITHIN:.2f})")
    print(f"floor / target = {floor / cores / TARGET_PER_SCHOOL:.2f}: "
          + ("no design that lays out each school's own pages with WeasyPrint can reach "
             "the per-school target on this machine" if floor / cores > TARGET_PER_SCHOOL
             else "the per-school target is above the floor"))
