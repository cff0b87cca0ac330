"""Pure functions that strip credentials from requests and responses before anything is written.

Three rules, applied to headers, query strings and bodies alike:

- a deny-list of names whose value is always a credential or an account id (dropped, or
  REDACTED inside a body);
- an allow-list of names that pass untouched (no credential there, and names such as
  `x-ratelimit-remaining-tokens` would otherwise look like one);
- everything else is redacted when its name looks credential-like, or when its value has the
  shape of a real key (harness.secrets.patterns) or equals a secret the run was given.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from harness.secrets import patterns

REDACTED = "REDACTED"
# Headers that carry credentials or identify an account: dropped from every cassette.
DENY_HEADERS = frozenset({
    "authorization", "api-key", "x-api-key", "x-goog-api-key", "cookie", "set-cookie",
    "openai-organization", "openai-project", "x-amz-security-token", "x-amz-date",
    "x-amz-content-sha256", "proxy-authorization", "anthropic-organization-id",
    "x-goog-user-project", "amz-sdk-invocation-id", "openai-organization-id",
    "x-organization-id", "x-project-id", "x-account-id", "x-amz-account-id",
    "x-amzn-account-id", "ocp-apim-subscription-key", "x-functions-key", "x-auth-token",
    "cf-access-client-secret", "x-hf-token", "x-goog-iam-authorization-token",
    "x-goog-iam-authority-selector",
})
# Headers known to carry no credential: kept as they are (values are still pattern-checked).
ALLOW_HEADERS = frozenset({
    "accept", "accept-encoding", "connection", "content-type", "content-encoding",
    "transfer-encoding", "user-agent", "cache-control", "vary", "server", "via", "alt-svc",
    "anthropic-version", "anthropic-beta", "openai-version", "openai-processing-ms",
    "x-request-id", "request-id", "retry-after", "retry-after-ms", "x-amzn-requestid",
    "x-amz-target", "x-goog-api-client", "apim-request-id", "azureml-model-session",
    "x-ms-region", "x-ms-rai-invoked", "x-ms-deployment-name", "x-content-type-options",
    "strict-transport-security", "cf-ray", "cf-cache-status", "server-timing",
    "x-envoy-upstream-service-time", "content-disposition", "num_tokens", "num_chars",
})
# Families of non-credential headers whose names contain "token" or "key".
ALLOW_PREFIXES = ("x-stainless-", "x-ratelimit-", "anthropic-ratelimit-", "x-amzn-bedrock-",
                  "ratelimit-")
# Headers that only add noise to diffs (the emulator's random port, timestamps).
NOISE_HEADERS = frozenset({"host", "date", "content-length"})
# Query parameters that carry credentials.
DENY_QUERY = frozenset({"key", "api_key", "api-key", "apikey", "access_token", "token",
                        "x-amz-signature", "x-amz-credential", "x-amz-security-token",
                        "sig", "signature", "client_secret", "password", "code"})
# OAuth exchanges (Vertex's service-account flow): the form fields that carry a credential,
# i.e. a JWT assertion signed with a private key, a client secret or an issued token.
DENY_FORM_FIELDS = frozenset({"assertion", "client_secret", "refresh_token", "subject_token",
                              "code", "password", "access_token", "id_token",
                              "client_assertion", "actor_token"})
# JSON keys whose string value is a credential (token responses, key files).
DENY_JSON_KEYS = ("access_token", "refresh_token", "id_token", "assertion", "client_secret",
                  "private_key", "private_key_id", "api_key", "apiKey", "x-api-key",
                  "password", "session_token", "sessionToken", "secret_access_key",
                  "aws_secret_access_key", "secretAccessKey", "client_assertion")
_CREDENTIAL_NAME = re.compile(r"auth|token|secret|key|signature|credential|session|passw|"
                              r"cookie|account|organi[sz]ation|project|tenant|subscription",
                              re.IGNORECASE)
_TOKEN_JSON = re.compile(r'("(?:{})"\s*:\s*)"(?:[^"\\]|\\.)*"'.format("|".join(DENY_JSON_KEYS)))
_LOOPBACK = re.compile(r"^http://127\.0\.0\.1:\d+")
EMULATOR_HOST = "http://emulator.invalid"


MIN_SECRET = 6  # shorter values are not redacted: they would rewrite ordinary words


class Known(tuple[str, ...]):
    """Secrets worth redacting, longest first (a secret containing another is removed whole),
    with an index by their first MIN_SECRET characters."""

    by_head: dict[str, tuple[str, ...]]
    # Texts already scrubbed against these secrets: a result is scrubbed where each of its
    # copies is written (the worker's record, the journal line, results.json), and its
    # strings repeat from cell to cell (versions, notes, model ids).
    done: dict[str, str]
    done_size: int

    def inside(self, text: str) -> list[str]:
        """The secrets that occur in `text`, longest first."""
        size = len(text)
        # A search per secret costs about (40 + size / 8) ns, a pass over the text's
        # substrings about 60 ns per character: a long run registers a token per exchange,
        # and searching for each in every string made every write quadratic in the run.
        if len(self) * (40 + size // 8) < 60 * size:
            return [secret for secret in self if secret in text]
        heads = {text[i:i + MIN_SECRET] for i in range(size - MIN_SECRET + 1)}
        found = {s for head in heads & self.by_head.keys() for s in self.by_head[head] if s in text}
        return sorted(found, key=lambda s: (-len(s), s))


@functools.lru_cache(maxsize=32)
def _ordered(secrets: frozenset[str]) -> Known:
    known = Known(sorted({s for s in secrets if s and len(s) >= MIN_SECRET},
                         key=lambda s: (-len(s), s)))
    index: dict[str, list[str]] = {}
    for secret in known:
        index.setdefault(secret[:MIN_SECRET], []).append(secret)
    known.by_head = {head: tuple(found) for head, found in index.items()}
    known.done, known.done_size = {}, 0
    return known


def known_secrets(secrets: Iterable[str]) -> Known:
    """`secrets` ready for scrubbing: ordered and indexed once per distinct set, not once per
    string scrubbed (pass the result on when scrubbing many strings)."""
    if isinstance(secrets, Known):
        return secrets
    return _ordered(secrets if isinstance(secrets, frozenset) else frozenset(secrets))


_DONE_MAX = 8_000_000  # characters of scrubbed texts remembered per set of secrets


def scrub_text(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with given secrets, credential-keyed JSON values and key-shaped strings redacted."""
    known = known_secrets(secrets)
    found = known.done.get(text)
    if found is not None:
        return found
    clean = text
    for secret in known.inside(clean):
        if secret in clean:  # a longer one replaced before may have taken it with it
            clean = clean.replace(secret, REDACTED)
    clean = patterns.redact(_TOKEN_JSON.sub(rf'\1"{REDACTED}"', clean), REDACTED)
    if known.done_size + len(text) > _DONE_MAX:
        known.done.clear()
        known.done_size = 0
    known.done[text] = clean
    known.done_size += len(text)
    return clean


