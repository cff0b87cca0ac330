"""What a provider entry is: its litellm recipe and its emulator, side by side."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from ..modes import DEFAULT_MODES


@dataclass(frozen=True)
class Provider:
    """One provider as the harness measures it through litellm."""

    name: str
    display: str  # its row in the guide's streaming table
    model_prefix: str  # litellm's provider prefix, e.g. "openai/"
    default_model: str
    credentials: tuple[str, ...]  # environment variables a live run needs
    point_at: Callable[[str], dict[str, Any]]  # root URL -> litellm kwargs that redirect to it
    emulator: Callable[[], web.Application] | None
    # Fake credential kwargs used against the emulator (never a real key format).
    emulator_credentials: dict[str, str] = field(default_factory=dict)
    modes: tuple[str, ...] = DEFAULT_MODES
    covers: str = ""  # what its emulator reproduces, for the README and reports

    def model_string(self, model: str | None = None) -> str:
        """The litellm model string for `model` (default: this provider's default model)."""
        model = model or self.default_model
        return model if model.startswith(self.model_prefix) else self.model_prefix + model
