"""A school network's batch: school lists, Dask, resuming, incremental rebuilds."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from conftest import ROOT, run_build

from kit.errors import UserError
from kit.sources.content import ID_PATTERN
from kit.sources.school import RESERVED_SLUGS
from kit.sources.schoollist import SchoolListError, load_school_list

KNOWN = ["fr", "ar", "uk", "ti", "tr"]
HEADER = ("slug", "name", "address", "website", "site_url", "logo", "languages", "contact1_role",
          "contact1_name", "contact1_phone", "contact1_email", "clb_name", "clb_phone",
          "clb_email")
# Dutch-only packs in the screen edition keep the batch tests quick; one school
# with a translation shows that languages reach the workers too.
FAST = ("--strict", "--edition", "screen")


def school_row(n: int, languages: str = "", site: str = "", **changes: str) -> dict[str, str]:
    row = {"slug": f"school-{n:02d}", "name": f"Basisschool Nummer {n}",
           "address": f"Straat {n}, 9000 Gent", "site_url": site, "languages": languages,
           "contact1_role": "directie", "contact1_name": f"Directeur {n}",
           "contact1_phone": f"09 123 45 {n:02d}", "clb_name": "CLB Gent",
           "clb_phone": "09 277 77 77"}
    return {**row, **changes}


def write_list(folder: Path, rows: list[dict[str, str]], name: str = "schools.csv",
               delimiter: str = ",", bom: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fileobj:
        writer = csv.DictWriter(fileobj, HEADER, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def report(out: Path) -> dict[str, dict[str, str]]:
    with (out / "schools/report.csv").open(encoding="utf-8") as fileobj:
        return {row["slug"]: row for row in csv.DictReader(fileobj)}


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten schools on a local Dask cluster."""
    folder = tmp_path_factory.mktemp("batch")
    rows = [school_row(n) for n in range(1, 10)]
    rows.append(school_row(10, "uk", "https://school-10.example/cyberpesten"))
    school_list = write_list(folder, rows)
    out = folder / "output"
    result = run_build(*FAST, "--schools", str(school_list), "--output", str(out))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "10 schools: 10 to build, 0 unchanged" in result.stdout
    return out


# --- reading a list --------------------------------------------------------------------------


