"""The entry points a worker process runs, importable without importing litellm.

A parallel run's own process only schedules, journals and reports: it never runs a cell, so
it must not pay for importing litellm and instructor (seconds of CPU each time). The
forkserver imports them once (harness.run.worker, preloaded) and every worker forks from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.cells import Cell
    from harness.run.settings import RunSettings

# What the forkserver imports once for every worker: the harness's worker (litellm and
# instructor with it) and what their first calls would load in each worker (harness/run/warm.py).
PRELOAD = ("harness.run.warm",)


def init(settings: RunSettings, parent: int | None = None) -> None:
    """harness.run.worker.init, in the worker."""
    from harness.run import worker

    worker.init(settings, parent)


def attempt(cell: Cell, kind: str) -> dict[str, Any]:
    """harness.run.worker.attempt, in the worker."""
    from harness.run import worker

    return worker.attempt(cell, kind)


def declared(models: list[str]) -> dict[str, tuple[tuple[str, bool | None], ...]]:
    """litellm's declared capabilities of `models`, looked up where litellm is loaded."""
    from harness.matrix.declared import declared_capabilities

    return {model: declared_capabilities(model) for model in models}
