"""Scrubbing is pure and total: no planted credential survives, non-secret content is untouched."""

from __future__ import annotations

import json
import string
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from harness.secrets import patterns
from harness.secrets.scrub import (
    REDACTED,
    header_is_credential,
    known_secrets,
    scrub_body,
    scrub_headers,
    scrub_text,
    scrub_uri,
)
from tests import wire_samples

_ALNUM = string.ascii_letters + string.digits

# What the scrubber must know, written out here rather than read from the module under test:
# a name dropped from harness/secrets/scrub.py must fail a test, not silently shrink one.
# Headers whose value is a credential or an account id: dropped from every cassette.
CREDENTIAL_HEADERS = (
    "authorization", "proxy-authorization", "api-key", "x-api-key", "x-goog-api-key",
    "cookie", "set-cookie", "openai-organization", "openai-organization-id", "openai-project",
    "anthropic-organization-id", "x-goog-user-project", "x-amz-security-token", "x-amz-date",
    "x-amz-content-sha256", "amz-sdk-invocation-id", "x-organization-id", "x-project-id",
    "x-account-id", "x-amz-account-id", "x-amzn-account-id", "ocp-apim-subscription-key",
    "x-functions-key", "x-auth-token", "cf-access-client-secret", "x-hf-token",
    "x-goog-iam-authorization-token", "x-goog-iam-authority-selector",
)
# Headers that only add noise to diffs: dropped too.
NOISE_HEADERS = ("host", "date", "content-length")
# Query parameters that carry a credential: dropped from every recorded URI.
CREDENTIAL_QUERY = (
    "key", "api_key", "api-key", "apikey", "access_token", "token", "x-amz-signature",
    "x-amz-credential", "x-amz-security-token", "sig", "signature", "client_secret",
    "password", "code",
)
# Form fields of an OAuth exchange that carry a credential: REDACTED.
CREDENTIAL_FORM_FIELDS = (
    "assertion", "client_secret", "refresh_token", "subject_token", "code", "password",
    "access_token", "id_token", "client_assertion", "actor_token",
)
# JSON keys whose string value is a credential (token responses, key files): REDACTED.
CREDENTIAL_JSON_KEYS = (
    "access_token", "refresh_token", "id_token", "assertion", "client_secret", "private_key",
    "private_key_id", "api_key", "apiKey", "x-api-key", "password", "session_token",
    "sessionToken", "secret_access_key", "aws_secret_access_key", "secretAccessKey",
    "client_assertion",
)
# Headers known to carry no credential: kept as they are.
PLAIN_HEADERS = (
    "accept", "accept-encoding", "connection", "content-type", "content-encoding",
    "transfer-encoding", "user-agent", "cache-control", "vary", "server", "via", "alt-svc",
    "anthropic-version", "anthropic-beta", "openai-version", "openai-processing-ms",
    "x-request-id", "request-id", "retry-after", "retry-after-ms", "x-amzn-requestid",
    "x-amz-target", "x-goog-api-client", "apim-request-id", "azureml-model-session",
    "x-ms-region", "x-ms-rai-invoked", "x-ms-deployment-name", "x-content-type-options",
    "strict-transport-security", "cf-ray", "cf-cache-status", "server-timing",
    "x-envoy-upstream-service-time", "content-disposition", "num_tokens", "num_chars",
)


def _s(alphabet: str, size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=size, max_size=size)


