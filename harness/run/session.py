"""One run over many cells: plan, schedule (a per-provider limit), retry, journal, progress.

The same code path serves replays, emulator recordings and live runs: each attempt is
`Runner.run_cell`; only the RunSettings' target differs.
"""

from __future__ import annotations

import contextlib
import heapq
import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from harness.cells import Cell
from harness.errors import HarnessError
from harness.providers import get_provider
from harness.recording.cassette import read_cassette
from harness.recording.paths import cassette_path
from harness.results import CellResult
from harness.run import journal, pool
from harness.run.progress import RunProgress
from harness.run.retry import RetryBudget, RetryPolicy
from harness.run.settings import RunSettings
from harness.run.targets import check_record_mode, missing_credentials
from harness.secrets.record import register_secret
from harness.secrets.variables import url_secrets


@dataclass
class SessionOptions:
    """How cells are scheduled, retried, journaled and shown."""

    record_mode: str = "rewrite"
    jobs: int = 1  # worker processes (1: run in this process)
    per_provider: int = 1  # attempts in flight per provider
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    resume: bool = False
    quiet: bool = False
    verbose: bool = False


@dataclass
class SessionResult:
    """Every selected cell that finished, and how the run went."""

    cells: dict[str, CellResult]
    interrupted: bool = False
    resumed: int = 0  # cells taken from the journal
    retries: int = 0


def plan(cells: list[Cell], settings: RunSettings,
         options: SessionOptions) -> list[tuple[Cell, str]]:
    """(cell, kind) to run: kind 'replay' for a cassette `once` keeps, else 'target'.

    Existing cassettes a record mode reads are checked first: a corrupt one is a one-line
    error before anything runs or is written.
    """
    check_record_mode(options.record_mode)
    out = []
    for cell in cells:
        path = cassette_path(settings.cassette_dir, cell.provider, cell.mode, cell.scenario)
        recording = settings.target != "replay"
        if recording and options.record_mode in ("once", "new_episodes", "all") \
                and path.is_file():
            # One-line error on a corrupt cassette, before anything runs or is written.
            read_cassette(path, fix="delete it or re-record with --record-mode rewrite")
            if options.record_mode == "once":
                out.append((cell, "replay"))
                continue
        out.append((cell, "target"))
    return out


class _Inline:
    """Attempts in this process, one at a time."""

    def __init__(self, settings: RunSettings) -> None:
        from harness.run import worker  # litellm: only a process running cells imports it

        self.worker = worker
        worker.init(settings)

    def submit(self, cell: Cell, kind: str) -> Future:
        future: Future = Future()
        future.set_result(self.worker.attempt(cell, kind))
        return future

    def shutdown(self) -> None:
        self.worker.close()


class _Pool:
    """Attempts in worker processes (forkserver: no inherited threads; litellm imported once,
    by the forkserver, and neither by this process nor by each worker)."""

    def __init__(self, jobs: int, settings: RunSettings) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(pool.PRELOAD))
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                        initializer=pool.init,
                                        initargs=(settings, os.getpid()))

    def submit(self, cell: Cell, kind: str) -> Future:
        return self.pool.submit(pool.attempt, cell, kind)

    def declared(self, models: list[str]) -> None:
        """Have a worker look litellm's declared capabilities up for the reports."""
        from harness.matrix.declared import remember

        with contextlib.suppress(Exception):  # else the reports look them up themselves
            remember(self.pool.submit(pool.declared, models).result(timeout=120))

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def _crashed(cell: Cell, exc: BaseException, target: str) -> CellResult:
    return CellResult(cell.provider, cell.mode, cell.scenario, "error", layer="harness",
                      exception_type=type(exc).__name__, target=target,
                      message=f"the worker process running this cell died ({exc}); "
                              f"rerun with --resume")


