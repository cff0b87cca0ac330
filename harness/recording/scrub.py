"""Pure functions that strip credentials from requests and responses before anything is written."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Headers that carry credentials or identify an account: dropped from every cassette.
DENY_HEADERS = frozenset({
    "authorization", "api-key", "x-api-key", "x-goog-api-key", "cookie", "set-cookie",
    "openai-organization", "openai-project", "x-amz-security-token", "x-amz-date",
    "x-amz-content-sha256", "proxy-authorization", "anthropic-organization-id",
    "x-goog-user-project", "amz-sdk-invocation-id",
})
# Query parameters that carry credentials.
DENY_QUERY = frozenset({"key", "api_key", "api-key", "access_token", "x-amz-signature",
                        "x-amz-credential", "x-amz-security-token"})
_LOOPBACK = re.compile(r"^http://127\.0\.0\.1:\d+")
EMULATOR_HOST = "http://emulator.invalid"


# Headers that only add noise to diffs (the emulator's random port, timestamps).
NOISE_HEADERS = frozenset({"host", "date", "content-length"})


def scrub_headers(headers: dict[str, Any]) -> dict[str, Any]:
    """`headers` without any credential-bearing or noise header."""
    return {k: v for k, v in headers.items()
            if k.lower() not in DENY_HEADERS and k.lower() not in NOISE_HEADERS}


def scrub_uri(uri: str) -> str:
    """`uri` with credential query parameters removed and the emulator's random port hidden."""
    uri = _LOOPBACK.sub(EMULATOR_HOST, uri)
    parts = urlsplit(uri)
    if not parts.query:
        return uri
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in DENY_QUERY]
    return urlunsplit(parts._replace(query=urlencode(query)))
