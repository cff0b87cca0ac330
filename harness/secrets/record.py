"""Scrubbing at the point of writing: every string of a record, whatever its field.

Results, journal lines and validate's output pass through `scrub_record` as they are written,
so no field (a message, a note, a payload the server echoed) can carry a credential to disk.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

from harness.secrets.scrub import scrub_text
from harness.secrets.variables import environment_secrets

# Values derived during the run (an OAuth access token from an exchange): redacted too.
_DERIVED: set[str] = set()


def register_secret(value: str) -> None:
    """Treat `value` as a secret of this process from now on (e.g. an issued token)."""
    if value and len(value) >= 8:
        _DERIVED.add(value)


def run_secrets(env: Mapping[str, str] | None = None) -> set[str]:
    """The secret values this process knows (credential-shaped variables, secret parts of
    configured URLs, values derived during the run) and their usual encodings."""
    source = os.environ if env is None else env
    key = (frozenset(source.items()), frozenset(_DERIVED))
    if _CACHE.get("key") != key:
        _CACHE["key"], _CACHE["value"] = key, with_encodings(environment_secrets(source) | _DERIVED)
    return set(_CACHE["value"])


_CACHE: dict[str, Any] = {}


def with_encodings(secrets: Iterable[str]) -> set[str]:
    """`secrets` and the forms they take in a body: base64 (also inside a longer base64 run),
    URL-encoded and hex."""
    out: set[str] = set()
    for secret in secrets:
        out |= {secret, quote(secret, safe=""), quote_plus(secret), secret.encode().hex(),
                secret.encode().hex().upper()}
        out |= _base64_forms(secret.encode())
    return {s for s in out if len(s) >= 8}


def _base64_forms(raw: bytes) -> set[str]:
    # Encoded at each of the 3 offsets it can start at inside a longer blob: only the
    # characters that depend on the secret's bytes alone are kept.
    forms = set()
    for offset in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * offset + raw).decode().rstrip("=")
            lead = (offset * 4 + 2) // 3  # characters touched by the padding bytes
            body = text[lead:len(text) - (1 if (offset + len(raw)) % 3 else 0)]
            if len(body) >= 8:
                forms.add(body)
    return forms


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