def run_session(cells: list[Cell], settings: RunSettings, options: SessionOptions,
                out_dir: Path, console: Console, run_info: dict[str, Any]) -> SessionResult:
    """Run `cells`, journaling each as it ends; a Ctrl-C keeps every finished cell."""
    for secret in url_secrets(settings.base_url or ""):
        register_secret(secret)  # this process writes the journal and results: it must know
    work = plan(cells, settings, options)
    path = journal.journal_path(out_dir)
    done: dict[str, CellResult] = {}
    if options.resume:
        before, journaled = journal.load(path)
        if before.get("target") not in (None, settings.target):
            raise HarnessError(f"{path}: this journal is from a run with target "
                               f"{before['target']!r}, not {settings.target!r}; resume with the "
                               f"same command, or run without --resume")
        selected = {c.cell_id for c in cells}
        done = {k: v for k, v in journaled.items() if k in selected and v.outcome != "skipped"}
        work = [(c, k) for c, k in work if c.cell_id not in done]
    else:
        journal.start(path, run_info)
    if settings.target == "live":
        for name in dict.fromkeys(c.provider for c, _ in work):
            missing = missing_credentials(get_provider(name))
            if missing:
                console.print(f"skipping {name}: no credentials; set {', '.join(missing)}",
                              highlight=False, markup=False, soft_wrap=True)
    results = dict(done)
    budget = RetryBudget(options.retry)
    executor: Any = _Inline(settings) if options.jobs <= 1 else _Pool(options.jobs, settings)
    interrupted = False
    with RunProgress(len(work), console, options.quiet, options.verbose) as progress:
        if done:
            progress.message(f"resuming: {len(done)} cell(s) already in {path}")
        try:
            _schedule(work, executor, options, settings, budget, progress, path, results)
            if isinstance(executor, _Pool):
                executor.declared(sorted({r.model for r in results.values() if r.model}))
        except KeyboardInterrupt:
            interrupted = True
        finally:
            executor.shutdown()
    return SessionResult(results, interrupted, len(done), budget.spent)


WAKE_S = 0.2  # the longest the scheduling main thread waits before it looks again


def _schedule(work: list[tuple[Cell, str]], executor: Any, options: SessionOptions,
              settings: RunSettings, budget: RetryBudget, progress: RunProgress,
              path: Path, results: dict[str, CellResult]) -> None:
    pending = deque(work)
    waiting: list[tuple[float, int, Cell, str]] = []  # (ready at, order, cell, kind)
    running: dict[Future, tuple[Cell, str]] = {}
    in_flight: Counter[str] = Counter()
    order = 0
    while pending or waiting or running:
        now = time.monotonic()
        while waiting and waiting[0][0] <= now:
            _, _, cell, kind = heapq.heappop(waiting)
            pending.appendleft((cell, kind))
        for item in list(pending):
            if len(running) >= max(1, options.jobs):
                break
            if in_flight[item[0].provider] >= max(1, options.per_provider):
                continue
            pending.remove(item)
            in_flight[item[0].provider] += 1
            running[executor.submit(*item)] = item
        if not running:
            time.sleep(max(0.0, waiting[0][0] - time.monotonic()))
            continue
        # Never block longer than WAKE_S: Python raises a Ctrl-C in the main thread only, and
        # the kernel may hand the signal to another thread (the pool's own).
        timeout = min(WAKE_S, max(0.0, waiting[0][0] - time.monotonic())) if waiting \
            else WAKE_S
        finished, _ = wait(list(running), timeout=timeout, return_when=FIRST_COMPLETED)
        for future in finished:
            cell, kind = running.pop(future)
            in_flight[cell.provider] -= 1
            try:
                result = CellResult.from_dict(future.result())
            except BrokenProcessPool as exc:
                result = _crashed(cell, exc, settings.target)
            delay = budget.decide(result.cell_id, result.metrics, result.target)
            if delay is not None:
                progress.retrying(result.cell_id, str(result.metrics.get("transient")), delay)
                order += 1
                heapq.heappush(waiting, (time.monotonic() + delay, order, cell, kind))
                continue
            budget.stamp(result)
            if kind == "replay":
                result.notes.append(f"kept the existing cassette (record mode "
                                    f"{options.record_mode}): replayed, not re-recorded")
            journal.append(path, result, durable=settings.target != "replay")
            results[result.cell_id] = result
            progress.finished(result)


def check_writable(folder: Path, what: str, option: str, names: Iterable[str] = ()) -> None:
    """A one-line HarnessError when `folder` cannot be created or written, or when one of the
    file `names` to be written there is taken by something that is not a regular file."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise HarnessError(f"cannot write {what} to {folder}: {exc.strerror or exc}; pass a "
                           f"writable folder with {option}") from None
    for name in names:
        target = folder / name
        # Checked before the run: a rename onto a folder fails only after every cell ran.
        if target.exists() and not target.is_file():
            kind = "a directory" if target.is_dir() else "not a regular file"
            raise HarnessError(f"cannot write {what} to {folder}: {name} is {kind}; remove it "
                               f"or pass another folder with {option}")
