"""Run cells: replay (default), record against the emulators, or record live."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from harness import __version__
from harness.cells import Cell
from harness.emulators.server import emulator_host
from harness.errors import CassetteMissingError, HarnessError, MissingCredentialsError
from harness.modes import get_mode
from harness.providers import get_provider
from harness.recording import vcr_setup
from harness.recording.evidence import annotate, transient_reason
from harness.recording.netguard import block_network
from harness.recording.paths import REPO_ROOT, cassette_path
from harness.recording.timing import client_timing, response_bodies, server_timings
from harness.recording.wire_stats import interactions_stats
from harness.results import CellResult
from harness.run.targets import live_base_url
from harness.scenarios import get_scenario
from harness.scenarios.base import Observation
from harness.scenarios.execute import run_scenario
from harness.secrets.variables import secret_values
from harness.verdict.answers import blame_live_answer
from harness.verdict.classify import classify, describe
from harness.verdict.judge import delivered_matches, judge
from harness.verdict.transforms import mode_transforms
from harness.versions import library_versions

TargetKind = Literal["replay", "emulator", "live"]


class NoEmulatorError(HarnessError):
    """A live-only provider in a run against the emulators: the cell is skipped."""
# Replays never connect; '.invalid' can never resolve, so a leak fails loudly, not silently.
REPLAY_ROOT = "http://replay.invalid"
REPLAY_KEY = "replay-key"


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
        self.vcr = vcr_setup.build_vcr(record_mode)
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

    def _call_kwargs(self, cell: Cell, path: Path) -> tuple[str, dict[str, Any]]:
        """(model string, litellm kwargs) for the cell's target."""
        provider = get_provider(cell.provider)
        kind = self.settings.target
        if kind == "replay":
            provenance = _peek_provenance(path)
            model = provenance.get("model") or provider.model_string()
            # Recorded non-secret kwargs (e.g. a live api_version), re-routed to nowhere.
            kwargs = {**provider.extra_kwargs, **provenance.get("call", {}),
                      **provider.point_at(REPLAY_ROOT), **provider.fake_credentials(REPLAY_ROOT)}
            return model, kwargs
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

    def run_cell(self, cell: Cell) -> CellResult:
        """Run one cell; never raises for a failing cell: the failure is the result."""
        scenario = get_scenario(cell.scenario)
        mode = get_mode(cell.mode)
        path = cassette_path(self.settings.cassette_dir, cell.provider, cell.mode, cell.scenario)
        result = CellResult(cell.provider, cell.mode, cell.scenario, "error",
                            target=self.settings.target, cassette=_relative(path),
                            versions=self.versions)
        observation = Observation()
        start = time.perf_counter()
        cassette = None
        error: BaseException | None = None
        try:
            if self.settings.target == "replay" and not path.is_file():
                raise CassetteMissingError(
                    f"no cassette for {cell.provider}/{cell.mode}/{cell.scenario} at "
                    f"{_relative(path)}: run 'conformance record --provider {cell.provider} "
                    f"--mode {cell.mode} --scenario {cell.scenario}'")
            provider = get_provider(cell.provider)
            if provider.before_cell is not None:
                provider.before_cell()
            model, kwargs = self._call_kwargs(cell, path)
            if self.settings.drop_params:
                kwargs["drop_params"] = True
            # The harness retries whole cells (harness.run.retry); the SDKs' own retries would
            # record failed attempts into the cassette and hide faults from the result.
            kwargs.setdefault("num_retries", 0)
            if self.settings.timeout and self.settings.target != "replay":
                kwargs["timeout"] = self.settings.timeout
            result.model = model
            self._prepare_recording(cell, path, model, kwargs)
            guard = block_network() if self.settings.target == "replay" else contextlib.nullcontext()
            with self.vcr.use_cassette(str(path)) as cassette, guard:
                try:
                    run_scenario(scenario, mode.mode, model, kwargs, self.loop, observation)
                    if self.settings.target == "live":
                        # Real end-to-end latency, kept with the cassette. Not the time to first
                        # partial: vcrpy reads a whole response before handing it over while
                        # recording (benchmarks/live_timing.py measures that without vcrpy).
                        vcr_setup.PENDING_PROVENANCE.get(str(path), {})["measured"] = \
                            client_timing(time.perf_counter() - start, None)
                except Exception as exc:
                    self._discard_if_transient(path, exc, cassette)
                    raise
                except BaseException:  # Ctrl-C, a worker stopped: never save half a cell
                    vcr_setup.DISCARD.add(str(path))
                    raise
            passed, problems, metrics = judge(scenario, observation,
                                              strict=self._deterministic(provider, path))
            result.metrics.update(metrics)
            if passed:
                result.outcome, result.layer = "pass", None
            else:
                result.outcome = "fail"
                result.exception_type = "ContentMismatch"
                result.message = "; ".join(problems[:8])
                result.layer = self._fail_layer(observation, scenario.expected) \
                    if self._deterministic(provider, path) else "provider"
        except (MissingCredentialsError, NoEmulatorError) as exc:  # nothing to run it against
            result.outcome, result.layer = "skipped", None
            result.exception_type, result.message = type(exc).__name__, str(exc)
        except Exception as exc:  # a failing cell is a result, never a crash
            error = exc
            if cassette is not None and self.settings.target != "replay" and not len(cassette):
                # Nothing reached the wire (litellm refused the call): vcrpy saves no empty
                # cassette, so save one and the replay reproduces the refusal.
                cassette._save(force=True)
            stats = _stats(cassette)
            verdict = classify(exc, http_requests=stats["http_requests"],
                               error_status=stats["error_status"])
            result.outcome, result.layer = verdict.outcome, verdict.layer  # type: ignore[assignment]
            result.exception_type, result.message = describe(exc)
            if result.outcome == "error" and not self._deterministic(
                    get_provider(cell.provider), path):
                blame_live_answer(result, scenario, observation)
            passed, _, metrics = judge(scenario, observation)
            result.metrics.update({k: v for k, v in metrics.items() if k != "incremental"})
        finally:
            vcr_setup.FRESH.discard(str(path))
            vcr_setup.DISCARD.discard(str(path))
            vcr_setup.PENDING_PROVENANCE.pop(str(path), None)
        pairs = _pairs(cassette)  # the interactions this cell used, read once for all evidence
        stats = interactions_stats(pairs)
        # Wire evidence: a fault is the provider's error, never a fail; transient or not.
        annotate(result, pairs, error, vcr_setup.KNOWN_SECRETS)
        result.sent = stats.pop("sent")
        stats.pop("error_status")
        result.metrics.update(stats)
        streamed = scenario.kind in ("partial", "iterable")
        result.metrics["stream_requested"] = streamed
        # litellm answering a stream request with a plain call and a simulated stream.
        result.metrics["faked_stream"] = bool(streamed and stats["http_requests"]
                                              and not stats["http_streams"])
        result.metrics["payload_text"] = observation.delivered_text[:4000]
        timing = server_timings(response_bodies(pairs))
        measured = (vcr_setup.LOADED_PROVENANCE.get(str(path)) or {}).get("measured") \
            if self.settings.target == "replay" else None
        if timing or measured:
            result.metrics["live_timing"] = {**(measured or {}), **(timing or {})}
        result.duration_s = round(time.perf_counter() - start, 4)
        result.finished_at = _now()
        provenance = vcr_setup.LOADED_PROVENANCE.get(str(path)) or {}
        result.recorded_at = provenance.get("recorded_at") or (
            result.finished_at if self.settings.target != "replay" else None)
        if cassette is not None and self.settings.target == "replay" and not cassette.all_played:
            result.notes.append(f"{len(cassette) - len(cassette.play_counts)} recorded "
                                f"interaction(s) were not replayed: the library now makes "
                                f"fewer requests than when recorded")
        # raw_stream sends instructor's request twice by design (plain, then stream=True).
        expected_requests = 2 if scenario.kind == "raw_stream" else 1
        if stats["http_requests"] > expected_requests:
            result.notes.append(f"{stats['http_requests']} HTTP requests where "
                                f"{expected_requests} were expected (instructor retried)")
        notes, dropped = mode_transforms(
            observation.sent_kwargs[0] if observation.sent_kwargs else None, result.sent)
        result.notes.extend(notes)
        if dropped and result.outcome in ("fail", "error") and result.layer in (
                "instructor", "unknown") and result.exception_type != "ContractViolation":
            # instructor parsed what came back; the instruction it asked for never left litellm.
            result.notes.append(f"layer at fault: litellm (was {result.layer}: it raised there, "
                                f"but litellm dropped the mode's parameter)")
            result.layer = "litellm"
        return result

    def _deterministic(self, provider: Any, path: Path) -> bool:
        """Exact answers from emulators; a live model (or its replay) is judged by facts."""
        if not provider.deterministic or self.settings.target == "live":
            return False
        if self.settings.target == "replay":
            return (vcr_setup.LOADED_PROVENANCE.get(str(path)) or {}).get("target") != "live"
        return True

    def _discard_if_transient(self, path: Path, exc: BaseException, cassette: Any) -> None:
        """A transient failure (429, 5xx, reset, timeout) is retried, never recorded."""
        if self.settings.target == "replay" or not transient_reason(exc, _pairs(cassette)):
            return
        vcr_setup.DISCARD.add(str(path))
        if self.settings.record_mode == "rewrite" and path.is_file():
            path.unlink()  # rewrite never leaves the previous recording in place

    def _fail_layer(self, observation: Observation, expected: Any) -> str:
        delivered = delivered_matches(observation, expected)
        if delivered is True:
            return "instructor"  # litellm handed over the right payload; instructor mis-built it
        if delivered is False and self.settings.target != "live":
            return "litellm"  # the emulator sent the expected answer; litellm altered it
        return "unknown"

    def _prepare_recording(self, cell: Cell, path: Path, model: str,
                           kwargs: dict[str, Any]) -> None:
        if self.settings.target == "replay":
            return
        provider = get_provider(cell.provider)
        if self.settings.record_mode not in ("all", "new_episodes"):
            vcr_setup.FRESH.add(str(path))  # the old file is not loaded; replaced on save
        if self.settings.record_mode == "none":
            vcr_setup.DISCARD.add(str(path))  # a dry run (validate): nothing is written
        vcr_setup.KNOWN_SECRETS.clear()
        if self.settings.target == "live":
            vcr_setup.KNOWN_SECRETS.update(secret_values(provider.credentials))
        # Only static non-secret kwargs are kept: routing and credentials never reach disk.
        call = {k: v for k, v in kwargs.items() if k in provider.extra_kwargs}
        vcr_setup.PENDING_PROVENANCE[str(path)] = {
            "target": self.settings.target, "provider": cell.provider, "model": model,
            "mode": cell.mode, "scenario": cell.scenario, "recorded_at": _now(),
            "harness": __version__, "versions": self.versions, "call": call,
        }


def _peek_provenance(path: Path) -> dict[str, Any]:
    return vcr_setup.read_cassette(path)[1]


def _pairs(cassette: Any) -> list[tuple[Any, Any]]:
    """The interactions this cell used: replayed ones, then the ones it recorded."""
    if cassette is None:
        return []
    played = [cassette.data[i] for i in sorted(cassette.play_counts)]
    loaded = getattr(cassette, "_loaded_count", 0)
    recorded = list(cassette.data[loaded:]) if cassette.record_mode != "none" else []
    return played + recorded


def _stats(cassette: Any) -> dict[str, Any]:
    return interactions_stats(_pairs(cassette))
