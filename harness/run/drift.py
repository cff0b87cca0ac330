"""Spotting a drifted replay in a finished attempt, and the words that report it."""

from __future__ import annotations

from typing import Any

from harness.cells import Cell
from harness.failures import is_replay_miss
from harness.recording.cassette import CellCassette
from harness.recording.drift import Drift, describe, unmatched


def drift_of(error: BaseException | None, cassette: Any, state: CellCassette,
             mode: str) -> Drift | None:
    """The drift behind a replay miss: the presented request no recorded one matches."""
    if error is None or cassette is None or state.wire is None or not is_replay_miss(error):
        return None
    recorded = list(getattr(cassette, "requests", []))
    request = unmatched(state.presented, recorded, state.wire)
    return describe(request, recorded, state.wire, mode) if request is not None else None


def record_command(cell: Cell, live: bool) -> str:
    """The command that records `cell` again."""
    return (f"conformance record {'--live ' if live else ''}--record-mode rewrite "
            f"-p {cell.provider} -m {cell.mode} -s {cell.scenario}")


def drift_message(cell: Cell, drift: Drift, strict: bool, origin: Any) -> str:
    """The cell's message for a drift that is not re-answered."""
    versions = ", ".join(f"{k} {v}" for k, v in drift.recorded_with.items())
    now = ", ".join(f"{k} {v}" for k, v in drift.replayed_with.items())
    what = (f"{drift.request}: {drift.summary()} (recorded with {versions or 'unknown'}; "
            f"replayed with {now})")
    if strict:
        return (f"the request drifted from the recording, and --strict-replay makes that a "
                f"failure: {what}. Re-record: {record_command(cell, origin == 'live')}")
    return (f"not measured: the request drifted from a live recording, which no emulator can "
            f"answer for the real model: {what}. Re-record live: "
            f"{record_command(cell, True)}")
