"""Scrubbing at the point of writing: every string of a record, whatever its field.

Results, journal lines and validate's output pass through `scrub_record` as they are written,
so no field (a message, a note, a payload the server echoed) can carry a credential to disk.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from harness.secrets.scrub import scrub_text
from harness.secrets.variables import environment_secrets

# Values derived during the run (an OAuth access token from an exchange): redacted too.
_DERIVED: set[str] = set()


def register_secret(value: str) -> None:
    """Treat `value` as a secret of this process from now on (e.g. an issued token)."""
    if value and len(value) >= 8:
        _DERIVED.add(value)


def run_secrets(env: Mapping[str, str] | None = None) -> set[str]:
    """The secret values this process knows: credential-shaped variables and derived values."""
    return environment_secrets(os.environ if env is None else env) | _DERIVED


def scrub_record(value: Any, secrets: Iterable[str] | None = None) -> Any:
    """`value` with every string, at any depth, scrubbed (keys of dicts are kept)."""
    known = run_secrets() if secrets is None else set(secrets)
    return _scrub(value, known)


def _scrub(value: Any, secrets: set[str]) -> Any:
    if isinstance(value, str):
        return scrub_text(value, secrets)
    if isinstance(value, dict):
        return {key: _scrub(item, secrets) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub(item, secrets) for item in value]
    return value
