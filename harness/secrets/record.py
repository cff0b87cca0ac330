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

from harness.secrets.scrub import Known, known_secrets, scrub_text
from harness.secrets.variables import environment_secrets

# Values derived during the run (an OAuth access token from an exchange): redacted too.
_DERIVED: set[str] = set()


def register_secret(value: str) -> None:
    """Treat `value` as a secret of this process from now on (e.g. an issued token)."""
    if value and len(value) >= 8 and value not in _DERIVED:
        _DERIVED.add(value)
        _CACHE.clear()


def run_secrets(env: Mapping[str, str] | None = None) -> frozenset[str]:
    """The secret values this process knows (credential-shaped variables, secret parts of
    configured URLs, values derived during the run) and their usual encodings.

    The same frozenset object while nothing changes, so the scrubber orders and indexes it
    once (harness.secrets.scrub caches by set).
    """
    source = os.environ if env is None else env
    # os.environ's own bytes mapping is a cheap snapshot to compare (decoding every variable
    # cost more than the rest of a replayed cell's scrubbing); a new derived value clears it.
    raw = getattr(source, "_data", None)
    key = dict(raw) if isinstance(raw, dict) else dict(source)
    if "value" not in _CACHE or _CACHE["key"] != key:
        _CACHE["key"] = key
        _CACHE["value"] = frozenset(with_encodings(environment_secrets(source) | _DERIVED))
    found: frozenset[str] = _CACHE["value"]
    return found


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
    known = known_secrets(run_secrets() if secrets is None else secrets)
    return _scrub(value, known)


def _scrub(value: Any, secrets: Known) -> Any:
    if isinstance(value, str):
        return scrub_text(value, secrets)
    if isinstance(value, dict):
        return {key: _scrub(item, secrets) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub(item, secrets) for item in value]
    return value
