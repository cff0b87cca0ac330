"""Where a live run goes and with what: base URLs, credentials, model strings, record modes."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from harness.errors import HarnessError
from harness.providers import PROVIDERS, Provider
from harness.recording import RECORD_MODES


def base_url_var(provider: str) -> str:
    """The environment variable that points a live run of `provider` at another base URL."""
    return f"CONFORMANCE_{provider.upper()}_BASE_URL"


def live_base_url(provider: str, override: str | None = None,
                  env: Mapping[str, str] | None = None) -> str | None:
    """The base URL a live call goes to: --base-url, else CONFORMANCE_<P>_BASE_URL, else None."""
    env = os.environ if env is None else env
    return override or env.get(base_url_var(provider)) or None


def missing_credentials(provider: Provider, env: Mapping[str, str] | None = None) -> list[str]:
    """The credential variables `provider` needs that are unset or empty."""
    env = os.environ if env is None else env
    return [name for name in provider.credentials if not env.get(name)]


def check_model(model: str | None, providers: list[str]) -> None:
    """Raise a one-line HarnessError when --model cannot be right for the chosen provider."""
    if model is None:
        return
    if len(providers) != 1:
        raise HarnessError("--model needs exactly one --provider: a model id belongs to one "
                           "provider (e.g. --provider openai --model gpt-4o-mini)")
    if not model.strip():
        raise HarnessError("--model is empty; pass a model id (e.g. --model gpt-4o-mini) or "
                           "leave it out for the provider's default")
    if re.search(r"\s", model):
        raise HarnessError(f"--model {model!r} contains whitespace; pass the model id exactly "
                           f"as the provider names it")
    own = next(p for p in PROVIDERS if p.name == providers[0])
    for other in PROVIDERS:
        if other.name != own.name and model.startswith(other.model_prefix) \
                and not model.startswith(own.model_prefix):
            raise HarnessError(
                f"--model {model!r} has the {other.model_prefix!r} prefix of provider "
                f"{other.name!r}, not {own.model_prefix!r}; drop the prefix or pass "
                f"--provider {other.name}")


def check_record_mode(mode: str) -> str:
    """`mode` if it is one of pytest-recording's record modes, else a one-line error."""
    if mode not in RECORD_MODES:
        raise HarnessError(f"unknown record mode {mode!r}; valid record modes: "
                           f"{', '.join(RECORD_MODES)}")
    return mode
