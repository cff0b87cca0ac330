"""Run cell attempts, in this process or in a worker process (one Runner per target kind).

vcrpy patches HTTP clients process-wide, so two cells recording at once must live in two
processes: cells run in parallel only across worker processes, never across threads.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import os
import signal
import threading
import time
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


def init(settings: RunSettings, parent: int | None = None) -> None:
    """Set this process up to run attempts against `settings`' target.

    A worker process (`parent` given) ends with the run that started it: a killed run must not
    leave workers recording cassettes behind it.
    """
    global _SETTINGS
    _SETTINGS = settings
    quiet_libraries()
    if settings.target == "emulator":
        from harness.emulators.server import set_latency

        set_latency(settings.emulator_latency)
    if parent is not None:  # a fresh interpreter: load the project's scenarios here too
        from harness.scenarios import configure
        configure(settings.scenario_modules, settings.builtin, settings.project_root)
    if parent is not None:
        _die_with(parent)


def _die_with(parent: int) -> None:
    # The kernel's parent-death signal reaches a worker when its direct parent (the
    # forkserver) dies; the watchdog covers the run's own process, which is not that parent.
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)

    def watch() -> None:
        while True:
            time.sleep(0.25)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)  # the run is gone: stop at once, nothing half-saved survives
            except PermissionError:
                pass

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


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