# Every provider's real key format (values random, shapes real).
KEY_FORMATS = st.one_of(
    st.builds("sk-proj-{}".format, _s(_ALNUM + "-_", 60)),
    st.builds("sk-{}".format, _s(_ALNUM, 48)),
    st.builds("sk-ant-api03-{}AA".format, _s(_ALNUM + "-_", 93)),
    st.builds("AKIA{}".format, _s(string.ascii_uppercase + string.digits, 16)),
    st.builds("ASIA{}".format, _s(string.ascii_uppercase + string.digits, 16)),
    st.builds("AIza{}".format, _s(_ALNUM + "-_", 35)),
    st.builds("ya29.{}".format, _s(_ALNUM + "-_", 80)),
    st.builds("hf_{}".format, _s(_ALNUM, 34)),
    st.builds("eyJ{}.eyJ{}.{}".format, _s(_ALNUM, 20), _s(_ALNUM, 40), _s(_ALNUM + "-_", 43)),
    st.builds("pplx-{}".format, _s(_ALNUM, 48)),
    st.builds("csk-{}".format, _s(string.ascii_lowercase + string.digits, 48)),
    st.builds("fw_{}".format, _s(_ALNUM, 24)),
    st.builds("{}k_live_{}".format, st.sampled_from("sr"), _s(_ALNUM, 99)),
    st.builds("glpat-{}".format, _s(_ALNUM + "-_", 20)),
    st.builds("1//0{}".format, _s(_ALNUM + "-_", 99)),
)
# Keys with no recognisable prefix (Azure, Mistral, Cohere): safe only in an auth position.
BARE_KEYS = st.one_of(_s("0123456789abcdef", 32), _s(_ALNUM, 32), _s(_ALNUM, 40),
                      _s(_ALNUM, 84))
ANY_KEY = st.one_of(KEY_FORMATS, BARE_KEYS)
# Header names that are not credentials by name (the value decides).
PLAIN_NAMES = st.builds("x-{}".format, st.text("abcdefghmnoqruvwxz-", min_size=3, max_size=12)
                        ).filter(lambda n: not header_is_credential(n))
# Content that is not credential-like: words, numbers, punctuation of ordinary JSON text.
SAFE_TEXT = st.text(string.ascii_letters + string.digits + " .,:;!?'()-", max_size=60).filter(
    lambda t: not patterns.find(t) and REDACTED not in t)


def _flat(value: object) -> str:
    return json.dumps(value) if not isinstance(value, (str, bytes)) else str(value)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(token=ANY_KEY, name=st.sampled_from([*CREDENTIAL_HEADERS, "x-custom-api-key",
                                            "x-session-token", "X-Api-Key"]),
       bearer=st.booleans(), as_list=st.booleans())
def test_credential_headers_never_survive(token: str, name: str, bearer: bool,
                                          as_list: bool) -> None:
    value = f"Bearer {token}" if bearer else token
    out = scrub_headers({name: [value] if as_list else value, "Content-Type": "application/json"})
    assert token not in _flat(out)
    assert out["Content-Type"] == "application/json"


@settings(max_examples=60)
@given(token=KEY_FORMATS, name=PLAIN_NAMES, prefix=SAFE_TEXT)
def test_key_shaped_values_in_any_header_never_survive(token: str, name: str,
                                                        prefix: str) -> None:
    assume(token not in prefix)
    out = scrub_headers({name: f"{prefix} {token}"})
    assert token not in _flat(out)


@settings(max_examples=60)
@given(token=ANY_KEY, name=st.sampled_from([*CREDENTIAL_QUERY, "X-Amz-Signature", "API_KEY"]),
       other=SAFE_TEXT)
def test_credential_query_parameters_never_survive(token: str, name: str, other: str) -> None:
    uri = scrub_uri(f"https://example.com/v1/models/m:stream?alt=sse&{name}={token}&q=x")
    assert token not in uri
    assert dict(parse_qsl(urlsplit(uri).query)) == {"alt": "sse", "q": "x"}


@settings(max_examples=50)
@given(token=KEY_FORMATS, name=st.text("abcdefgmnoprsuvwxyz_", min_size=1, max_size=8))
def test_key_shaped_query_values_never_survive(token: str, name: str) -> None:
    assert token not in scrub_uri(f"https://example.com/x?{name}={token}")


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(token=ANY_KEY, key=st.sampled_from(CREDENTIAL_JSON_KEYS), depth=st.integers(0, 3),
       text=SAFE_TEXT)