def test_semicolons_and_a_byte_order_mark_as_belgian_excel_writes_them(tmp_path: Path) -> None:
    path = write_list(tmp_path, [school_row(1, "ar tr")], delimiter=";", bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfslug;name;")
    [school] = load_school_list(path, KNOWN)
    assert (school.slug, school.address, school.languages) == (
        "school-01", "Straat 1, 9000 Gent", ("ar", "tr"))
    assert school.contacts[0].phone == "09 123 45 01"


def test_an_excel_workbook_reads_like_the_csv(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(HEADER))
    sheet.append(["de-linde", "Basisschool De Linde", "Lindenlaan 12, 9000 Gent", None, None,
                  "logo.svg", "ar uk", "zorgcoördinator", "Sofie Verhaegen", "091234567", None,
                  "CLB Gent", "09 277 77 77", None])
    shutil.copy(ROOT / "schools/example-logo.svg", tmp_path / "logo.svg")
    workbook.save(tmp_path / "list.xlsx")
    [school] = load_school_list(tmp_path / "list.xlsx", KNOWN)
    assert school.languages == ("ar", "uk")
    assert school.contacts[0].role == "zorgcoordinator"
    assert school.contacts[0].phone == "091234567"  # a text cell keeps its leading 0
    assert school.logo is not None and school.logo.file == (tmp_path / "logo.svg").resolve()


BAD_LISTS = {
    "every bad row, with its column": (
        [school_row(1), school_row(2, contact1_phone="call me"), school_row(3, "xx"),
         school_row(4, contact1_email="dir@"), school_row(5, name="")],
        ["schools.csv:3: column contact1_phone: `phone` `call me` is not a phone number "
         "(e.g. 09 123 45 67 or +32 9 123 45 67)",
         "schools.csv:4: column languages: the kit has no translation `xx`; choose from: "
         "fr, en, de, ar, tr, pl, ro, bg, ru, uk, fa, ti, prs, ps, so, es, pt, it, sq, ka, ur, "
         "zh_Hans, am, el",
         "schools.csv:5: column contact1_email: `email` `dir@` is not an e-mail address",
         "schools.csv:6: column name: `name` is empty"]),
    "every mistake of a row": (
        [school_row(1, name="", contact1_phone="call me")],
        ["schools.csv:2: column name: `name` is empty",
         "schools.csv:2: column contact1_phone: `phone` `call me` is not a phone number "
         "(e.g. 09 123 45 67 or +32 9 123 45 67)"]),
    "every mistake of a contact": (
        [school_row(1, contact1_phone="12", contact1_email="jan@")],
        ["schools.csv:2: column contact1_phone: `phone` `12` is not a phone number "
         "(e.g. 09 123 45 67 or +32 9 123 45 67)",
         "schools.csv:2: column contact1_email: `email` `jan@` is not an e-mail address"]),
    "a slug used twice": (
        [school_row(1), school_row(2), school_row(1, name="Basisschool Eén")],
        ["schools.csv:4: column slug: `school-01` is already used in row 2; every school "
         "needs its own"]),
    "a missing logo": (
        [school_row(1, logo="nowhere.png")],
        ["schools.csv:2: column logo: cannot read the logo `nowhere.png`: no such file or "
         "directory"]),
    "a logo outside the list's folder": (
        [school_row(1, logo="../logo.svg")],
        ["schools.csv:2: column logo: the logo `../logo.svg` must be a file in the list's "
         "folder or a folder below it"]),
    "an unsafe slug": (
        [school_row(1, slug="../etc")],
        ["schools.csv:2: column slug: `slug` `../etc` must be a safe folder name: lowercase "
         "letters, digits and single hyphens, at most 60 characters"]),
    "a slug the batch's index uses": (
        [school_row(1), school_row(2, slug="fonts")],
        ["schools.csv:3: column slug: `slug` `fonts` is a folder the kit writes itself in "
         "output/schools/; choose another"]),
}


@pytest.mark.parametrize("case", BAD_LISTS)
def test_bad_lists_report_every_bad_row_and_build_nothing(case: str, tmp_path: Path) -> None:
    rows, expected = BAD_LISTS[case]
    school_list = write_list(tmp_path, rows)
    out = tmp_path / "output"
    result = run_build("--schools", str(school_list), "--output", str(out), cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [f"error: {line}" for line in expected] + [
        f"{len(expected)} problem{'s' if len(expected) > 1 else ''} in the school list; "
        "nothing was built"]
    assert not out.exists()


@pytest.mark.parametrize(("text", "expected"), [
    ("slug,name\n", "schools.csv:1: the list has no column `address`"),
    (",".join(HEADER) + ",colour\n",
     "schools.csv:1: unknown column `colour` (the README lists the columns)"),
    (",".join(HEADER) + "\n", "schools.csv:2: the school list has a header but no schools"),
    ("", "schools.csv:1: the school list is empty"),
])
def test_a_list_that_is_not_a_school_list(text: str, expected: str, tmp_path: Path) -> None:
    (tmp_path / "schools.csv").write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_school_list(tmp_path / "schools.csv", KNOWN)
    assert not isinstance(caught.value, SchoolListError)
    assert str(caught.value).endswith(expected)


# --- the batch -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def posters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two Dutch-only schools, posters alone, one named like a spreadsheet formula."""
    folder = tmp_path_factory.mktemp("posters")
    rows = [school_row(1, name=FORMULA), school_row(2, name="@SUM(A1:A9)")]
    out = folder / "output"
    result = run_build(*FAST, "--product", "poster", "--schools", str(write_list(folder, rows)),
                       "--output", str(out))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return out


FORMULA = '=HYPERLINK("http://evil.example","Basisschool")'


def test_nothing_the_batch_writes_beside_the_packs_can_be_a_slug(posters: Path) -> None:
    """A school whose slug were one of these would have its pack replaced by the index's."""
    slugs = set(report(posters))
    for path in (posters / "schools").iterdir():
        if path.name not in slugs:
            assert path.name in RESERVED_SLUGS or not ID_PATTERN.match(path.name), path.name


def test_the_report_never_hands_excel_a_formula(posters: Path) -> None:
    rows = report(posters)
    assert rows["school-01"]["name"] == "'" + FORMULA
    assert rows["school-02"]["name"] == "'@SUM(A1:A9)"
    # The web index prints the name as it is.
    assert "=HYPERLINK(&#34;http://evil.example&#34;" in (
        posters / "schools/index.html").read_text(encoding="utf-8")


def test_every_school_gets_its_pack_an_index_and_a_report(batch: Path) -> None:
    rows = report(batch)
    assert len(rows) == 10 and {r["status"] for r in rows.values()} == {"built"}
    manifest = json.loads((batch / "manifest.json").read_text(encoding="utf-8"))
    for slug, row in rows.items():
        folder = batch / "schools" / slug
        assert (folder / f"{slug}.zip").is_file() and (folder / "site/index.html").is_file()
        files = [e for e in manifest if e.get("school") == slug
                 and e["product"] not in ("pack", "handoff")]
        assert int(row["files"]) == len(files) and int(row["pages"]) == sum(
            e["pages"] for e in files)
    assert {e["languages"][-1] for e in manifest if e.get("school") == "school-10"} == {"nl", "uk"}
    index = (batch / "schools/index.html").read_text(encoding="utf-8")
    for slug in rows:
        assert f'href="{slug}/{slug}.zip"' in index and f'href="{slug}/site/index.html"' in index
        for name in ("drukkerij", "secretariaat", "ouders", "website"):
            assert f'href="{slug}/overdracht/{slug}-{name}.zip"' in index
            assert (batch / "schools" / slug / "overdracht" / f"{slug}-{name}.zip").is_file()
    check = run_build("check", "--output", str(batch))
    assert check.returncode == 0 and check.stdout.strip().endswith("0 problems"), check.stdout


def test_a_changed_row_or_catalog_rebuilds_only_what_it_touches(batch: Path,
                                                               tmp_path: Path) -> None:
    out, locales = tmp_path / "output", tmp_path / "locales"
    shutil.copytree(batch, out)
    shutil.copytree(ROOT / "locales", locales)
    po = locales / "uk/LC_MESSAGES/cyberpesten.po"
    po.write_text(po.read_text(encoding="utf-8").replace(
        "# back-translation:", "# back-translation (checked):", 1), encoding="utf-8")
    rows = [school_row(n) for n in range(1, 10)]
    rows[3]["contact1_name"] = "Directrice 4"
    rows.append(school_row(10, "uk", "https://school-10.example/cyberpesten"))
    before = {e["path"]: e["sha256"] for e in
              json.loads((out / "manifest.json").read_text(encoding="utf-8"))}
    result = run_build(*FAST, "--schools", str(write_list(tmp_path, rows)), "--output", str(out),
                       "--locales", str(locales))
    assert result.returncode == 0, result.stderr
    # Of 44 layouts: school 4's three that show its contacts (its printing guide
    # shows none), and of school 10 the Ukrainian brochure alone and beside the
    # Dutch and the multilingual posters on A4 and A3.
    assert "10 schools: 2 to build, 8 unchanged (7 of 44 layouts)" in result.stdout
    assert {s for s, r in report(out).items() if r["status"] == "built"} == {
        "school-04", "school-10"}
    after = {e["path"]: e for e in json.loads((out / "manifest.json").read_text(encoding="utf-8"))}
    assert after.keys() == before.keys()
    for path, entry in after.items():
        if ("uk" not in entry["languages"] and entry["product"] != "pack"
                and entry["school"] != "school-04"):
            assert entry["sha256"] == before[path], path


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dask_cluster(free_port: int, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """A scheduler and two workers started as separate processes, as on a real network."""
    address = f"tcp://127.0.0.1:{free_port}"
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler",
                                  "--host", "127.0.0.1", "--port", str(free_port),
                                  "--dashboard-address", "127.0.0.1:0"], cwd=tmp_path,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address,
                               "--nthreads", "1", "--nworkers", "2", "--no-dashboard"],
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    from dask.distributed import Client

    try:
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address, worker
    finally:
        for process in (worker, scheduler):
            process.terminate()
            process.wait(timeout=30)


def test_the_batch_runs_on_an_existing_dask_cluster_and_outlives_a_worker(
        dask_cluster: tuple[str, subprocess.Popen], tmp_path: Path) -> None:
    address, workers = dask_cluster
    school_list = write_list(tmp_path, [school_row(n) for n in range(1, 4)])
    out = tmp_path / "output"
    command = [sys.executable, str(ROOT / "build.py"), *FAST, "--schools", str(school_list),
               "--output", str(out), "--scheduler", address]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as batch:
        assert batch.stdout is not None and batch.stderr is not None
        lines = [batch.stdout.readline() for _ in range(3)]
        assert lines[1] == f"starting 3 schools on the Dask scheduler at {address}\n", lines
        assert lines[2].startswith(f"Dask scheduler {address}: 2 workers"), lines
        # One worker process dies in the middle of the work; its nanny starts
        # a new one and Dask runs the lost tasks again.
        time.sleep(1.5)
        spawned = worker_processes(psutil.Process(workers.pid))
        # Two workers; on a loaded machine a nanny may be starting a third in the
        # place of one that missed its heartbeats, which the batch outlives too.
        assert len(spawned) >= 2
        spawned[0].kill()
        rest, errors = batch.communicate(timeout=300)
    assert batch.returncode == 0, rest[-2000:] + errors[-2000:]
    assert {r["status"] for r in report(out).values()} == {"built"}
    check = run_build("check", "--output", str(out))
    assert check.returncode == 0 and check.stdout.strip().endswith("0 problems"), check.stdout
    # Dask's profiler is off on both workers, the one started in the batch's place too.
    assert profiling(address) == [False, False]


def worker_processes(cluster: psutil.Process) -> list[psutil.Process]:
    """The worker processes a `dask worker` command started (each by multiprocessing's spawn)."""
    found = []
    for process in cluster.children(recursive=True):
        try:
            command = " ".join(process.cmdline())
        except psutil.NoSuchProcess:
            continue  # ended while it was being read
        if "spawn_main" in command and "resource_tracker" not in command:
            found.append(process)
    return found


def profiling(address: str) -> list[bool]:
    """Whether each worker of a cluster runs Dask's statistical profiler."""
    from dask.distributed import Client

    with Client(address, timeout="30s") as client:
        running = client.run(lambda dask_worker: "profile" in dask_worker.periodic_callbacks)
    return list(running.values())


def test_the_local_cluster_s_workers_do_not_profile() -> None:
    """Dask's profiler kept a tree of every second's stack samples: 1 GB in a long batch."""
    from kit.batch import dask_client

    with dask_client(None, 2, dashboard=None) as client:
        assert profiling(client.scheduler.address) == [False, False]


def test_an_unreachable_scheduler_is_one_line(free_port: int, tmp_path: Path) -> None:
    school_list = write_list(tmp_path, [school_row(1)])
    result = run_build("--schools", str(school_list), "--output", str(tmp_path / "output"),
                       "--scheduler", f"tcp://127.0.0.1:{free_port}")
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"error: cannot reach the Dask scheduler at tcp://127.0.0.1:{free_port}")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_killed_batch_resumes_with_the_unfinished_schools(tmp_path: Path) -> None:
    school_list = write_list(tmp_path, [school_row(n) for n in range(1, 7)])
    out = tmp_path / "output"
    command = [sys.executable, str(ROOT / "build.py"), *FAST, "--schools", str(school_list),
               "--output", str(out), "--jobs", "1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, start_new_session=True)
    assert process.stdout is not None
    deadline = time.monotonic() + 240
    finished = 0
    for line in process.stdout:
        if line.startswith("["):
            finished += 1
            if finished == 2:
                break
        assert time.monotonic() < deadline
    os.killpg(process.pid, signal.SIGKILL)  # the build and its Dask workers, mid-work
    process.wait()
    process.stdout.close()
    assert finished == 2
    # Nothing half-written: every file in place is complete (no staging file leaks out;
    # the abandoned staging folder, which may hold one, goes with the next run).
    assert not [p for p in out.rglob("*.tmp")
                if not p.relative_to(out).parts[0].startswith(".staging-")]
    again = run_build(*FAST, "--schools", str(school_list), "--output", str(out))
    assert again.returncode == 0, again.stderr
    first = again.stdout.splitlines()[0]
    built = int(first.split(": ")[1].split(" to build")[0])
    assert 0 < built <= 4, first  # at least the two finished schools were kept
    assert {r["status"] for r in report(out).values()} <= {"built", "unchanged"}
    check = run_build("check", "--output", str(out))
    assert check.returncode == 0 and check.stdout.strip().endswith("0 problems"), check.stdout


def test_the_example_list_is_valid() -> None:
    schools = load_school_list(ROOT / "schools/network-example.csv",
                               ["fr", "ar", "tr", "uk"])
    assert [s.slug for s in schools] == ["de-linde", "de-eik"]
    assert schools[0].logo is not None and len(schools[0].contacts) == 2
    assert schools[1].languages == ("fr", "ar") and schools[1].contacts[0].phone == "09 234 56 78"


def test_shared_layouts_make_the_same_files_as_a_school_s_own_build(batch: Path,
                                                                    tmp_path: Path) -> None:
    """The batch lays out the department's brochure pages once for all ten schools."""
    profile = tmp_path / "school-10.yaml"
    profile.write_text(
        "slug: school-10\nname: Basisschool Nummer 10\naddress: Straat 10, 9000 Gent\n"
        "site_url: https://school-10.example/cyberpesten\nlanguages: [uk]\n"
        "contacts:\n  - role: directie\n    name: Directeur 10\n    phone: 09 123 45 10\n"
        "clb:\n  name: CLB Gent\n  phone: 09 277 77 77\n", encoding="utf-8")
    out = tmp_path / "output"
    result = run_build(*FAST, "--school", str(profile), "--output", str(out))
    assert result.returncode == 0, result.stderr
    alone = {e["path"]: e["sha256"] for e in
             json.loads((out / "manifest.json").read_text(encoding="utf-8"))
             if e["product"] == "brochure"}
    batched = {e["path"]: e["sha256"] for e in
               json.loads((batch / "manifest.json").read_text(encoding="utf-8"))
               if e["product"] == "brochure" and e["school"] == "school-10"}
    assert len(alone) == 3 and alone == batched


def test_the_dashboard_is_served_while_the_batch_runs(tmp_path: Path) -> None:
    import urllib.request

    school_list = write_list(tmp_path, [school_row(1), school_row(2)])
    command = [sys.executable, str(ROOT / "build.py"), *FAST, "--schools", str(school_list),
               "--output", str(tmp_path / "output"), "--dashboard"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True) as batch:
        assert batch.stdout is not None
        for line in batch.stdout:
            if line.startswith("Dask dashboard: "):
                link = line.split(": ", 1)[1].strip()
                assert link.startswith("http://127.0.0.1:8787/"), link  # this machine only
                with urllib.request.urlopen(link, timeout=30) as page:
                    assert b"Dask" in page.read()
                break
        else:
            pytest.fail("no dashboard address printed")
        batch.communicate(timeout=300)
    assert batch.returncode == 0


def test_a_batch_listens_on_this_machine_only(tmp_path: Path) -> None:
    school_list = write_list(tmp_path, [school_row(1)])
    command = [sys.executable, str(ROOT / "build.py"), *FAST, "--product", "poster",
               "--schools", str(school_list), "--output", str(tmp_path / "output")]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True) as batch:
        assert batch.stdout is not None
        addresses = set()
        for line in batch.stdout:
            if line.startswith("[1/1]"):  # the cluster is still up
                parent = psutil.Process(batch.pid)
                for process in [parent, *parent.children(recursive=True)]:
                    try:
                        connections = process.net_connections(kind="inet")
                    except psutil.NoSuchProcess:  # a short-lived helper ended meanwhile
                        continue
                    addresses |= {c.laddr.ip for c in connections
                                  if c.status == psutil.CONN_LISTEN}
                break
        batch.communicate(timeout=300)
    assert batch.returncode == 0
    assert addresses == {"127.0.0.1"}


