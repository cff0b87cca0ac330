"""The shapes real credentials take, per provider: one table for scrubbing and for scanning.

Each pattern matches the whole credential, so a redaction leaves no fragment behind. Formats:
OpenAI `sk-`/`sk-proj-`/`sk-svcacct-`, Anthropic `sk-ant-`, AWS access key ids
`AKIA`/`ASIA`, AWS SigV4 `Authorization` values, Google API keys `AIza`, Google OAuth access
tokens `ya29.`, Hugging Face `hf_`, JWTs (`eyJ...`: OAuth assertions, id tokens), PEM private
keys, and keys without a prefix (Azure, Cohere, Mistral) when they sit in an auth position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Pattern:
    """A kind of credential and the regex matching one."""

    kind: str
    regex: re.Pattern[str]


def _p(kind: str, regex: str, flags: int = 0) -> Pattern:
    return Pattern(kind, re.compile(regex, flags))


# Order matters: the more specific prefix first (sk-ant- before sk-).
PATTERNS: tuple[Pattern, ...] = (
    _p("PEM private key", r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----[\s\S]*?"
                          r"(?:-----END (?:[A-Z]+ )*PRIVATE KEY-----|$)"),
    _p("Anthropic API key", r"\bsk-ant-[A-Za-z0-9_-]{20,}"),
    _p("OpenAI API key", r"\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}"),
    _p("AWS SigV4 signature", r"AWS4-HMAC-SHA256\s+Credential=[^\s\"']+(?:[^\n\"']*)"),
    _p("AWS access key id", r"\b(?:AKIA|ASIA|AIDA|AROA|ANPA|AGPA)[A-Z0-9]{16}\b"),
    _p("Google API key", r"\bAIza[0-9A-Za-z_-]{35}"),
    _p("Google OAuth access token", r"\bya29\.[0-9A-Za-z_.-]{20,}"),
    _p("Hugging Face token", r"\bhf_[A-Za-z0-9]{30,}"),
    _p("JSON Web Token", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
    _p("GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36,}"),
    _p("Groq API key", r"\bgsk_[A-Za-z0-9]{40,}"),
    _p("xAI API key", r"\bxai-[A-Za-z0-9]{40,}"),
    _p("Replicate token", r"\br8_[A-Za-z0-9]{30,}"),
    _p("Slack token", r"\bxox[abprs]-[A-Za-z0-9-]{20,}"),
    _p("OpenAI organisation id", r"\borg-[A-Za-z0-9]{24}\b"),
    _p("OpenAI project id", r"\bproj_[A-Za-z0-9]{24}\b"),
)

# Names under which any value is a credential (headers, query parameters, JSON/form fields,
# YAML keys): e.g. `api-key`, `x-api-key`, `authorization`, `client_secret`, `access_token`.
_AUTH_NAME = (r"(?:authorization|proxy-authorization|x-api-key|api[-_]?key|apikey|"
              r"x-goog-api-key|access[-_]?token|refresh[-_]?token|id[-_]?token|"
              r"client[-_]?secret|secret[-_]?access[-_]?key|session[-_]?token|"
              r"x-amz-security-token|password|private[-_]?key|assertion|cookie|set-cookie|"
              r"subscription-key|x-auth-token|bearer)")
AUTH_NAME = re.compile(rf"^{_AUTH_NAME}$", re.IGNORECASE)
# A key without a recognisable prefix (Azure 32 hex, Mistral 32, Cohere 40 characters) in an
# auth position: `api-key: <value>`, `"api_key": "<value>"`, `Authorization: Bearer <value>`.
AUTH_VALUE = re.compile(
    rf"(?i)[\"']?\b{_AUTH_NAME}[\"']?\s*[:=]\s*[\"']?(?:bearer\s+|token\s+)?"
    rf"(?P<value>[A-Za-z0-9_\-./+=]{{20,}})")
BEARER = re.compile(r"(?i)\bbearer\s+(?P<value>[A-Za-z0-9_\-./+=~]{16,})")
# Placeholders that are known not to be secrets (our own redaction marker and the like).
PLACEHOLDERS = frozenset({"REDACTED", "<redacted>", "emulator-key", "replay-key"})


def find(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every credential-shaped substring of `text`, by prefix/format."""
    found: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []
    for pattern in PATTERNS:
        for match in pattern.regex.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            found.append((pattern.kind, start, end))
    return sorted(found, key=lambda item: item[1])


def redact(text: str, marker: str = "REDACTED") -> str:
    """`text` with every credential-shaped substring replaced by `marker`."""
    spans = find(text)
    if not spans:
        return text
    out, last = [], 0
    for _, start, end in spans:
        out.append(text[last:start])
        out.append(marker)
        last = end
    out.append(text[last:])
    return "".join(out)


def mask(secret: str) -> str:
    """A safe hint of a secret for reports: its first 4 characters and its length."""
    return f"{secret[:4]}…({len(secret)} chars)"