def _scrub_value(value: Any, secrets: Iterable[str]) -> Any:
    if isinstance(value, list):
        return [_scrub_value(v, secrets) for v in value]
    return scrub_text(value, secrets) if isinstance(value, str) else value


def header_is_credential(name: str) -> bool:
    """Whether header `name` is denied, or not allowed and named like a credential."""
    low = name.lower()
    if low in DENY_HEADERS:
        return True
    if low in ALLOW_HEADERS or low.startswith(ALLOW_PREFIXES):
        return False
    return bool(_CREDENTIAL_NAME.search(low))


def credential_values(headers: dict[str, Any]) -> list[str]:
    """The secret values credential headers carry (a Bearer token without its scheme)."""
    out = []
    for key, value in headers.items():
        if not patterns.AUTH_NAME.match(key):
            continue  # x-amz-date and the like are denied as noise, not secrets
        for item in value if isinstance(value, list) else [value]:
            text = str(item)
            out.append(text.split(" ", 1)[1] if text.lower().startswith("bearer ") else text)
            # A SigV4 value: its signature and credential scope, each on its own.
            out += re.findall(r"(?:Signature|Credential)=([^,\s]+)", text)
    return [v for v in out if len(v) >= 8]


def issued_tokens(body: Any) -> list[str]:
    """Token values in a JSON body (an OAuth exchange's access_token, id_token...)."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    found = re.findall(r'"(?:access_token|id_token|refresh_token)"\s*:\s*"([^"]{8,})"', text)
    return list(found)


def scrub_headers(headers: dict[str, Any], secrets: Iterable[str] = ()) -> dict[str, Any]:
    """`headers` without deny-listed or noise headers, credential-looking values REDACTED."""
    secrets = known_secrets(secrets)
    out: dict[str, Any] = {}
    for key, value in headers.items():
        low = key.lower()
        if low in DENY_HEADERS or low in NOISE_HEADERS:
            continue
        if header_is_credential(low):
            out[key] = [REDACTED] * len(value) if isinstance(value, list) else REDACTED
        else:
            out[key] = _scrub_value(value, secrets)
    return out


def _query_is_credential(name: str, value: str, secrets: Known) -> bool:
    low = name.lower()
    if low in DENY_QUERY or (low not in ("api-version", "alt") and _CREDENTIAL_NAME.search(low)):
        return True
    return scrub_text(value, secrets) != value


def scrub_uri(uri: str, secrets: Iterable[str] = ()) -> str:
    """`uri` without credential query parameters or userinfo; the emulator's port hidden."""
    secrets = known_secrets(secrets)
    uri = _LOOPBACK.sub(EMULATOR_HOST, uri)
    parts = urlsplit(uri)
    if "@" in parts.netloc:  # https://user:password@host/
        parts = parts._replace(netloc=parts.netloc.rsplit("@", 1)[1])
    path = scrub_text(parts.path, secrets)
    if path != parts.path:
        parts = parts._replace(path=path)
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not _query_is_credential(k, v, secrets)]
        if len(kept) != len(pairs):
            parts = parts._replace(query=urlencode(kept))
    return urlunsplit(parts)


