"""How a run reaches its target: the settings, and the model and kwargs of each cell's calls."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from harness.emulators.server import emulator_host
from harness.errors import MissingCredentialsError, NoEmulatorError
from harness.providers import Provider
from harness.recording.cassette import CellCassette
from harness.recording.paths import DEFAULT_CASSETTE_DIR, cassette_path
from harness.run.targets import live_base_url
from harness.scenarios.base import Scenario

TargetKind = Literal["replay", "emulator", "live"]
# Replays never connect; '.invalid' can never resolve, so a leak fails loudly, not silently.
REPLAY_ROOT = "http://replay.invalid"


@dataclass
class RunSettings:
    """How a run reaches its target and where its cassettes live."""

    target: TargetKind = "replay"
    cassette_dir: Path = DEFAULT_CASSETTE_DIR
    model: str | None = None  # overrides each provider's default model (live/emulator)
    drop_params: bool = False
    base_url: str | None = None  # live: call this root instead of the provider's own URL
    timeout: float | None = None  # per-request timeout (s) for live/emulator calls
    # What recording does with an existing cassette (pytest-recording's modes, see README):
    # rewrite/once/none record afresh (none saves nothing), all and new_episodes load it.
    record_mode: str = "rewrite"
    # A replayed request that no longer matches its recording fails the cell, instead of being
    # re-answered by the provider's emulator (byte-exact replays only).
    strict_replay: bool = False
    # The project: its root (paths in results are relative to it) and the scenario modules a
    # worker process must load too.
    project_root: Path | None = None
    scenario_modules: tuple[str, ...] = ()
    builtin: bool = True
    # This project develops the built-in packs: their cassettes live in each pack's folder.
    develop_packs: bool = False
    # Seconds each emulator waits before answering (a provider's latency, for timing runs).
    emulator_latency: float = 0.0


def cell_cassette(settings: RunSettings, provider: str, mode: str,
                  scenario: Scenario) -> Path:
    """Where a cell's cassette is: the project's, else (replaying) the one its pack ships."""
    if settings.develop_packs and scenario.bundled is not None:
        return cassette_path(scenario.bundled, provider, mode, scenario.name)
    own = cassette_path(settings.cassette_dir, provider, mode, scenario.name)
    if settings.target != "replay" or own.is_file() or scenario.bundled is None:
        return own
    shipped = cassette_path(scenario.bundled, provider, mode, scenario.name)
    return shipped if shipped.is_file() else own


def call_kwargs(settings: RunSettings, provider: Provider,
                state: CellCassette) -> tuple[str, dict[str, Any]]:
    """(model string, litellm kwargs) for the cell's target."""
    model, kwargs = _route(settings, provider, state)
    if settings.drop_params:
        kwargs["drop_params"] = True
    # The harness retries whole cells (harness.run.retry); the SDKs' own retries would
    # record failed attempts into the cassette and hide faults from the result.
    kwargs.setdefault("num_retries", 0)
    if settings.timeout and settings.target != "replay":
        kwargs["timeout"] = settings.timeout
    return model, kwargs


def _route(settings: RunSettings, provider: Provider,
           state: CellCassette) -> tuple[str, dict[str, Any]]:
    kind = settings.target
    if kind == "replay":
        provenance = state.provenance()
        model = provenance.get("model") or provider.model_string()
        # Recorded non-secret kwargs (e.g. a live api_version), re-routed to nowhere.
        return model, {**provider.extra_kwargs, **provenance.get("call", {}),
                       **provider.point_at(REPLAY_ROOT),
                       **provider.fake_credentials(REPLAY_ROOT)}
    model = provider.model_string(settings.model)
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
    base = live_base_url(provider.name, settings.base_url)
    if base:  # a proxy, a regional endpoint, or an emulator standing in for the provider
        kwargs.update(provider.point_at(base))
    return model, kwargs
