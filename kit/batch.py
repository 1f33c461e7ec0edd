"""Packs for every school of a network, as Dask tasks on this machine or on a cluster.

The same pipeline as one school's build, with a school list as input: every
row is validated first, the layouts are planned as data, and each layout is
one Dask task (a pure function of its inputs that writes its files into a
staging folder and returns their paths and hashes). A school's files move
into place the moment its last task is done, with its own build state, zip
and site, so an interrupted batch keeps every finished school and the next
run builds only the rest. A school that fails is reported; the others finish.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import math
import pickle
import shutil
import signal
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kit.errors import PartlyWritten, UserError, display_path
from kit.handoff import HANDOFFS, seal_handoffs, zip_path
from kit.inputs import job_inputs, shared_inputs
from kit.manifest import read_state, state_shard, write_bytes_atomic, write_state
from kit.pack import pack_path
from kit.pipeline import (
    SHARED_CHUNK,
    Loaded,
    Options,
    check_glyphs,
    ensure_dir,
    layout_groups,
    load_and_validate,
    output_lock,
    pack_leaflets,
    place_files,
    plan_all,
    prune_school,
    publish_site,
    record_entries,
    remove_abandoned_staging,
    seal_pack,
    up_to_date,
    write_manifest,
)
from kit.plan import Job
from kit.render import STYLES_DIR, make_environment
from kit.sources.languages import SOURCE_LANGUAGE
from kit.spreadsheets import csv_cell
from kit.translations import translations_for
from kit.web.site import FONT_CACHE, write_fonts

if TYPE_CHECKING:
    from dask.distributed import Client

    from kit.pdf.produce import JobResult

INDEX = "schools/index.html"
REPORT = "schools/report.csv"
REPORT_COLUMNS = ("slug", "name", "status", "files", "pages", "seconds", "problems")
# A task whose worker died is run again on another worker this many times.
RETRIES = 2
WORKER_WAIT = 60  # seconds an existing cluster may take to have a first worker
# Dask's dashboard shows the work and accepts requests about it: on this
# machine only, unless `--dashboard ADDRESS` asks for another interface.
DASHBOARD = "127.0.0.1:8787"


@dataclass
class SchoolRun:
    """One school of the batch: its layouts, and how they went."""

    slug: str
    jobs: list[Job]
    todo: list[Job]
    results: list[JobResult] = field(default_factory=list)
    status: str = "unchanged"  # unchanged, pending (to build), built or failed
    seconds: float = 0.0

    @property
    def problems(self) -> list[str]:
        return [f"{r.job.name}: {r.error.splitlines()[0]}" for r in self.results if r.error]


def build_batch(options: Options, scheduler: str | None = None,
                dashboard: str | None = None) -> int:
    started = time.perf_counter()
    loaded = load_and_validate(options)
    jobs = plan_all(loaded, options)
    out = options.output
    with output_lock(out):
        state = read_state(out)
        shared = shared_inputs(options.content)
        keys = {j.name: job_inputs(j, shared, options.locales,
                                   f"strict={options.strict}|{options.print_condition}",
                                   loaded.schools[j.school or ""])
                for j in jobs}
        runs = {slug: SchoolRun(slug, [], []) for slug in loaded.schools}
        for job in jobs:
            run = runs[job.school or ""]
            run.jobs.append(job)
            if options.force or not up_to_date(job, keys[job.name], state, options):
                run.todo.append(job)
        pending = [r for r in runs.values() if r.todo]
        for run in pending:
            run.status = "pending"  # until its last task is done: a stopped batch says so
        print(f"{len(runs)} schools: {len(pending)} to build, {len(runs) - len(pending)} "
              f"unchanged ({sum(len(r.todo) for r in pending)} of {len(jobs)} layouts)",
              flush=True)
        check_glyphs(loaded, [c for c in loaded.ready if any(c in j.languages
                                                             for r in pending for j in r.todo)])
        remove_abandoned_staging(out)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=ensure_dir(out)))
        interrupted = False
        progress = Progress(len(pending), sum(len(r.todo) for r in pending))
        try:
            if pending:
                where = (f"on the Dask scheduler at {scheduler}" if scheduler
                         else f"on {options.jobs} local Dask worker"
                              f"{'s' if options.jobs > 1 else ''}")
                print(f"starting {_schools(len(pending))} {where}", flush=True)
                with heartbeat(progress.line) as said, \
                        dask_client(scheduler, options.jobs, dashboard) as client:
                    render_schools(client, pending, loaded, options, staging, keys, state,
                                   progress, said)
            for run in runs.values():
                if run.status == "unchanged":
                    with uninterrupted():
                        finish_school(run, loaded, state, keys, out, moved=False)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            write_manifest(out, jobs, state, loaded)
            shutil.rmtree(staging, ignore_errors=True)
        write_index(out, loaded, runs)
    failed = [r for r in runs.values() if r.status == "failed"]
    built = [r for r in runs.values() if r.status == "built"]
    if interrupted:
        print(f"interrupted: {_schools(len(built))} finished and in place; run the same "
              "command again to build the others", file=sys.stderr)
        return 130
    for run in failed:
        print(f"FAILED {run.slug}: {run.problems[0]}", file=sys.stderr)
    peak = max((r.peak_mb for run in runs.values() for r in run.results), default=0)
    print(f"{_schools(len(built))} built, {len(runs) - len(built) - len(failed)} unchanged, "
          f"{len(failed)} failed in {time.perf_counter() - started:.1f} s "
          f"(peak worker memory {peak:.0f} MB); "
          f"index: {display_path(out / INDEX)}, report: {display_path(out / REPORT)}")
    return 1 if failed else 0


@contextmanager
def dask_client(scheduler: str | None, workers: int,
                dashboard: str | None) -> Iterator[Client]:
    """A client of the given Dask scheduler, or of a local cluster sized to this machine."""
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="5s")
        except (OSError, TimeoutError) as exc:
            raise UserError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        try:
            client.wait_for_workers(1, timeout=WORKER_WAIT)
        except TimeoutError:
            client.close()
            raise UserError(f"the Dask scheduler at {scheduler} has had no worker for "
                            f"{WORKER_WAIT} s; start one with `dask worker {scheduler}`") from None
        count = len(client.scheduler_info().get("workers", {}))
        print(f"Dask scheduler {scheduler}: {count} workers; dashboard: {client.dashboard_link}",
              flush=True)
        try:
            without_profiler(client)
            with quiet_interrupt():
                yield client
        finally:
            client.close()
        return
    # One single-threaded worker process per core: WeasyPrint lays out on one thread.
    # The workers ignore Ctrl-C, so a stop reaches this process alone, which
    # ends them quietly; this process listens to it all along, also while the
    # cluster starts (`workers_ignoring_interrupts`).
    # Its web server (the dashboard) takes the port asked for when free, and
    # otherwise any free port: two batches never collide. Unasked, it listens
    # on a free port of this machine alone (Dask's default is every interface).
    with workers_ignoring_interrupts(), quiet_interrupt():
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Port .* is already in use")
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   host="127.0.0.1",
                                   dashboard_address=dashboard or "127.0.0.1:0",
                                   silence_logs=logging.ERROR)
        try:
            with Client(cluster) as client:
                without_profiler(client)
                if dashboard:
                    print(f"Dask dashboard: {client.dashboard_link}", flush=True)
                    host = dashboard.rpartition(":")[0]
                    if host not in {"127.0.0.1", "localhost", "::1", "[::1]"}:
                        print(f"  (listening on {dashboard}: anyone who can reach this "
                              "machine can open it)", flush=True)
                yield client
        finally:
            cluster.close()


@contextmanager
def workers_ignoring_interrupts() -> Iterator[None]:
    """Local workers that ignore Ctrl-C, started without this process ever ignoring it.

    The workers are forked from a fork server (Dask's `forkserver` method),
    which passes on to them the Ctrl-C handling it started with: it is
    started with Ctrl-C ignored, for the moment that takes. This process
    then handles Ctrl-C again before the cluster starts, so a stop in the
    first seconds is not lost (it was while the workers were spawned with
    Ctrl-C ignored in this process, for as long as the cluster took to start).
    """
    from multiprocessing import forkserver

    import dask
    from distributed.utils import get_mp_context

    with dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}):
        get_mp_context()  # sets the fork server's preloaded modules
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            forkserver.ensure_running()
        finally:
            signal.signal(signal.SIGINT, previous)
        yield


def without_profiler(client: Client) -> None:
    """Switch off Dask's statistical profiler on every worker, also those that join later.

    The profiler samples each running task's stack a hundred times a second
    and keeps a tree of the samples for every second of the last 1,000. With
    WeasyPrint's deep layout stacks those trees grew each worker by about
    1 MB every 10 s, past 1 GB in a 200-school batch, for a profile nobody
    reads. The plugin stays registered on an existing cluster, so a worker
    that restarts during the batch starts without it too.
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    class NoProfiler(WorkerPlugin):
        idempotent = True
        name = "cyberbullying-print-kit-no-profiler"

        def setup(self, worker: object) -> None:
            callbacks = worker.periodic_callbacks  # type: ignore[attr-defined]
            for name in ("profile", "profile-cycle"):
                callback = callbacks.pop(name, None)
                if callback is not None:
                    callback.stop()

    client.register_plugin(NoProfiler())


@contextmanager
def quiet_interrupt() -> Iterator[None]:
    """Ctrl-C while Dask waits: its loggers are silenced before the interrupt is raised.

    Stopping a cluster in the middle of its work makes Dask and Tornado log
    the broken waits from their own thread at once; the user stopped the
    batch and is told so in one line.
    """
    def interrupt(signum: int, frame: object) -> None:
        # All logging: Dask configures its own loggers' levels (tornado.application
        # among them), and after a stop only the kit's own line is printed.
        logging.disable(logging.CRITICAL)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def uninterrupted() -> Iterator[None]:
    """A Ctrl-C during the block stops the batch at its end, not halfway.

    A school's commit (its files, records, zip and site) stopped halfway would
    leave its files in place without the records that say what they are.
    """
    asked: list[int] = []

    def later(signum: int, frame: object) -> None:
        logging.disable(logging.CRITICAL)  # as `quiet_interrupt` does: the stop is told once
        asked.append(signum)

    previous = signal.signal(signal.SIGINT, later)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if asked:
        raise KeyboardInterrupt


def render_schools(client: Client, pending: list[SchoolRun], loaded: Loaded, options: Options,
                   staging: Path, keys: dict[str, str], state: dict, progress: Progress,
                   said: Callable[[], None]) -> None:
    """Every task on the cluster; each school moves into place when its last file is done.

    A task lays out a chunk of schools' brochures and writes each school's
    result beside its files when they are done (`produce_group`), so a school
    is finished, and kept when the batch is stopped, before the rest of its task.
    """
    from dask.distributed import as_completed

    from kit.pdf.produce import JobResult, produce_group

    progress.working = True
    # Each leaflet's content and each of its language sets' translations go to
    # the workers once.
    contents = {ident: client.scatter(leaflet.content, broadcast=True)
                for ident, leaflet in loaded.leaflets.items()}
    translations = {}
    owner: dict[str, list[Job]] = {}
    tasks = as_completed()
    runs = {run.slug: run for run in pending}
    finished = staging / FINISHED
    chunk = chunk_size(len(pending), options.jobs)
    groups = layout_groups([job for run in pending for job in run.todo], chunk)
    last = groups[-1][0]
    for number, jobs in groups:
        leaflet = loaded.of(jobs[0])
        languages = (leaflet.id, jobs[0].languages)
        if languages not in translations:
            translations[languages] = client.scatter(
                translations_for(leaflet.content, leaflet.states, jobs[0].languages),
                broadcast=True)
        schools = {job.school or "": loaded.schools[job.school or ""] for job in jobs}
        key = hashlib.sha256("".join(keys[j.name] for j in jobs).encode()).hexdigest()[:16]
        # Earlier chunks first, so finished schools come steadily from the list's start.
        future = client.submit(produce_group, jobs, contents[leaflet.id], translations[languages],
                               staging,
                               options.strict, schools, options.print_condition, finished,
                               key=f"{jobs[0].name}-{len(jobs)}-{key}", retries=RETRIES,
                               priority=last - number, pure=False)
        owner[future.key] = jobs
        tasks.add(future)
    waiting = {run.slug: len(run.todo) for run in pending}
    started = time.perf_counter()
    taken: set[str] = set()  # the jobs whose result was taken, from a task or from its file

    def take(result: JobResult) -> None:
        if result.job.name in taken:
            return  # told by its file before its task ended (or by a task run again)
        taken.add(result.job.name)
        run = runs[result.job.school or ""]
        run.results.append(result)
        run.seconds += result.seconds
        progress.laid_out += 1
        waiting[run.slug] -= 1
        if waiting[run.slug]:
            return
        with uninterrupted():
            finish_school(run, loaded, state, keys, options.output, moved=True)
            progress.done += 1
            # The time left is reckoned from the layouts done, not the schools: a
            # school with more languages has more layouts.
            elapsed = time.perf_counter() - started
            left = elapsed / progress.laid_out * (progress.layouts - progress.laid_out)
            files = sum(len(r.written) for r in run.results)
            verdict = "FAILED" if run.status == "failed" else f"{files} files"
            print(f"[{progress.done:>{len(str(len(pending)))}}/{len(pending)}] {run.slug}: "
                  f"{verdict}, {run.seconds:.1f} s of work · "
                  f"{progress.laid_out / progress.layouts:.0%} of the layouts done, about "
                  f"{_duration(left)} left", flush=True)
            said()

    try:
        while not tasks.is_empty():
            ready = tasks.next_batch(block=False)
            for future in ready:
                try:
                    results = future.result()
                except Exception as exc:  # the worker died more than RETRIES times, or Dask
                    results = [JobResult(job, error=f"task lost: {type(exc).__name__}: {exc}")
                               for job in owner[future.key]]
                # A finished task's inputs (its schools' logos among them) and result stay
                # in a worker's memory for as long as the client holds its future.
                future.release()
                for result in results:
                    take(result)
            for result in finished_results(finished):
                take(result)
            if not ready:
                time.sleep(POLL)
    except KeyboardInterrupt:
        # Every school whose files are done is kept, though its task was still running.
        results = [r for r in finished_results(finished) if r.job.name not in taken]
        if results:
            print("stopping: the schools whose files are done are moved into place first "
                  "(Ctrl-C again to stop after the next one)", flush=True)
        for result in results:
            take(result)
        raise


def finished_results(folder: Path) -> list[JobResult]:
    """The results the tasks wrote since the last look, each read once (its file then goes)."""
    from kit.pdf.produce import FINISHED_SUFFIX

    results = []
    for path in sorted(folder.glob(f"*{FINISHED_SUFFIX}")):
        results.append(pickle.loads(path.read_bytes()))
        path.unlink()
    return results


@dataclass
class Progress:
    """What the heartbeat says: the workers starting, then the layouts and schools done."""

    schools: int
    layouts: int
    laid_out: int = 0
    done: int = 0
    working: bool = False

    def line(self) -> str:
        if not self.working:
            return "… starting the workers"
        return (f"… {self.laid_out} of {self.layouts} layouts done, {self.done} of "
                f"{self.schools} schools finished")


# A line at least this often, when nothing else was said, so a batch never looks stuck.
HEARTBEAT = 3  # seconds
# How often the batch looks for finished tasks and schools when none came in.
POLL = 0.25  # seconds
# Where the tasks write each finished job's result (inside the staging folder).
FINISHED = ".finished"


@contextmanager
def heartbeat(progress: Callable[[], str],
              every: float = HEARTBEAT) -> Iterator[Callable[[], None]]:
    """Print `progress()` whenever nothing was said for `every` seconds, until the block ends.

    Yields the function to call after saying something else.
    """
    stop = threading.Event()
    last = [time.monotonic()]

    def beat() -> None:
        while not stop.wait(max(0.0, last[0] + every - time.monotonic())):
            if time.monotonic() - last[0] >= every:
                print(progress(), flush=True)
                last[0] = time.monotonic()

    thread = threading.Thread(target=beat, name="kit-progress", daemon=True)
    thread.start()
    try:
        yield lambda: last.__setitem__(0, time.monotonic())
    finally:
        stop.set()
        thread.join()


def chunk_size(schools: int, workers: int) -> int:
    """How many schools share the department's pages in one task.

    A large network shares them among `SHARED_CHUNK` schools; a small one is
    cut into at least two chunks a worker, so every worker has its share.
    """
    return max(1, min(SHARED_CHUNK, math.ceil(schools / (2 * max(1, workers)))))


def finish_school(run: SchoolRun, loaded: Loaded, state: dict, keys: dict[str, str], out: Path,
                  moved: bool) -> None:
    """Move a school's new files into place with its records, zip and site; or keep the old."""
    if any(r.error for r in run.results):
        run.status = "failed"  # its previous files, if any, stay as they were
        return
    school = loaded.schools[run.slug]
    written = [w for r in run.results for w in r.written] if moved else []
    place_files(written, keys, state, out)
    if moved:
        run.status = "built"
    try:
        record_entries(run.jobs, state, loaded)
        languages = [SOURCE_LANGUAGE, *school.languages]
        pruned = prune_school(out, school, languages, loaded, state)
        if moved or pruned or not (out / pack_path(run.slug)).exists():
            seal_pack(out, run.slug, languages, state)
        write_state(out, state, {state_shard(pack_path(run.slug))})
    except OSError as exc:
        raise PartlyWritten(exc, len(written)) from None
    entries = [state[o.path]["entry"] for j in run.jobs for o in j.outputs]
    publish_site(out, run.slug, [e for e in entries if not e.get("stale")], loaded)
    # The hand-offs hold the site too, so they come after it.
    try:
        seal_handoffs(out, pack_leaflets(loaded, school), school, state)
        write_state(out, state, {state_shard(pack_path(run.slug))})
    except OSError as exc:
        raise PartlyWritten(exc, len(written)) from None


def write_index(out: Path, loaded: Loaded, runs: dict[str, SchoolRun]) -> None:
    """`schools/index.html` for the staff, and `schools/report.csv` of every school."""
    state = read_state(out)
    rows = []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    for slug, school in sorted(loaded.schools.items(), key=lambda s: s[1].name.lower()):
        run = runs[slug]
        paths = [o.path for j in run.jobs for o in j.outputs]
        pages = sum(state.get(p, {}).get("pages") or 0 for p in paths)
        built = (out / pack_path(slug)).exists()  # this batch's pack, or an earlier one
        rows.append({"slug": slug, "name": school.name, "built": built,
                     "languages": " ".join([SOURCE_LANGUAGE, *school.languages]),
                     "handoffs": [(label, zip_path(slug, name).removeprefix("schools/"))
                                  for name, label in HANDOFFS.items()
                                  if (out / zip_path(slug, name)).exists()]})
        # Opened in Excel by the staff: a name like `=HYPERLINK(…)` stays text.
        writer.writerow([csv_cell(v) for v in (slug, school.name, run.status, len(paths), pages,
                                               f"{run.seconds:.1f}", " | ".join(run.problems))])
    words = loaded.library.shared.web
    html = make_environment().get_template("web/schools.html").render(words=words, rows=rows)
    write_text_atomic(out / INDEX, html)
    write_text_atomic(out / REPORT, buffer.getvalue())
    write_text_atomic(out / "schools/style.css", (STYLES_DIR / "web.css").read_text("utf-8"))
    # The Latin face, cut down to the index's characters, like every site's fonts.
    shutil.rmtree(out / "schools/fonts", ignore_errors=True)
    write_fonts(out / "schools", html, [SOURCE_LANGUAGE], out / FONT_CACHE)


def write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, text.encode("utf-8"))


def _schools(count: int) -> str:
    return f"{count} school" if count == 1 else f"{count} schools"


def _duration(seconds: float) -> str:
    minutes, rest = divmod(int(seconds + 0.5), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"

