"""The shapes real credentials take, per provider: one table for scrubbing and for scanning.

Each pattern matches the whole credential (or, where a pattern names a `secret` group, the
credential inside its context), so a redaction leaves no fragment behind. Formats: OpenAI
`sk-`/`sk-proj-`/`sk-svcacct-`, Anthropic `sk-ant-`, OpenRouter `sk-or-v1-`, DeepSeek `sk-` and
32 hex digits, AWS access key ids `AKIA`/`ASIA`, AWS SigV4 `Authorization` values, Google API
keys `AIza`, Google OAuth access tokens `ya29.` and refresh tokens `1//`, Hugging Face `hf_`,
Perplexity `pplx-`, Cerebras `csk-`, Fireworks `fw_`, Groq `gsk_`, xAI `xai-`, Together
`tgp_v1_`, Stripe `sk_live_`/`rk_live_`, GitHub `ghp_`…, GitLab `glpat-`, Slack `xox?-`, Azure
SAS signatures (`sig=`), JWTs (`eyJ...`: OAuth assertions, id tokens), PEM private keys; and,
without any prefix, a random-looking value in a field named like a credential (`api_key`,
`x-service-token`, `db_password`: see `looks_random`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Pattern:
    """A kind of credential, the regex matching one, and literals every match contains.

    `anchors` (lowercase) let a text holding none of them be skipped without running any
    regex: a scan of a large file costs one pass per line, not one per pattern.
    """

    kind: str
    regex: re.Pattern[str]
    anchors: tuple[str, ...]


def _p(kind: str, regex: str, *anchors: str) -> Pattern:
    return Pattern(kind, re.compile(regex), anchors)


# Order matters: the more specific prefix first (sk-ant- before sk-).
PATTERNS: tuple[Pattern, ...] = (
    _p("PEM private key", r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----[\s\S]*?"
                          r"(?:-----END (?:[A-Z]+ )*PRIVATE KEY-----|$)", "private key"),
    _p("Anthropic API key", r"\bsk-ant-[A-Za-z0-9_-]{20,}", "sk-ant-"),
    _p("OpenRouter API key", r"\bsk-or-v\d+-[A-Za-z0-9]{32,}", "sk-or-"),
    _p("DeepSeek API key", r"\bsk-[0-9a-f]{32}\b", "sk-"),
    _p("OpenAI API key", r"\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}", "sk-"),
    _p("Stripe secret key", r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{20,}", "k_live_", "k_test_"),
    _p("AWS SigV4 signature", r"AWS4-HMAC-SHA256\s+Credential=[^\s\"']+(?:[^\n\"']*)",
       "aws4-hmac-sha256"),
    _p("AWS access key id", r"\b(?:AKIA|ASIA|AIDA|AROA|ANPA|AGPA)[A-Z0-9]{16}\b",
       "akia", "asia", "aida", "aroa", "anpa", "agpa"),
    _p("Google API key", r"\bAIza[0-9A-Za-z_-]{35}", "aiza"),
    _p("Google OAuth access token", r"\bya29\.[0-9A-Za-z_.-]{20,}", "ya29."),
    _p("Google OAuth refresh token", r"(?<![\w/:.])1//[0-9A-Za-z_-]{30,}", "1//"),
    _p("Hugging Face token", r"\bhf_[A-Za-z0-9]{30,}", "hf_"),
    _p("JSON Web Token", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*", "eyj"),
    _p("GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36,}", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    _p("GitLab token", r"\bglpat-[A-Za-z0-9_-]{20,}(?:\.[A-Za-z0-9_-]+){0,2}", "glpat-"),
    _p("Groq API key", r"\bgsk_[A-Za-z0-9]{40,}", "gsk_"),
    _p("xAI API key", r"\bxai-[A-Za-z0-9]{40,}", "xai-"),
    _p("Together API key", r"\btgp_v\d+_[A-Za-z0-9_-]{30,}", "tgp_v"),
    _p("Perplexity API key", r"\bpplx-[A-Za-z0-9]{32,}", "pplx-"),
    _p("Cerebras API key", r"\bcsk-[A-Za-z0-9]{32,}", "csk-"),
    _p("Fireworks API key", r"\bfw_[A-Za-z0-9]{20,}", "fw_"),
    _p("Replicate token", r"\br8_[A-Za-z0-9]{30,}", "r8_"),
    _p("Slack token", r"\bxox[abprs]-[A-Za-z0-9-]{20,}", "xox"),
    # The signature of an Azure SAS URL or connection string: the value, not the name.
    _p("Azure SAS signature", r"(?<![A-Za-z0-9_])[Ss][Ii][Gg]=(?P<secret>(?:[A-Za-z0-9+/_-]|"
                              r"%2[BbFf]){20,}(?:=|%3[Dd]){0,2})", "sig="),
    _p("OpenAI organisation id", r"\borg-[A-Za-z0-9]{24}\b", "org-"),
    _p("OpenAI project id", r"\bproj_[A-Za-z0-9]{24}\b", "proj_"),
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

# --- A random-looking value in a field named like a credential ---------------------------
FIELD_KIND = "random-looking value in a credential field"
# Words that make a field name credential-like: api_key, x-service-token, db_password,
# client_credentials. Not `tokens` (max_tokens, x-ratelimit-remaining-tokens are counts).
_CREDENTIAL_WORD = re.compile(r"api[-_]?key|apikey|access[-_]?key|private[-_]?key|secret|"
                              r"passw(?:or)?d|passphrase|credential|token(?!s|iz)|auth",
                              re.IGNORECASE)
# A value after a separator (`name: value`, `"name": "value"`, `name=value`, `Name: Bearer
# value`); the name is then read back from the separator, so no regex ever runs along a long
# identifier trying every start (quadratic on a megabyte of base64).
_FIELD_VALUE = re.compile(r"[\"']?[ \t]*[:=][ \t]*[\"']?(?:(?i:bearer|basic|token)[ \t]+)?"
                          r"(?P<value>[A-Za-z0-9+/_\-.~]{20,}=*)")
_NAME_BEFORE = re.compile(r"[A-Za-z0-9_.-]{1,64}$")
_SEGMENTS = re.compile(r"[^A-Za-z0-9]+")
# A segment a person would write: a word (lower, Capitalised or camelCase), an acronym, a number.
_WORDLIKE = re.compile(r"[A-Za-z][a-z]*(?:[A-Z][a-z]+)*|[A-Z]+|[0-9]+")
MIN_RANDOM_LENGTH = 20
# Bits per character: random hex averages 3.6 over 32 digits (below 2.8 about once in 10^5),
# random base62 of 20+ characters 4 and more; a repeated filler ('aaaa…1') is far below.
MIN_ENTROPY = 2.7
# Characters in segments that are no word, acronym or number (a key has most of them; a
# model id, a resource path or a date has none: claude-sonnet-4-5-20250929, gpt-4o-mini → 2).
MIN_MIXED = 16


def is_credential_name(name: str) -> bool:
    """Whether a field, header or parameter name says its value is a credential."""
    return bool(_CREDENTIAL_WORD.search(name))


def entropy(text: str) -> float:
    """Shannon entropy of `text`, in bits per character."""
    size = len(text)
    return -sum(n / size * math.log2(n / size) for n in Counter(text).values()) if size else 0.0


def looks_random(value: str) -> bool:
    """Whether `value` looks like a generated secret rather than words, an id or a path.

    At least MIN_RANDOM_LENGTH characters (padding aside), two of lowercase, uppercase and
    digits, MIN_MIXED characters outside word-like segments, and MIN_ENTROPY bits each.
    """
    core = value.rstrip("=")
    if len(core) < MIN_RANDOM_LENGTH or core in PLACEHOLDERS:
        return False
    classes = sum(any(test(c) for c in core) for test in (str.islower, str.isupper, str.isdigit))
    mixed = sum(len(s) for s in _SEGMENTS.split(core) if s and not _WORDLIKE.fullmatch(s))
    return classes >= 2 and mixed >= MIN_MIXED and entropy(core) >= MIN_ENTROPY


def credential_fields(text: str) -> list[tuple[int, int]]:
    """(start, end) of every random-looking value in a field named like a credential."""
    out = []
    for match in _FIELD_VALUE.finditer(text):
        before = _NAME_BEFORE.search(text, max(0, match.start() - 64), match.start())
        if before and is_credential_name(before.group()) and looks_random(match["value"]):
            out.append(match.span("value"))
    return out


# Every literal a detection needs (lowercase): a text with none of them holds no credential
# any detector here or in the scanner would report.
ANCHORS: tuple[str, ...] = tuple(dict.fromkeys(
    [a for p in PATTERNS for a in p.anchors]
    + ["key", "token", "secret", "passw", "credential", "auth", "bearer", "cookie",
       "assertion", "openai-"]))


def may_hold_secret(text: str) -> bool:
    """False when `text` holds no anchor of any detection: it can be skipped whole."""
    low = text.lower()
    return any(anchor in low for anchor in ANCHORS)


def find(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every credential-shaped substring of `text`."""
    if not may_hold_secret(text):
        return []
    found: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []
    candidates = [(p.kind, m.span("secret") if "secret" in p.regex.groupindex else m.span())
                  for p in PATTERNS for m in p.regex.finditer(text)]
    candidates += [(FIELD_KIND, span) for span in credential_fields(text)]
    for kind, (start, end) in candidates:
        if any(s < end and start < e for s, e in taken):
            continue
        taken.append((start, end))
        found.append((kind, start, end))
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