def test_ctrl_c_keeps_the_finished_schools_and_says_so_in_one_line(tmp_path: Path) -> None:
    """A school is kept the moment its files are done, though its chunk's task goes on."""
    school_list = write_list(tmp_path, [school_row(n) for n in range(1, 13)])
    out = tmp_path / "output"
    # One worker: two chunks of six schools, each chunk's brochures one task.
    brochures = [sys.executable, str(ROOT / "build.py"), *FAST, "--product", "brochure",
                 "--jobs", "1", "--schools", str(school_list), "--output", str(out)]
    with subprocess.Popen(brochures, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, start_new_session=True) as batch:
        # The second school's brochure is written: the first school is done, and
        # the task goes on with the four others of its chunk.
        deadline = time.monotonic() + 300
        while not list(out.glob(".staging-*/schools/school-02/**/brochure-*.pdf")):
            assert batch.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        os.killpg(batch.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
        _, errors = batch.communicate(timeout=120)
    assert batch.returncode == 130, errors[-3000:]
    lines = errors.strip().splitlines()
    assert len(lines) == 1, errors  # one line, no traceback from Dask's threads
    stopped = report(out)
    built = sorted(slug for slug, row in stopped.items() if row["status"] == "built")
    assert re.match(rf"interrupted: {len(built)} schools? finished and in place; run the same "
                    r"command again to build the others$", lines[0]), lines[0]
    assert "school-01" in built and "pending" in {r["status"] for r in stopped.values()}, stopped
    # Run again, it builds only the others (stopped once it has said so).
    with subprocess.Popen(brochures, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True, start_new_session=True) as again:
        assert again.stdout is not None
        first = again.stdout.readline()
        os.killpg(again.pid, signal.SIGINT)
        again.communicate(timeout=120)
    assert first.startswith(f"12 schools: {12 - len(built)} to build, {len(built)} unchanged")


def test_a_ctrl_c_while_a_school_is_moved_into_place_stops_after_it() -> None:
    import logging

    from kit.batch import uninterrupted

    done = []
    try:
        with pytest.raises(KeyboardInterrupt), uninterrupted():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.1)
            done.append("the school's records and zip")
    finally:
        logging.disable(logging.NOTSET)  # the batch silences Dask's logging once stopped
    assert done == ["the school's records and zip"]