def test_credential_json_fields_never_survive(token: str, key: str, depth: int,
                                              text: str) -> None:
    assume(token not in text)
    body: object = {key: token, "note": text}
    for _ in range(depth):
        body = {"data": [body, {"x": 1}]}
    raw = json.dumps(body).encode()
    scrubbed = scrub_body(raw, "application/json")
    assert token not in scrubbed.decode()
    assert text in json.dumps(json.loads(scrubbed))  # the rest stays, JSON stays valid


@settings(max_examples=60)
@given(token=KEY_FORMATS, text=SAFE_TEXT, sse=st.booleans())
def test_key_shaped_strings_anywhere_in_a_body_never_survive(token: str, text: str,
                                                            sse: bool) -> None:
    payload = json.dumps({"choices": [{"delta": {"content": f"{text} {token} {text}"}}]})
    body = f"data: {payload}\n\ndata: [DONE]\n\n" if sse else payload
    out = scrub_body(body.encode(), "text/event-stream" if sse else "application/json")
    assert token not in out.decode()


@settings(max_examples=50)
@given(token=ANY_KEY, field=st.sampled_from(["assertion", "client_secret", "refresh_token",
                                             "subject_token", "code"]))
def test_oauth_form_fields_never_survive(token: str, field: str) -> None:
    body = f"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&{field}={token}"
    out = scrub_body(body.encode(), "application/x-www-form-urlencoded")
    assert token not in out.decode()
    assert dict(parse_qsl(out.decode()))["grant_type"].endswith("jwt-bearer")


@settings(max_examples=50)
@given(token=st.text(_ALNUM + "-_.", min_size=12, max_size=60), where=st.integers(0, 3))
def test_a_secret_the_run_was_given_never_survives_in_any_position(token: str,
                                                                   where: int) -> None:
    # Whatever its format: the literal value is known, so it is removed everywhere.
    headers = {"user-agent": f"agent/{token}"} if where == 0 else {"accept": "*/*"}
    uri = f"https://h.example/p/{token}" if where == 1 else "https://h.example/p"
    body = f'{{"text": "{token}"}}'.encode() if where == 2 else b'{"a": 1}'
    text = f"error: {token} rejected" if where == 3 else "ok"
    known = {token}
    dumped = (_flat(scrub_headers(headers, known)) + scrub_uri(uri, known)
              + scrub_body(body, "application/json", known).decode() + scrub_text(text, known))
    assert token not in dumped


@settings(max_examples=60)
@given(values=st.dictionaries(st.sampled_from(PLAIN_HEADERS), SAFE_TEXT,
                              max_size=8),
       stainless=SAFE_TEXT)
def test_non_secret_headers_pass_untouched(values: dict[str, str], stainless: str) -> None:
    headers = {**values, "x-stainless-retry-count": stainless,
               "x-ratelimit-remaining-tokens": "9999", "anthropic-ratelimit-tokens-reset": "1"}
    assert scrub_headers(headers) == headers


@settings(max_examples=60)
@given(body=st.recursive(st.one_of(SAFE_TEXT, st.integers(), st.booleans(), st.none()),
                         lambda kids: st.one_of(
                             st.lists(kids, max_size=3),
                             st.dictionaries(st.sampled_from(["name", "age", "bio", "city",
                                                              "items", "content", "model"]),
                                             kids, max_size=3)),
                         max_leaves=10),
       sse=st.booleans())
def test_non_secret_bodies_are_returned_byte_for_byte(body: object, sse: bool) -> None:
    text = json.dumps(body, ensure_ascii=False)
    raw = (f"data: {text}\n\n" if sse else text).encode()
    assert scrub_body(raw, "text/event-stream" if sse else "application/json") is raw


@settings(max_examples=50)
@given(path=st.text(string.ascii_lowercase + "/-_", max_size=30),
       query=st.dictionaries(st.sampled_from(["alt", "api-version", "stream", "q"]),
                             st.text(_ALNUM + "-", min_size=1, max_size=12), max_size=3))
