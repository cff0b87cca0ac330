"""Which environment variables hold secrets, and the secret values behind them, to redact."""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

# Variables that route or label a call rather than authenticate it (kept out of redaction,
# which would otherwise rewrite every URL or region name they appear in).
_ROUTING = re.compile(r"(_BASE|_ENDPOINT|_URL|_VERSION|_REGION(_NAME)?|_LOCATION|_PROJECT)$")


def is_secret_variable(name: str) -> bool:
    """Whether a credential variable holds a secret (a key, a token, a key file)."""
    return not _ROUTING.search(name.upper())


def secret_values(names: Iterable[str], env: Mapping[str, str] | None = None) -> set[str]:
    """The secret values behind `names` (and inside a key file they point to), to redact."""
    env = os.environ if env is None else env
    found: set[str] = set()
    for name in names:
        value = env.get(name) or ""
        if not value or not is_secret_variable(name):
            continue
        if name == "GOOGLE_APPLICATION_CREDENTIALS" or value.endswith(".json"):
            found |= _key_file_secrets(Path(value))
        elif len(value) >= 8:
            found.add(value)
    return found


def _key_file_secrets(path: Path) -> set[str]:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    keys = ("private_key", "private_key_id", "client_secret", "refresh_token")
    out = {str(info[k]) for k in keys if isinstance(info, dict) and info.get(k)}
    # Each line of a PEM key body too: a wrapped key can be split across lines anywhere.
    for pem in [v for v in out if "PRIVATE KEY" in v]:
        out |= {line for line in pem.splitlines() if len(line) >= 16 and "-----" not in line}
    return out


# A variable named like a credential (OPENAI_API_KEY, AWS_SESSION_TOKEN, HF_TOKEN,
# GOOGLE_APPLICATION_CREDENTIALS, *_SECRET, *_PASSWORD), whatever provider reads it.
_CREDENTIAL_VARIABLE = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)(_ID)?$")


# A variable holding a URL a call goes to (AZURE_API_BASE, CONFORMANCE_OPENAI_BASE_URL): a
# gateway key may sit in its path, its query or its userinfo.
_URL_VARIABLE = re.compile(r"(_BASE|_BASE_URL|_URL|_ENDPOINT)$")
_CREDENTIAL_QUERY = re.compile(r"key|token|sig|secret|signature|code|auth|password|credential",
                               re.IGNORECASE)


def environment_secrets(env: Mapping[str, str]) -> set[str]:
    """The secret values of every credential-shaped variable in `env`, and the secret parts of
    every URL-valued one."""
    names = [name for name in env if _CREDENTIAL_VARIABLE.search(name.upper())]
    found = secret_values(names, env)
    for name, value in env.items():
        if _URL_VARIABLE.search(name.upper()) and "://" in (value or ""):
            found |= url_secrets(value)
    return found


def _entropy(text: str) -> float:
    counts = {ch: text.count(ch) for ch in set(text)}
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def key_like(text: str) -> bool:
    """A string with the length and randomness of a key (not a word, a date or a model id)."""
    return (len(text) >= 20 and _entropy(text) >= 3.5
            and any(c.isdigit() for c in text) and any(c.isalpha() for c in text))


def url_secrets(url: str) -> set[str]:
    """The secret parts of a configured URL: userinfo, credential query values, key-like path
    segments (a gateway key in the path)."""
    parts = urlsplit(url)
    found = {v for v in (parts.username, parts.password) if v and len(v) >= 6}
    found |= {v for k, v in parse_qsl(parts.query) if _CREDENTIAL_QUERY.search(k) and len(v) >= 6}
    found |= {unquote(s) for s in parts.path.split("/") if key_like(unquote(s))}
    return found
