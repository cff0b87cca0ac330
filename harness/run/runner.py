"""Run cells: replay (default), record against the emulators, or record live.

A cell is: route (which URL and credentials), run under its cassette, gather the evidence,
decide (harness.verdict.pipeline). The Runner owns one Recorder (a VCR and the state of the
cell's cassette) and one event loop for async scenarios.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from harness import __version__
from harness.cells import Cell
from harness.emulators.server import emulator_host
from harness.errors import CassetteMissingError, MissingCredentialsError, NoEmulatorError
from harness.modes import get_mode
from harness.providers import Provider, get_provider
from harness.recording.cassette import CellCassette
from harness.recording.evidence import transient_reason
from harness.recording.netguard import block_network
from harness.recording.paths import REPO_ROOT, cassette_path
from harness.recording.timing import client_timing
from harness.recording.vcr_setup import Recorder
from harness.results import CellResult
from harness.run.targets import live_base_url
from harness.scenarios import get_scenario
from harness.scenarios.base import Observation
from harness.scenarios.execute import run_scenario
from harness.secrets.variables import secret_values
from harness.verdict.pipeline import CellEvidence, Verdict, decide
from harness.versions import library_versions

TargetKind = Literal["replay", "emulator", "live"]
# Replays never connect; '.invalid' can never resolve, so a leak fails loudly, not silently.
REPLAY_ROOT = "http://replay.invalid"


@dataclass
class RunSettings:
    """How a run reaches its target and where its cassettes live."""

    target: TargetKind = "replay"
    cassette_dir: Path = REPO_ROOT / "cassettes"
    model: str | None = None  # overrides each provider's default model (live/emulator)
    drop_params: bool = False
    base_url: str | None = None  # live: call this root instead of the provider's own URL
    timeout: float | None = None  # per-request timeout (s) for live/emulator calls
    # What recording does with an existing cassette (pytest-recording's modes, see README):
    # rewrite/once/none record afresh (none saves nothing), all and new_episodes load it.
    record_mode: str = "rewrite"


@dataclass
class Attempt:
    """What one run of a cell left behind: the observation, the error, the vcrpy cassette."""

    observation: Observation = field(default_factory=Observation)
    error: BaseException | None = None
    cassette: Any = None
    model: str = ""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


class Runner:
    """Runs cells one at a time in this process; async cells share one event loop."""

    def __init__(self, settings: RunSettings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        record_mode = "none" if settings.target == "replay" else (
            settings.record_mode if settings.record_mode in ("all", "new_episodes")
            else "new_episodes")
        self.recorder = Recorder(record_mode)
        self.versions = library_versions()

    def close(self) -> None:
        """Release the event loop, as asyncio.run does: cancel what litellm left running (its
        logging worker) and finalise async generators, or they warn when collected."""
        pending = asyncio.all_tasks(self.loop)
        for task in pending:
            task.cancel()
        if pending:
            self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()

    def run_cell(self, cell: Cell) -> CellResult:
        """Run one cell; never raises for a failing cell: the failure is the result."""
        start = time.perf_counter()
        provider = get_provider(cell.provider)
        state = CellCassette(cassette_path(self.settings.cassette_dir, cell.provider,
                                           cell.mode, cell.scenario), wire=provider.wire)
        attempt = Attempt()
        with self.recorder.cell(state):
            try:
                self._attempt(cell, provider, state, attempt, start)
            except Exception as exc:  # a failing cell is a result, never a crash
                attempt.error = exc
                self._keep_refusal(attempt)
        pairs = _pairs(attempt.cassette)  # the interactions this cell used, read once
        cassette = attempt.cassette
        unplayed = len(cassette) - len(cassette.play_counts) if (
            cassette is not None and self.settings.target == "replay"
            and not cassette.all_played) else 0
        evidence = CellEvidence(get_scenario(cell.scenario), attempt.observation, attempt.error,
                                pairs, self.settings.target, self._deterministic(provider, state),
                                provider.wire, unplayed, state.loaded or {})
        return self._result(cell, state, attempt, decide(evidence), start)

    def _attempt(self, cell: Cell, provider: Provider, state: CellCassette, attempt: Attempt,
                 start: float) -> None:
        """Route the call, then run the scenario under the cell's cassette."""
        if self.settings.target == "replay" and not state.path.is_file():
            raise CassetteMissingError(
                f"no cassette for {cell.provider}/{cell.mode}/{cell.scenario} at "
                f"{_relative(state.path)}: run 'conformance record --provider {cell.provider} "
                f"--mode {cell.mode} --scenario {cell.scenario}'")
        if provider.before_cell is not None:
            provider.before_cell()
        attempt.model, kwargs = self._call_kwargs(provider, state)
        self._prepare_recording(cell, provider, state, attempt.model, kwargs)
        guard = block_network() if self.settings.target == "replay" else contextlib.nullcontext()
        scenario, mode = get_scenario(cell.scenario), get_mode(cell.mode)
        with self.recorder.vcr.use_cassette(str(state.path)) as cassette, guard:
            attempt.cassette = cassette
            try:
                run_scenario(scenario, mode.mode, attempt.model, kwargs, self.loop,
                             attempt.observation)
                if self.settings.target == "live":
                    # Real end-to-end latency, kept with the cassette. Not the time to first
                    # partial: vcrpy reads a whole response before handing it over while
                    # recording (benchmarks/live_timing.py measures that without vcrpy).
                    state.pending["measured"] = client_timing(time.perf_counter() - start, None)
            except Exception as exc:
                self._discard_if_transient(state, exc, cassette)
                raise
            except BaseException:  # Ctrl-C, a worker stopped: never save half a cell
                state.discard = True
                raise

    def _keep_refusal(self, attempt: Attempt) -> None:
        # Nothing reached the wire (litellm refused the call): vcrpy saves no empty cassette,
        # so save one and the replay reproduces the refusal.
        cassette = attempt.cassette
        if cassette is not None and self.settings.target != "replay" and not len(cassette):
            cassette._save(force=True)

    def _result(self, cell: Cell, state: CellCassette, attempt: Attempt, verdict: Verdict,
                start: float) -> CellResult:
        replay = self.settings.target == "replay"
        provenance = state.loaded or {}
        finished = _now()
        return CellResult(
            cell.provider, cell.mode, cell.scenario, verdict.outcome,  # type: ignore[arg-type]
            layer=verdict.layer, exception_type=verdict.exception_type,  # type: ignore[arg-type]
            message=verdict.message, target=self.settings.target, model=attempt.model,
            cassette=_relative(state.path), duration_s=round(time.perf_counter() - start, 4),
            metrics=verdict.metrics, sent=verdict.sent, notes=verdict.notes,
            versions=self.versions, finished_at=finished,
            recorded_at=provenance.get("recorded_at") or (None if replay else finished),
            recorded_against=provenance.get("target") if replay else self.settings.target)

    def _call_kwargs(self, provider: Provider, state: CellCassette) -> tuple[str, dict[str, Any]]:
        """(model string, litellm kwargs) for the cell's target."""
        model, kwargs = self._route(provider, state)
        if self.settings.drop_params:
            kwargs["drop_params"] = True
        # The harness retries whole cells (harness.run.retry); the SDKs' own retries would
        # record failed attempts into the cassette and hide faults from the result.
        kwargs.setdefault("num_retries", 0)
        if self.settings.timeout and self.settings.target != "replay":
            kwargs["timeout"] = self.settings.timeout
        return model, kwargs

    def _route(self, provider: Provider, state: CellCassette) -> tuple[str, dict[str, Any]]:
        kind = self.settings.target
        if kind == "replay":
            provenance = state.provenance()
            model = provenance.get("model") or provider.model_string()
            # Recorded non-secret kwargs (e.g. a live api_version), re-routed to nowhere.
            return model, {**provider.extra_kwargs, **provenance.get("call", {}),
                           **provider.point_at(REPLAY_ROOT),
                           **provider.fake_credentials(REPLAY_ROOT)}
        model = provider.model_string(self.settings.model)
        if kind == "emulator":
            if provider.emulator is None:
                raise NoEmulatorError(
                    f"provider {provider.name!r} has no emulator: record it live with "
                    f"'conformance record --live --provider {provider.name}'")
            root = emulator_host().url(provider.name, provider.emulator)
            return model, {**provider.extra_kwargs, **provider.point_at(root),
                           **provider.fake_credentials(root)}
        missing = [v for v in provider.credentials if not os.environ.get(v)]
        if missing:
            raise MissingCredentialsError(provider.name, missing)
        kwargs = dict(provider.extra_kwargs)
        base = live_base_url(provider.name, self.settings.base_url)
        if base:  # a proxy, a regional endpoint, or an emulator standing in for the provider
            kwargs.update(provider.point_at(base))
        return model, kwargs

    def _deterministic(self, provider: Provider, state: CellCassette) -> bool:
        """Exact answers from emulators; a live model (or its replay) is judged by facts."""
        if not provider.deterministic or self.settings.target == "live":
            return False
        if self.settings.target == "replay":
            return (state.loaded or {}).get("target") != "live"
        return True

    def _discard_if_transient(self, state: CellCassette, exc: BaseException,
                              cassette: Any) -> None:
        """A transient failure (429, 5xx, reset, timeout) is retried, never recorded."""
        if self.settings.target == "replay" or not transient_reason(exc, _pairs(cassette)):
            return
        state.discard = True
        if self.settings.record_mode == "rewrite" and state.path.is_file():
            state.path.unlink()  # rewrite never leaves the previous recording in place

    def _prepare_recording(self, cell: Cell, provider: Provider, state: CellCassette,
                           model: str, kwargs: dict[str, Any]) -> None:
        if self.settings.target == "replay":
            return
        # Record modes other than all/new_episodes never load the old file; it is replaced
        # on save, and `none` (a dry run: validate) writes nothing at all.
        state.fresh = self.settings.record_mode not in ("all", "new_episodes")
        state.discard = self.settings.record_mode == "none"
        if self.settings.target == "live":
            state.secrets = secret_values(provider.credentials)
        # Only static non-secret kwargs are kept: routing and credentials never reach disk.
        call = {k: v for k, v in kwargs.items() if k in provider.extra_kwargs}
        state.pending = {
            "target": self.settings.target, "provider": cell.provider, "model": model,
            "mode": cell.mode, "scenario": cell.scenario, "recorded_at": _now(),
            "harness": __version__, "versions": self.versions, "call": call,
        }


def _pairs(cassette: Any) -> list[tuple[Any, Any]]:
    """The interactions this cell used: replayed ones, then the ones it recorded."""
    if cassette is None:
        return []
    played = [cassette.data[i] for i in sorted(cassette.play_counts)]
    loaded = getattr(cassette, "_loaded_count", 0)
    recorded = list(cassette.data[loaded:]) if cassette.record_mode != "none" else []
    return played + recorded
