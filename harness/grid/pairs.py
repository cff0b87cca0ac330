"""Running the pairs: each pair's environment, then the harness's own replay inside it."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from harness.errors import ResultsFileError
from harness.grid.build import BuildError, Env, Uv, ensure_env
from harness.grid.cache import package_dir
from harness.grid.procs import Children, Finished, Interrupted, child_env
from harness.grid.versions import Pair
from harness.results import RunResults, load_results

OK, RUN_FAILED, INTERRUPTED, NOT_RUN = "ok", "run failed", "interrupted", "not run"


@dataclass
class PairOutcome:
    """What became of one pair: its status, why, its environment, its replay's results."""

    pair: Pair
    status: str  # ok, not installable, build failed, run failed, interrupted, not run
    reason: str = ""
    forced: bool = False
    conflict: str = ""  # a forced pair: the resolver's reason
    unmet: tuple[str, ...] = ()
    env: str = ""
    env_cached: bool | None = None
    build_s: float = 0.0
    run_s: float = 0.0
    exit_code: int | None = None
    results: RunResults | None = None


@dataclass(frozen=True)
class GridSettings:
    """Where a grid reads and writes, and how it builds."""

    out: Path
    cassettes: Path
    cache: Path
    shim: Path  # the PYTHONPATH entry holding only the harness package
    requirements: tuple[str, ...]
    force: bool = False
    shard: str | None = None  # each pair replays only this shard of the cells ('i/n')


def pair_dir(out: Path, pair: Pair) -> Path:
    """The folder of one pair's own results and replay log."""
    return out / "pairs" / pair.id


def make_shim(folder: Path) -> Path:
    """`folder`, holding only a link to the running harness package: the env's PYTHONPATH.

    The environment sees the harness and nothing else of the host (not its site-packages),
    whether the harness runs from a checkout or from an installed wheel.
    """
    link = folder / "harness"
    try:
        link.symlink_to(package_dir(), target_is_directory=True)
    except OSError:  # no symlinks here (Windows without the privilege): a copy does as well
        shutil.copytree(package_dir(), link, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def replay(env: Env, folder: Path, settings: GridSettings, children: Children) -> Finished:
    """`python -m harness.cli run` in the pair's environment: the same replay code everywhere."""
    args = [str(env.python), "-m", "harness.cli", "run", "--out", str(folder),
            "--cassettes", str(settings.cassettes),
            *(["--shard", settings.shard] if settings.shard else [])]
    environ = child_env({"PYTHONPATH": str(settings.shim), "PYTHONNOUSERSITE": "1"},
                        drop=("PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"))
    return children.run(args, env=environ, log=folder / "replay.log")


def _last_error(output: str, code: int) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:") or "Error" in line]
    text = (errors or lines or [""])[-1]
    return f"the replay exited {code}: {text}"[:400]


def run_pair(pair: Pair, settings: GridSettings, uv: Uv, children: Children,
             step: Callable[[Pair, str], None]) -> PairOutcome:
    """Build (or reuse) the pair's environment, replay in it, read its results."""
    start = time.monotonic()
    try:
        step(pair, "environment")
        env = ensure_env(pair, list(settings.requirements), settings.cache, uv, settings.force)
    except BuildError as exc:
        return PairOutcome(pair, exc.status, exc.reason, build_s=time.monotonic() - start)
    built = time.monotonic()
    outcome = PairOutcome(pair, OK, forced=env.forced, conflict=env.conflict, unmet=env.unmet,
                          env=str(env.path), env_cached=env.cached, build_s=built - start)
    folder = pair_dir(settings.out, pair)
    folder.mkdir(parents=True, exist_ok=True)
    # A results file left by an earlier grid must never pass for this run's.
    (folder / "results.json").unlink(missing_ok=True)
    step(pair, "replay (cached environment)" if env.cached else "replay")
    done = replay(env, folder, settings, children)
    outcome.run_s, outcome.exit_code = time.monotonic() - built, done.code
    try:
        outcome.results = load_results(folder / "results.json")
    except ResultsFileError:
        outcome.status, outcome.reason = RUN_FAILED, _last_error(done.output, done.code)
        return outcome
    if done.code == 130 or outcome.results.run.get("interrupted"):
        outcome.status, outcome.reason = INTERRUPTED, "the replay was interrupted"
    return outcome


def guarded(job: Callable[[Pair], PairOutcome]) -> Callable[[Pair], PairOutcome]:
    """`job`, with an interruption or an unexpected error recorded as the pair's outcome."""
    def run(pair: Pair) -> PairOutcome:
        try:
            return job(pair)
        except Interrupted:
            return PairOutcome(pair, INTERRUPTED, "interrupted (Ctrl-C)")
        except Exception as exc:  # one pair's failure must not stop the others
            return PairOutcome(pair, RUN_FAILED, f"{type(exc).__name__}: {exc}"[:400])
    return run


# How often the waiting main thread wakes: Python handles signals in the main thread only,
# and a Ctrl-C the kernel hands to a pool thread (a process-directed signal may go to any
# thread that does not block it) would otherwise wait for the next pair to finish.
WAKE_S = 0.2


def _completed(futures: dict[Future[PairOutcome], Pair],
               pairs: Sequence[Pair]) -> Iterator[Future[PairOutcome]]:
    """The futures as they complete (those completing together in pair order), waking every
    WAKE_S so that a pending Ctrl-C is raised promptly."""
    pending = set(futures)
    while pending:
        finished, pending = wait(pending, timeout=WAKE_S, return_when=FIRST_COMPLETED)
        yield from sorted(finished, key=lambda f: pairs.index(futures[f]))


def run_all(pairs: Sequence[Pair], job: Callable[[Pair], PairOutcome], workers: int,
            children: Children, done: Callable[[PairOutcome], None]
            ) -> tuple[list[PairOutcome], bool]:
    """Run `job` on every pair, `workers` at once; on Ctrl-C keep what finished.

    Returns the outcomes in pair order (unstarted pairs as 'not run') and whether interrupted.
    """
    outcomes: dict[Pair, PairOutcome] = {}
    interrupted = False
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="grid") as pool:
        futures: dict[Future[PairOutcome], Pair] = {pool.submit(guarded(job), p): p
                                                    for p in pairs}
        try:
            for future in _completed(futures, pairs):
                outcomes[futures[future]] = future.result()
                done(outcomes[futures[future]])
        except KeyboardInterrupt:
            interrupted = True
            children.stop()  # running pairs end now; the pool refuses nothing, so cancel
            for future in futures:
                future.cancel()
    for future, pair in futures.items():
        if pair not in outcomes:
            outcomes[pair] = (PairOutcome(pair, NOT_RUN, "not started: interrupted (Ctrl-C)")
                              if future.cancelled() else future.result())
    return [outcomes[p] for p in pairs], interrupted
