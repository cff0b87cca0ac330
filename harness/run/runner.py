"""Run cells: replay (default), record against the emulators, or record live. A cell is: route
(which URL and credentials), run under its cassette, gather the evidence, decide
(harness.verdict.pipeline). The Runner owns one Recorder (a VCR and the state of the cell's
cassette) and one event loop for async scenarios."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from harness import __version__
from harness.cells import Cell
from harness.emulators.server import emulator_host
from harness.errors import CassetteCorruptError, CassetteMissingError
from harness.modes import get_mode
from harness.providers import Provider, get_provider
from harness.recording.cassette import CellCassette
from harness.recording.drift import Drift
from harness.recording.evidence import transient_reason
from harness.recording.netguard import block_network
from harness.recording.paths import REPO_ROOT
from harness.recording.redirects import no_redirects
from harness.recording.timing import client_timing
from harness.recording.vcr_setup import Recorder
from harness.results import CellResult
from harness.run.drift import drift_message, drift_of
from harness.run.settings import RunSettings, call_kwargs, cell_cassette
from harness.scenarios import get_scenario
from harness.scenarios.base import Observation
from harness.scenarios.execute import run_scenario
from harness.secrets.record import register_secret, with_encodings
from harness.secrets.variables import secret_values, url_secrets
from harness.verdict.pipeline import CellEvidence, Verdict, decide
from harness.versions import library_versions


@dataclass
class Attempt:
    """What one run of a cell left behind: the observation, the error, the vcrpy cassette."""

    observation: Observation = field(default_factory=Observation)
    error: BaseException | None = None
    cassette: Any = None
    model: str = ""
    redirects: list[tuple[int, str, str]] = field(default_factory=list)  # answered, not followed


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


_PACKAGE_PARENT = Path(__file__).resolve().parents[2]  # where `harness/` is installed


@functools.lru_cache(maxsize=4096)
def _relative(path: Path, root: Path | None = None) -> str:
    """A cassette's path as results record it: from the project root, or (a cassette shipped
    with a pack) from the installed package's folder; never absolute (cached: it resolves)."""
    for base in (root, REPO_ROOT, _PACKAGE_PARENT):
        if base is None:
            continue
        with contextlib.suppress(ValueError):
            return str(path.resolve().relative_to(base.resolve()))
    return "/".join(path.parts[-4:])  # provider/mode/scenario.yaml under its folder


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
        for secret in url_secrets(settings.base_url or ""):
            register_secret(secret)  # a gateway key in --base-url: redacted wherever it lands
        self._reanswer: dict[str, Runner] = {}  # by model: emulator runners for drifted cells

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
        for runner in self._reanswer.values():
            runner.close()

    def run_cell(self, cell: Cell) -> CellResult:
        """Run one cell; never raises for a failing cell: the failure is the result."""
        start = time.perf_counter()
        provider = get_provider(cell.provider)
        state = CellCassette(cell_cassette(self.settings, cell.provider, cell.mode,
                                           get_scenario(cell.scenario)), wire=provider.wire)
        attempt = Attempt()
        with self.recorder.cell(state):
            try:
                self._attempt(cell, provider, state, attempt, start)
            except Exception as exc:  # a failing cell is a result, never a crash
                attempt.error = exc
                self._keep_refusal(attempt)
        drift = drift_of(attempt.error, attempt.cassette, state, cell.mode) \
            if self.settings.target == "replay" else None
        if drift is not None and not self.settings.strict_replay \
                and state.provenance().get("target") == "emulator":
            return self._reanswered(cell, provider, state, self._with_versions(drift, state))
        pairs = _pairs(attempt.cassette)  # the interactions this cell used, read once
        cassette = attempt.cassette
        unplayed = len(cassette) - len(cassette.play_counts) if (
            cassette is not None and self.settings.target == "replay"
            and not cassette.all_played) else 0
        evidence = CellEvidence(get_scenario(cell.scenario), attempt.observation, attempt.error,
                                pairs, self.settings.target, self._deterministic(provider, state),
                                provider.wire, unplayed, state.loaded or {}, attempt.redirects)
        verdict = decide(evidence)
        if drift is None:
            return self._result(cell, state, attempt, verdict, start)
        return self._unanswered(cell, state, attempt, verdict, self._with_versions(drift, state),
                                start)

    def _attempt(self, cell: Cell, provider: Provider, state: CellCassette, attempt: Attempt,
                 start: float) -> None:
        """Route the call, then run the scenario under the cell's cassette."""
        if self.settings.target == "replay" and not state.path.is_file():
            raise CassetteMissingError(
                f"no cassette for {cell.provider}/{cell.mode}/{cell.scenario} at "
                f"{self._where(state)}: run 'conformance record --provider {cell.provider} "
                f"--mode {cell.mode} --scenario {cell.scenario}'")
        if self.settings.target == "replay":
            _check_cell(state, cell, self._where(state))
        if provider.before_cell is not None:
            provider.before_cell()
        attempt.model, kwargs = call_kwargs(self.settings, provider, state)
        self._prepare_recording(cell, provider, state, attempt.model, kwargs)
        guard = block_network() if self.settings.target == "replay" else (
            block_network(allow_loopback=True) if self.settings.target == "emulator"
            else contextlib.nullcontext())
        redirects = no_redirects(attempt.redirects) if self.settings.target != "replay" \
            else contextlib.nullcontext()
        scenario, mode = get_scenario(cell.scenario), get_mode(cell.mode)
        # The emulator answers the scenario's first answers, then its expected answer, one
        # per request, whatever the prompt (a drifted replay's re-answer is an emulator run
        # too); the script starts afresh for each cell and is cleared after it.
        expected = emulator_host().expecting(cell.provider, scenario.expected,
                                             scenario.first_answers) \
            if self.settings.target == "emulator" else contextlib.nullcontext()
        with self.recorder.vcr.use_cassette(str(state.path)) as cassette, guard, redirects, \
                expected:
            attempt.cassette = cassette
            try:
                run_scenario(scenario, mode.mode, attempt.model, kwargs, self.loop,
                             attempt.observation, self._wall_clock())
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

    def _with_versions(self, drift: Drift, state: CellCassette) -> Drift:
        return replace(drift, recorded_with=_libraries(state.provenance().get("versions")),
                       replayed_with=_libraries(self.versions))

    def _unanswered(self, cell: Cell, state: CellCassette, attempt: Attempt, verdict: Verdict,
                    drift: Drift, start: float) -> CellResult:
        """A drift no emulator answers: a failure (--strict-replay) or, live, not measured."""
        strict = self.settings.strict_replay
        verdict.outcome, verdict.layer = ("error", "harness") if strict else ("skipped", None)
        verdict.exception_type = "RequestDrift"
        verdict.message = drift_message(cell, drift, strict, state.provenance().get("target"))
        result = self._result(cell, state, attempt, verdict, start)
        result.drift = drift.to_dict("failed (--strict-replay)" if strict
                                     else "not measured: re-record live")
        return result

    def _reanswered(self, cell: Cell, provider: Provider, state: CellCassette,
                    drift: Drift) -> CellResult:
        """The drifted cell run against the provider's emulator, in-process on loopback."""
        model = state.provenance().get("model") or provider.model_string()
        if model not in self._reanswer:
            self._reanswer[model] = Runner(replace(self.settings, target="emulator",
                                                   record_mode="none", model=model))
        result = self._reanswer[model].run_cell(cell)
        result.target, result.cassette = "replay", self._where(state)
        result.recorded_at = state.provenance().get("recorded_at")
        result.drift = drift.to_dict("re-answered")
        result.notes.insert(0, f"re-answered by the {cell.provider} emulator: the request "
                               f"drifted from the recording ({drift.summary()})")
        return result

    def _wall_clock(self) -> float | None:
        """--timeout bounds the whole call (streams included) when the network is real."""
        return self.settings.timeout if self.settings.target != "replay" else None

    def _where(self, state: CellCassette) -> str:
        return _relative(state.path, self.settings.project_root)

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
            cassette=self._where(state), duration_s=round(time.perf_counter() - start, 4),
            metrics=verdict.metrics, sent=verdict.sent, notes=verdict.notes,
            versions=self.versions, finished_at=finished,
            recorded_at=provenance.get("recorded_at") or (None if replay else finished),
            recorded_against=provenance.get("target") if replay else self.settings.target)

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
            state.secrets = with_encodings(secret_values(provider.credentials)
                                           | url_secrets(self.settings.base_url or ""))
        # Only static non-secret kwargs are kept: routing and credentials never reach disk.
        call = {k: v for k, v in kwargs.items() if k in provider.extra_kwargs}
        state.pending = {
            "target": self.settings.target, "provider": cell.provider, "model": model,
            "mode": cell.mode, "scenario": cell.scenario, "recorded_at": _now(),
            "harness": __version__, "versions": self.versions, "call": call,
        }


