"""Command `grid`: replay the cassettes under every (instructor, litellm) release pair."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from harness.commands.common import CassetteOpt, OutOpt, ShardOpt, console, say
from harness.errors import HarnessError

if TYPE_CHECKING:
    from harness.grid.pairs import PairOutcome
    from harness.grid.versions import Pair


@dataclass
class Plan:
    """A checked grid: its pairs, folders, requirements and the release lists behind them."""

    pairs: list[Pair]
    out: Path
    cassettes: Path
    cache: Path
    requirements: tuple[str, ...]
    force: bool
    available: dict[str, list[str]]
    notes: list[str] = field(default_factory=list)
    shard: str | None = None  # every pair replays only this shard of the cells


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def plan(instructor: list[str], litellm: list[str], cassettes: Path | None, out: Path | None,
         force: bool, shard: str | None = None) -> Plan:
    """Check every input before anything is built: one line and exit 2 on the first problem."""
    from harness.cells import parse_shard
    from harness.config import load
    from harness.grid import pypi
    from harness.grid.cache import cache_root, harness_requirements
    from harness.grid.versions import make_pairs, parse_versions, resolve
    from harness.recording.paths import DEFAULT_CASSETTE_DIR
    from harness.run.session import check_writable

    # Refusals and malformed versions first: they need no network.
    asked = {"instructor": parse_versions("instructor", instructor),
             "litellm": parse_versions("litellm", litellm)}
    if shard:
        shard = "{}/{}".format(*parse_shard(shard))
    config = load()
    # A project without cassettes of its own (this repository keeps each pack's in the pack)
    # replays the guide's shipped ones; packs fall back to theirs in every pair's replay.
    folder = cassettes or (config.cassettes if config.cassettes.is_dir()
                           else DEFAULT_CASSETTE_DIR)
    if not folder.is_dir():
        raise HarnessError(f"no cassette folder at {folder}; pass the folder to replay with "
                           f"--cassettes")
    report_dir = out or config.reports
    check_writable(report_dir, "reports", "--out")
    root = cache_root()
    lists = {lib: pypi.releases(lib, root) for lib in asked}
    chosen = {lib: resolve(asked[lib], lists[lib]) for lib in asked}
    return Plan(make_pairs(chosen["instructor"], chosen["litellm"]), report_dir.resolve(),
                folder.resolve(), root / "envs", tuple(harness_requirements()), force,
                {lib: lists[lib].available() for lib in lists},
                [r.note for r in lists.values() if r.note], shard)


def _run(p: Plan, jobs: int | None, quiet: bool) -> tuple[list[PairOutcome], bool]:
    """Every pair, `jobs` at once (default: the cores), with a progress bar."""
    from harness.grid.build import uv_runner
    from harness.grid.pairs import GridSettings, make_shim, run_all, run_pair
    from harness.grid.procs import Children
    from harness.grid.progress import GridProgress

    children = Children()
    uv = uv_runner(children)
    workers = jobs or min(len(p.pairs), os.cpu_count() or 1)
    with tempfile.TemporaryDirectory(prefix="conformance-grid-") as tmp:
        settings = GridSettings(p.out, p.cassettes, p.cache, make_shim(Path(tmp)),
                                p.requirements, p.force, p.shard)
        with GridProgress(len(p.pairs), console, quiet) as progress:
            return run_all(p.pairs,
                           lambda pair: run_pair(pair, settings, uv, children, progress.step),
                           workers, children, progress.finished)


def _meta(p: Plan, started: str, interrupted: bool) -> dict[str, Any]:
    import harness
    from harness.grid.cache import is_dev_checkout, package_dir, python_tag, sources_hash

    package = package_dir()
    return {"started_at": started, "finished_at": _now(), "harness": harness.__version__,
            "sources": sources_hash(package) if is_dev_checkout(package) else None,
            "python": python_tag(), "cassettes": str(p.cassettes), "force": p.force,
            "interrupted": interrupted,
            "instructor": sorted({pair.instructor for pair in p.pairs}),
            "litellm": sorted({pair.litellm for pair in p.pairs}), "notes": p.notes,
            **({"shard": p.shard} if p.shard else {})}


def execute(instructor: list[str], litellm: list[str], cassettes: Path | None = None,
            out: Path | None = None, force: bool = False, jobs: int | None = None,
            quiet: bool = False, shard: str | None = None) -> int:
    """Plan, run every pair, write grid.{json,md,html}; the exit code."""
    from harness.grid.data import grid_data, write_grid
    from harness.grid.pairs import OK

    started = _now()
    p = plan(instructor, litellm, cassettes, out, force, shard)
    for note in p.notes:
        say(note)
    outcomes, interrupted = _run(p, jobs, quiet)
    paths = write_grid(grid_data(outcomes, _meta(p, started, interrupted), p.available), p.out)
    ran = sum(o.status == OK for o in outcomes)
    say(f"{ran} of {len(outcomes)} pairs replayed. Wrote " + ", ".join(str(x) for x in paths))
    if interrupted:
        console.print("[bold yellow]interrupted: the finished pairs are in the grid; run the "
                      "same command again for the rest (environments stay cached)[/]",
                      highlight=False)
        return 130
    # A pair that could not be installed is a finding; one that failed to build or run is not.
    failed = [o for o in outcomes if o.status not in (OK, "not installable")]
    return 1 if failed else 0


def grid(instructor: list[str] = typer.Option(..., "--instructor", help="instructor "
                                              "releases, comma-separated (repeatable)."),
         litellm: list[str] = typer.Option(..., "--litellm", help="litellm releases, "
                                           "comma-separated (repeatable)."),
         cassettes: Path | None = CassetteOpt, out: Path | None = OutOpt,
         force: bool = typer.Option(False, "--force", help="Install pairs whose requirements "
                                    "conflict anyway (litellm's pins win); the grid marks "
                                    "them forced."),
         jobs: int | None = typer.Option(None, "--jobs", "-j", min=1, help="Pairs at once "
                                         "(default: the number of cores)."),
         quiet: bool = typer.Option(False, "--quiet", "-q", help="Plain lines, no progress "
                                    "bar."),
         shard: str | None = ShardOpt) -> None:
    """Replay the cassettes under every (instructor, litellm) pair; where cells broke or were
    fixed."""
    raise typer.Exit(execute(instructor, litellm, cassettes, out, force, jobs, quiet, shard))


def register(app: typer.Typer) -> None:
    """Add `grid`."""
    app.command("grid")(grid)