def test_a_small_network_is_cut_into_chunks_for_every_worker() -> None:
    from kit.batch import chunk_size
    from kit.pipeline import SHARED_CHUNK

    assert chunk_size(15, 2) == 4  # four chunks: two for each worker
    assert chunk_size(3, 2) == 1
    assert chunk_size(200, 2) == SHARED_CHUNK  # a large network shares as before
    assert chunk_size(1, 8) == 1


def test_the_heartbeat_prints_while_the_block_runs(capsys: pytest.CaptureFixture[str]) -> None:
    from kit.batch import HEARTBEAT, heartbeat

    assert HEARTBEAT <= 3
    with heartbeat(lambda: "… 3 of 10 layouts done", every=0.05):
        time.sleep(0.3)
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) >= 3 and set(printed) == {"… 3 of 10 layouts done"}
    time.sleep(0.2)
    assert capsys.readouterr().out == ""  # it stops with the block


def test_the_heartbeat_is_quiet_while_schools_are_told(
        capsys: pytest.CaptureFixture[str]) -> None:
    from kit.batch import heartbeat

    with heartbeat(lambda: "… 3 of 10 layouts done", every=0.5) as said:
        for _ in range(12):
            time.sleep(0.1)
            said()  # a school's line was printed
        assert capsys.readouterr().out == ""
        time.sleep(1.3)
    assert capsys.readouterr().out.splitlines()[:2] == ["… 3 of 10 layouts done"] * 2


