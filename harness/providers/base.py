"""What a provider entry is: its litellm recipe and its emulator, side by side."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from harness.modes import DEFAULT_MODES
from harness.secrets.key_formats import KeyFormat
from harness.wire import WireFamily


def _no_credentials(root: str) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Provider:
    """One provider as the harness measures it through litellm."""

    name: str
    # Its row in the guide's streaming table. Providers sharing a row are merged there (gemini
    # and vertex are the guide's "Google", bedrock its "AWS"); the detailed report keeps them apart.
    display: str
    model_prefix: str  # litellm's provider prefix, e.g. "openai/"
    default_model: str
    credentials: tuple[str, ...]  # environment variables a live run needs
    # root URL -> litellm kwargs that route calls there (api_base, endpoints); no secrets.
    point_at: Callable[[str], dict[str, Any]]
    # The emulator app serving this provider's real paths, or None (live-only providers).
    emulator: Callable[[], web.Application] | None
    # The wire family it speaks (its emulator module's WIRE): the keys that carry structured
    # output and the evidence of a whole answer.
    wire: WireFamily
    # root URL -> fake credential kwargs for the emulator and for replays (never a real key
    # format, never written to disk: provenance keeps only `extra_kwargs` and routing).
    fake_credentials: Callable[[str], dict[str, Any]] = _no_credentials
    # Static, non-secret kwargs every call carries (e.g. Azure's api_version).
    extra_kwargs: dict[str, Any] = field(default_factory=dict)
    # How the provider issues each credential variable (routing ones as a realistic literal),
    # for planted-secret tests; a routing variable left out (*_API_BASE) gets the live root.
    key_formats: Mapping[str, KeyFormat] = field(default_factory=dict)
    modes: tuple[str, ...] = DEFAULT_MODES
    covers: str = ""  # what its emulator reproduces, for the README and reports
    rank: int = 100  # position in tables: the guide's row order
    # Called before every cell, e.g. to drop a per-process token cache so each cassette
    # holds every request it needs and replays on its own.
    before_cell: Callable[[], None] | None = None
    # False for a real model answering live: its answers are judged by the scenario's facts
    # (harness/judge.py), not compared with the exact expected answer.
    deterministic: bool = True

    def model_string(self, model: str | None = None) -> str:
        """The litellm model string for `model` (default: this provider's default model)."""
        model = model or self.default_model
        return model if model.startswith(self.model_prefix) else self.model_prefix + model
