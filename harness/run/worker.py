"""Run cell attempts, in this process or in a worker process (one Runner per target kind).

vcrpy patches HTTP clients process-wide, so two cells recording at once must live in two
processes: cells run in parallel only across worker processes, never across threads.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from harness.cells import Cell
from harness.run.runner import Runner, RunSettings

_SETTINGS: RunSettings | None = None
_RUNNERS: dict[str, Runner] = {}


def quiet_libraries() -> None:
    """Keep the libraries' own error chatter out of the run's output and logs.

    litellm prints a 'Give Feedback' banner on every error and instructor logs each failed
    attempt with the provider's raw error text (which can echo a credential); the failure is
    in the cell's result, scrubbed, so neither is needed on the console.
    """
    import logging

    import litellm

    litellm.suppress_debug_info = True
    logging.getLogger("instructor").setLevel(logging.CRITICAL)


def init(settings: RunSettings) -> None:
    """Set this process up to run attempts against `settings`' target."""
    global _SETTINGS
    _SETTINGS = settings
    quiet_libraries()


def runner_for(kind: str) -> Runner:
    """This process's Runner for `kind`: 'target' (record/live) or 'replay' (kept cassettes)."""
    assert _SETTINGS is not None, "worker.init was not called"
    if kind not in _RUNNERS:
        settings = _SETTINGS if kind == "target" else dataclasses.replace(
            _SETTINGS, target="replay", model=None, base_url=None, timeout=None)
        _RUNNERS[kind] = Runner(settings)
    return _RUNNERS[kind]


def attempt(cell: Cell, kind: str) -> dict[str, Any]:
    """One attempt at `cell`, as a plain dict (it crosses a process boundary)."""
    return runner_for(kind).run_cell(cell).to_dict()


def close() -> None:
    """Release this process's runners."""
    for runner in _RUNNERS.values():
        runner.close()
    _RUNNERS.clear()