def test_non_secret_uris_are_untouched(path: str, query: dict[str, str]) -> None:
    from urllib.parse import urlencode
    uri = f"https://api.example.com/{path}" + (f"?{urlencode(query)}" if query else "")
    assert scrub_uri(uri) == uri


# Each credential form as the providers really send it.
_SIGV4 = ("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLQ/20251124/us-east-1/bedrock/"
          "aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="
          "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
_JWT = ("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImFiYyJ9.eyJpc3MiOiJzYUBwLmlhbSIsInNjb3Bl"
        "IjoiY2xvdWQifQ.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl")
FORMS = [
    ("header", "Authorization", "Bearer sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0f",
     "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0f"),
    ("header", "x-api-key", "sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9Dc8Ba7AA",
     "sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9Dc8Ba7AA"),
    ("header", "api-key", "3f9c2b7a1e8d4c6b9a0f5e2d7c1b8a4f", "3f9c2b7a1e8d4c6b9a0f5e2d7c1b8a4f"),
    ("header", "x-goog-api-key", "AIzaSyD4x9Qm2Lp7Vt3Rk8Wn1Hs6Jc5Fb0Gy4Ue",
     "AIzaSyD4x9Qm2Lp7Vt3Rk8Wn1Hs6Jc5Fb0Gy4Ue"),
    ("header", "Authorization", _SIGV4, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b"),
    ("header", "X-Amz-Security-Token", "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ",
     "IQoJb3JpZ2luX2VjEJr"),
    ("header", "X-Amz-Date", "20251124T051603Z", "20251124T051603Z"),
    ("header", "Cookie", "__cf_bm=Xy7Qm2Lp9Vt3Rk8Wn1Hs6Jc5Fb0Gy4Ue; _cfuvid=abc123def456",
     "Xy7Qm2Lp9Vt3Rk8Wn1Hs6Jc5Fb0Gy4Ue"),
    ("header", "Set-Cookie", "__cf_bm=Pq7Rs2Tu9Vw3Xy8Za1Bc; path=/; HttpOnly",
     "Pq7Rs2Tu9Vw3Xy8Za1Bc"),
    ("header", "OpenAI-Organization", "org-Ab12Cd34Ef56Gh78Ij90Kl12",
     "org-Ab12Cd34Ef56Gh78Ij90Kl12"),
    ("header", "OpenAI-Project", "proj_Zy98Xw76Vu54Ts32Rq10Po98", "proj_Zy98Xw76Vu54Ts32Rq10Po98"),
    ("header", "anthropic-organization-id", "4f1c7e2a-9b3d-4e8f-a6c5-1d2e3f4a5b6c",
     "4f1c7e2a-9b3d-4e8f-a6c5-1d2e3f4a5b6c"),
    ("header", "x-goog-user-project", "my-billing-project-4711", "my-billing-project-4711"),
    ("query", "key", "AIzaSyQ1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J",
     "AIzaSyQ1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J"),
    ("query", "X-Amz-Signature", "aa0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b",
     "aa0b1c2d3e4f5a6b7c8d9e0f"),
    ("query", "X-Amz-Credential", "AKIAIOSFODNN7EXAMPLQ/20251124/us-east-1/s3/aws4_request",
     "AKIAIOSFODNN7EXAMPLQ"),
    ("userinfo", "", "user:s3cr3t-passw0rd-value", "s3cr3t-passw0rd-value"),
    ("form", "assertion", _JWT, _JWT[:40]),
    ("json", "access_token", "ya29.a0AfB_byC3dE4fG5hI6jK7lM8nO9pQ0rS1tU2vW3xY4zA5bC6dE7",
     "ya29.a0AfB_byC3dE4fG5hI6jK7lM8nO9pQ0r"),
    ("json", "id_token", _JWT, _JWT[:40]),
    ("json", "refresh_token", "1//0gLq7Xy9Zw2Vu4Ts6Rq8Po0Nm3Lk5Ji7Hg9Fe",
     "1//0gLq7Xy9Zw2Vu4Ts6Rq8"),
]


@pytest.mark.parametrize("where,name,value,secret", FORMS, ids=[f"{f[0]}-{f[1] or 'url'}"
                                                                  for f in FORMS])
def test_every_credential_form_of_every_provider_is_removed(where: str, name: str, value: str,
                                                            secret: str) -> None:
    if where == "header":
        out = _flat(scrub_headers({name: [value], "accept": ["application/json"]}))
        assert "application/json" in out
    elif where == "query":
        out = scrub_uri(f"https://h.example/v1/x?alt=sse&{name}={value}")
        assert "alt=sse" in out
    elif where == "userinfo":
        out = scrub_uri(f"https://{value}@h.example/v1/x")
        assert out == "https://h.example/v1/x"
    elif where == "form":
        out = scrub_body(f"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&"
                         f"{name}={value}".encode(), "application/x-www-form-urlencoded").decode()
        assert "grant_type=" in out
    else:
        out = scrub_body(json.dumps({name: value, "expires_in": 3599, "token_type": "Bearer"}),
                         "application/json")
        assert json.loads(out) == {name: REDACTED, "expires_in": 3599, "token_type": "Bearer"}
    assert secret not in out


def test_real_recordings_keep_their_plain_headers_and_lose_their_credentials() -> None:
    # Every header of every real provider recording: credentials gone, the rest unchanged.
    checked = 0
    for provider in ("openai", "azure", "mistral", "anthropic", "bedrock", "cohere", "gemini",
                     "vertex"):
        for exchange in wire_samples.load_all(provider):
            out = scrub_headers(dict(exchange.headers))
            for name, value in exchange.headers.items():
                if name.lower() in CREDENTIAL_HEADERS or name.lower() in NOISE_HEADERS:
                    assert name not in out
                elif not header_is_credential(name) and not patterns.find(value):
                    assert out[name] == value, name
                    checked += 1
    if not checked:
        pytest.skip(wire_samples.SKIP_REASON)
    assert checked > 300


# --- each list entry, one by one, with a value that does not look like a key -----------------
# A plain value is what makes the lists matter: a key-shaped value is caught by its shape, a
# credential-like name by the name rule (REDACTED, kept), but only the deny-list drops a header.

_PLAIN_VALUE = "plain-value-7"


@pytest.mark.parametrize("name", CREDENTIAL_HEADERS)
def test_each_credential_header_is_dropped_whatever_its_value(name: str) -> None:
    for spelled in (name, name.upper(), name.title()):
        headers = {spelled: [_PLAIN_VALUE], "accept": ["application/json"]}
        assert scrub_headers(headers) == {"accept": ["application/json"]}, spelled
        assert header_is_credential(spelled) is True


@pytest.mark.parametrize("name", NOISE_HEADERS)
def test_noise_headers_are_dropped(name: str) -> None:
    assert scrub_headers({name: ["127.0.0.1:41234"], "Accept": "*/*"}) == {"Accept": "*/*"}
    assert scrub_headers({name.title(): "x"}) == {}


def test_a_credential_named_header_outside_the_lists_is_redacted_not_dropped() -> None:
    headers = {"x-custom-api-key": _PLAIN_VALUE, "X-Session-Token": ["a", "b"],
               "x-tenant-id": "t1", "x-billing-account": "acct-1", "x-plain": "kept"}
    assert scrub_headers(headers) == {"x-custom-api-key": REDACTED,
                                      "X-Session-Token": [REDACTED, REDACTED],
                                      "x-tenant-id": REDACTED, "x-billing-account": REDACTED,
                                      "x-plain": "kept"}
    assert [header_is_credential(n) for n in headers] == [True, True, True, True, False]


def test_every_plain_header_passes_untouched_even_when_named_like_a_credential() -> None:
    headers = {name: ["v 1"] for name in PLAIN_HEADERS}
    # Families whose names contain 'token' or 'key' but carry counters and limits.
    families = {"x-stainless-retry-count": "0", "x-ratelimit-remaining-tokens": "9999",
                "anthropic-ratelimit-input-tokens-limit": "400000",
                "x-amzn-bedrock-input-token-count": "12", "ratelimit-remaining-tokens": "7"}
    assert scrub_headers({**headers, **families}) == {**headers, **families}
    assert [n for n in (*PLAIN_HEADERS, *families) if header_is_credential(n)] == []
    assert header_is_credential("Num_Tokens") is False


def test_a_plain_header_value_shaped_like_a_key_is_still_redacted() -> None:
    key = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0f"
    assert scrub_headers({"user-agent": f"agent {key}", "accept": ["*/*", key]}) == {
        "user-agent": f"agent {REDACTED}", "accept": ["*/*", REDACTED]}
    assert scrub_headers({"user-agent": "agent key-v2"}, ["key-v2"]) == {
        "user-agent": f"agent {REDACTED}"}


@pytest.mark.parametrize("name", CREDENTIAL_QUERY)
def test_each_credential_query_parameter_is_dropped_whatever_its_value(name: str) -> None:
    for spelled in (name, name.upper()):
        uri = f"https://h.example/v1/x?alt=sse&{spelled}=abc&q=1"
        assert scrub_uri(uri) == "https://h.example/v1/x?alt=sse&q=1", spelled


def test_query_parameters_named_like_credentials_are_dropped_and_the_rest_kept() -> None:
    uri = ("https://h.example/v1/x?api-version=2024-10-21&alt=sse&x-tenant=t&"
           "my_session=s&q=plain")
    assert scrub_uri(uri) == "https://h.example/v1/x?api-version=2024-10-21&alt=sse&q=plain"
    # Nothing to drop: the URI comes back character for character (no re-encoding).
    assert scrub_uri("https://h.example/v1/x?q=a%20b&alt=sse") == \
        "https://h.example/v1/x?q=a%20b&alt=sse"


def test_the_emulator_port_and_userinfo_are_hidden() -> None:
    assert scrub_uri("http://127.0.0.1:41234/v1/chat?alt=sse") == \
        "http://emulator.invalid/v1/chat?alt=sse"
    assert scrub_uri("https://user:pw-1@h.example/v1") == "https://h.example/v1"
    assert scrub_uri("https://h.example/v1/keys/sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1") == \
        f"https://h.example/v1/keys/{REDACTED}"


@pytest.mark.parametrize("name", CREDENTIAL_FORM_FIELDS)
def test_each_oauth_form_field_is_redacted_whatever_its_value(name: str) -> None:
    body = f"grant_type=client_credentials&{name}=abc&scope=s"
    expected = f"grant_type=client_credentials&{name}={REDACTED}&scope=s"
    assert scrub_body(body, "application/x-www-form-urlencoded") == expected
    # A token request is recognised by its first field even without a content type.
    assert scrub_body(body.encode()) == expected.encode()


def test_a_form_without_credentials_is_returned_as_is() -> None:
    body = b"grant_type=client_credentials&scope=s%20t"
    assert scrub_body(body, "application/x-www-form-urlencoded") is body


@pytest.mark.parametrize("key", CREDENTIAL_JSON_KEYS)
def test_each_credential_json_key_is_redacted_whatever_its_value(key: str) -> None:
    body = json.dumps({key: "abc", "note": "kept", "n": 1})
    assert json.loads(scrub_body(body, "application/json")) == {key: REDACTED, "note": "kept",
                                                                "n": 1}
    assert scrub_text(f'{{"{key}" :  "a\\"b"}}') == f'{{"{key}" :  "{REDACTED}"}}'


def test_scrub_text_redacts_given_secrets_longest_first_and_ignores_short_ones() -> None:
    assert scrub_text("abcdefgh and abcdef", ["abcdef", "abcdefgh"]) == \
        f"{REDACTED} and {REDACTED}"
    assert scrub_text("abcde stays", ["abcde", ""]) == "abcde stays"


@given(secrets=st.lists(st.text("abcdef0123", min_size=6, max_size=14), min_size=1,
                        max_size=300, unique=True),
       picks=st.lists(st.integers(0, 299), max_size=4), filler=st.text("xyz -", max_size=40))
def test_many_secrets_are_found_through_the_index_exactly_as_by_a_search_for_each(
        secrets: list[str], picks: list[int], filler: str) -> None:
    # A long run knows hundreds of secrets (a token per exchange): they are then found
    # through an index of their first characters, which must miss none of them.
    text = filler.join(secrets[i % len(secrets)] for i in picks) or filler
    known = known_secrets(secrets)
    assert known.inside(text) == [s for s in known if s in text]
    scrubbed = scrub_text(text, secrets)
    assert not any(s in scrubbed for s in secrets if s not in REDACTED)


def test_the_longest_of_many_secrets_goes_first_whatever_path_finds_them() -> None:
    many = [f"tok{i:05d}" for i in range(500)] + ["abcdef", "abcdefgh"]
    assert scrub_text("abcdefgh and abcdef and tok00042", many) == \
        f"{REDACTED} and {REDACTED} and {REDACTED}"


def test_binary_bodies_keep_their_length_with_the_secret_masked() -> None:
    key = "AKIAIOSFODNN7EXAMPLQ"
    raw = b'\x00\xff{"k":"' + key.encode() + b'"}\x00my-secret-1\xff'
    out = scrub_body(raw, "application/vnd.amazon.eventstream", ["my-secret-1"])
    assert out == b'\x00\xff{"k":"' + b"R" * 20 + b'"}\x00' + b"R" * 11 + b"\xff"
    plain = b"\x00\xff plain"
    assert scrub_body(plain, "application/vnd.amazon.eventstream") is plain


def test_bodies_that_are_not_text_pass_through() -> None:
    assert scrub_body(None) is None
    assert scrub_body(b"") == b""
    parsed = {"access_token": "abc"}
    assert scrub_body(parsed) is parsed


# --- edges the mutation run found untested ------------------------------------------------------

def test_a_secret_inside_a_longer_one_does_not_split_it() -> None:
    # Longest first: the outer secret goes whole, not around the inner one.
    assert scrub_text("xabcdefghx", ["bcdefg", "abcdefgh"]) == f"x{REDACTED}x"


def test_header_values_that_are_not_text_pass_untouched() -> None:
    assert scrub_headers({"x-retry-count": 3, "x-flag": None, "accept": ["*/*"]}) == {
        "x-retry-count": 3, "x-flag": None, "accept": ["*/*"]}


def test_a_query_parameter_carrying_a_given_secret_is_dropped() -> None:
    assert scrub_uri("https://h.example/x?q=my-secret-1&alt=sse", ["my-secret-1"]) == \
        "https://h.example/x?alt=sse"


def test_userinfo_with_an_at_sign_in_the_password_is_removed_whole() -> None:
    assert scrub_uri("https://user:p@ss@h.example/v1") == "https://h.example/v1"


def test_blank_query_parameters_and_form_fields_are_kept() -> None:
    assert scrub_uri("https://h.example/x?stream=&key=abc") == "https://h.example/x?stream="
    assert scrub_body("grant_type=x&scope=&assertion=abc", "application/x-www-form-urlencoded") \
        == f"grant_type=x&scope=&assertion={REDACTED}"


def test_a_form_is_recognised_by_its_content_type_alone() -> None:
    assert scrub_body("client_id=a&client_secret=b", "application/x-www-form-urlencoded") == \
        f"client_id=a&client_secret={REDACTED}"
    assert scrub_body("client_id=a&scope=my-secret-1", "application/x-www-form-urlencoded",
                      ["my-secret-1"]) == f"client_id=a&scope={REDACTED}"