def _check_cell(state: CellCassette, cell: Cell, where: str) -> None:
    """A cassette recorded for another cell is never replayed as this one."""
    found = state.provenance()
    recorded = tuple(found.get(k) for k in ("provider", "mode", "scenario"))
    if all(recorded) and recorded != (cell.provider, cell.mode, cell.scenario):
        raise CassetteCorruptError(
            f"{where} was recorded for {'/'.join(map(str, recorded))}, not "
            f"{cell.provider}/{cell.mode}/{cell.scenario}: re-record it with 'conformance "
            f"record --provider {cell.provider} --mode {cell.mode} --scenario {cell.scenario}'")


def _libraries(versions: Any) -> dict[str, str]:
    """The versions of the libraries under test, from a versions record."""
    found = versions if isinstance(versions, dict) else {}
    return {k: str(found[k]) for k in ("instructor", "litellm") if k in found}


def _pairs(cassette: Any) -> list[tuple[Any, Any]]:
    """The interactions this cell used: replayed ones, then the ones it recorded."""
    if cassette is None:
        return []
    played = [cassette.data[i] for i in sorted(cassette.play_counts)]
    loaded = getattr(cassette, "_loaded_count", 0)
    recorded = list(cassette.data[loaded:]) if cassette.record_mode != "none" else []
    return played + recorded