def test_a_batch_says_at_once_that_it_starts(tmp_path: Path) -> None:
    school_list = write_list(tmp_path, [school_row(1), school_row(2)])
    command = [sys.executable, str(ROOT / "build.py"), *FAST, "--product", "poster",
               "--jobs", "1", "--schools", str(school_list), "--output", str(tmp_path / "output")]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True) as batch:
        assert batch.stdout is not None
        # Before the cluster starts: the plan, then what is starting.
        assert batch.stdout.readline().startswith("2 schools: 2 to build, 0 unchanged")
        assert batch.stdout.readline() == "starting 2 schools on 1 local Dask worker\n"
        batch.communicate(timeout=300)
    assert batch.returncode == 0


def test_ctrl_c_while_the_cluster_starts_stops_the_batch(tmp_path: Path) -> None:
    """A Ctrl-C in the first seconds is heard (the workers ignore it; this process never does)."""
    school_list = write_list(tmp_path, [school_row(n) for n in range(1, 4)])
    out = tmp_path / "output"
    command = [sys.executable, str(ROOT / "build.py"), *FAST, "--schools", str(school_list),
               "--output", str(out)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True) as batch:
        assert batch.stdout is not None
        for line in batch.stdout:
            if " to build" in line:  # the plan is printed; the cluster starts now
                time.sleep(0.5)
                os.killpg(batch.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
                break
        started = time.monotonic()
        _, errors = batch.communicate(timeout=120)
    assert batch.returncode == 130, errors
    assert time.monotonic() - started < 30  # not after the whole batch
    assert errors.strip().splitlines() == [
        "interrupted: 0 schools finished and in place; run the same command again to build "
        "the others"], errors