def _scrub_form(text: str, secrets: Known) -> str:
    pairs = parse_qsl(text, keep_blank_values=True)
    scrubbed = [(k, REDACTED if k in DENY_FORM_FIELDS or _CREDENTIAL_NAME.search(k)
                 else scrub_text(v, secrets)) for k, v in pairs]
    return text if scrubbed == pairs else urlencode(scrubbed)


def _mask_bytes(raw: bytes, secrets: Known) -> bytes:
    # Binary frames (AWS eventstream) keep their lengths: the mask has the secret's length.
    text = raw.decode("latin-1")
    for secret in secrets:
        text = text.replace(secret, "R" * len(secret))
    for _, start, end in patterns.find(text):
        text = text[:start] + "R" * (end - start) + text[end:]
    return text.encode("latin-1")


def scrub_body(body: Any, content_type: str = "", secrets: Iterable[str] = ()) -> Any:
    """`body` with credentials REDACTED: form fields, credential JSON keys, key-shaped strings.

    A body with nothing to redact is returned as the same object, byte for byte.
    """
    if not body or not isinstance(body, (bytes, str)):
        return body
    secrets = known_secrets(secrets)
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
    except UnicodeDecodeError:
        masked = _mask_bytes(body, secrets)  # type: ignore[arg-type]
        return body if masked == body else masked
    if "x-www-form-urlencoded" in content_type or text.startswith("grant_type="):
        new = _scrub_form(text, secrets)
    else:
        new = scrub_text(text, secrets)
    if new == text:
        return body
    return new.encode("utf-8") if isinstance(body, bytes) else new
