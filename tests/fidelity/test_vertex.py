"""The Vertex AI emulator against real recordings (../shared/wire-samples/vertex), and its OAuth.

Vertex serves the Gemini payloads under projects/<p>/locations/<l>/publishers/google/models/
with its own chunk shape (role before parts, no index, usageMetadata {trafficType} until the
last chunk, createTime). Authentication is google-auth's real service-account flow against the
emulator's token endpoint, with a key generated for the run. Deliberately reproduced only when
requested: gemini-3 partialArgs (streamFunctionCallArguments), checked against the body-only
fixture; its numberValue/boolValue entries are extrapolated (the fixture holds strings only).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.cells import Cell
from harness.emulators import google_genai
from harness.emulators.fragments import token_fragments
from harness.emulators.server import EmulatorHost
from harness.providers.entries import vertex
from harness.run.runner import Runner, RunSettings
from harness.scenarios import get_scenario
from tests.wire_samples import is_sse, load_all, sse_json

_SIMPLE, _NESTED, _USERS = (get_scenario(n) for n in ("sync", "nested", "iterable_sync"))
_PATH = "/v1/projects/test-project/locations/us-central1/publishers/google/models"
_USER_DECL = {"name": "User", "parameters": {"type": "OBJECT", "properties": {
    "name": {"type": "STRING"}, "age": {"type": "INTEGER"}}}}
_HTTP = httpx.Client(timeout=10)  # one client: a new one per request costs ~80 ms of TLS setup


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    host = EmulatorHost()
    yield host.url("vertex", lambda: google_genai.make_app(google_genai.VERTEX))
    host.close()


def _credentials(root: str) -> Any:
    from google.oauth2 import service_account

    info = json.loads(vertex.fake_credentials(root)["vertex_credentials"])
    return service_account.Credentials.from_service_account_info(
        info, scopes=["https://www.googleapis.com/auth/cloud-platform"])


@pytest.fixture(scope="module")
def token(root: str) -> str:
    from google.auth.transport.requests import Request

    creds = _credentials(root)
    creds.refresh(Request())  # google-auth's own JWT-bearer exchange, over `requests`
    return creds.token


def _post(root: str, token: str | None, model: str, body: dict[str, Any],
          method: str = "streamGenerateContent") -> httpx.Response:
    query = "?alt=sse" if method == "streamGenerateContent" else ""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return _HTTP.post(f"{root}{_PATH}/{model}:{method}{query}", json=body, headers=headers)


def _request(prompt: str, tools: bool = False, **calling: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"contents": [{"parts": [{"text": prompt}], "role": "user"}]}
    if tools:
        body["tools"] = [{"functionDeclarations": [_USER_DECL]}]
        body["toolConfig"] = {"functionCallingConfig": {"mode": "ANY", **calling}}
    return body


def _shapes(chunk: dict[str, Any], parts_only: bool = False) -> set[tuple[str, tuple[str, ...]]]:
    out: set[tuple[str, tuple[str, ...]]] = set()
    for cand in chunk["candidates"]:
        for part in cand["content"]["parts"]:
            out.add(("part", tuple(part)))
            if "functionCall" in part:
                out.add(("call", tuple(part["functionCall"])))
        if not parts_only:
            out |= {("candidate", tuple(cand)), ("content", tuple(cand["content"]))}
    if not parts_only:
        out |= {("top", tuple(chunk)), ("usage", tuple(chunk["usageMetadata"]))}
    return out


def test_token_exchange_checks_the_signed_assertion(root: str, token: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from google.auth.exceptions import RefreshError
    from google.auth.transport.requests import Request
    from google.oauth2 import service_account

    assert token.startswith("emulator-access-")
    # The registered key id, signed with another key: what Google calls a forged assertion.
    info = json.loads(vertex.fake_credentials(root)["vertex_credentials"])
    other = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    info["private_key"] = other.private_bytes(serialization.Encoding.PEM,
                                              serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()).decode()
    forged = service_account.Credentials.from_service_account_info(
        info, scopes=["https://www.googleapis.com/auth/cloud-platform"])
    with pytest.raises(RefreshError, match="invalid_grant: Invalid JWT Signature"):
        forged.refresh(Request())
    body = _request(_SIMPLE.prompt)
    assert _post(root, None, "gemini-2.5-flash", body).status_code == 401
    assert _post(root, "not-issued", "gemini-2.5-flash", body).json()["error"]["status"] == \
        "UNAUTHENTICATED"
    assert _post(root, token, "gemini-2.5-flash", body).status_code == 200


def _streamed_samples() -> list[dict[str, Any]]:
    """Every recorded Vertex stream chunk: SSE recordings and the body-only fixture."""
    chunks = [c for e in load_all("vertex") if is_sse(e) for c in sse_json(e.body)]
    return chunks + [json.loads(line) for e in load_all("vertex") if e.source.endswith(".txt")
                     for line in e.body.decode().splitlines()]


@pytest.mark.parametrize("model", ["gemini-2.5-flash", "gemini-3-flash-preview"])
def test_field_names_and_order_match_the_vertex_samples(root: str, token: str,
                                                        model: str) -> None:
    allowed = set().union(*map(_shapes, _streamed_samples()))
    emitted: set[tuple[str, tuple[str, ...]]] = set()
    chunks = sse_json(_post(root, token, model, _request(_NESTED.prompt)).content)
    for chunk in chunks:
        emitted |= _shapes(chunk)
    assert emitted - allowed == set()
    assert ("top", ("candidates", "usageMetadata", "modelVersion", "createTime",
                    "responseId")) in emitted
    # Usage is only {trafficType} until the last chunk, as in the samples.
    assert [c["usageMetadata"] == {"trafficType": "ON_DEMAND"} for c in chunks] == \
        [True] * (len(chunks) - 1) + [False]
    assert chunks[-1]["candidates"][0]["finishReason"] == "STOP"


def test_events_are_separated_by_crlf_crlf_and_text_chunks_are_coarse(root: str,
                                                                      token: str) -> None:
    raw = _post(root, token, "gemini-2.5-flash", _request(_NESTED.prompt)).content
    for body in [*(e.body for e in load_all("vertex") if is_sse(e)), raw]:
        assert body.endswith(b"\r\n\r\n") and b"\n\n" not in body.replace(b"\r\n\r\n", b"")
    texts = [p["text"] for c in sse_json(raw) for p in c["candidates"][0]["content"]["parts"]]
    # Vertex reports usage only at the end: 388 tokens in 6 chunks (~65 per chunk) in the
    # recorded 2.5-flash stream, which our token approximation counts the same way.
    recorded = [c for e in load_all("vertex") if is_sse(e) for c in sse_json(e.body)
                if c["modelVersion"] == "gemini-2.5-flash"]
    total = recorded[-1]["usageMetadata"]["candidatesTokenCount"]
    assert round(total / len(recorded)) == google_genai.VERTEX.chunk_tokens
    per_chunk = [len(token_fragments(p["text"])) for c in recorded
                 for p in c["candidates"][0]["content"]["parts"]]
    assert max(len(token_fragments(t)) for t in texts) <= max(per_chunk)
    assert len(texts) == 2 and len(token_fragments(texts[0])) == google_genai.VERTEX.chunk_tokens
    fenced = "".join(texts)
    assert fenced.startswith("```json\n") and json.loads(fenced[8:-4]) == _NESTED.expected


def test_function_calls_arrive_whole_in_one_chunk_shaped_like_the_samples(root: str,
                                                                          token: str) -> None:
    recorded = next(json.loads(e.body) for e in load_all("vertex") if "function_call" in e.source)
    allowed = _shapes(recorded, parts_only=True)
    chunks = sse_json(_post(root, token, "gemini-2.5-flash",
                            _request(_USERS.prompt, tools=True)).content)
    assert len(chunks) == 1 and _shapes(chunks[0], parts_only=True) <= allowed
    parts = chunks[0]["candidates"][0]["content"]["parts"]
    assert [p["functionCall"]["args"] for p in parts] == _USERS.expected
    assert "thoughtSignature" in parts[0] and "thoughtSignature" not in parts[1]
    assert chunks[0]["candidates"][0]["finishReason"] == "STOP"
    assert chunks[0]["usageMetadata"]["candidatesTokenCount"] > 0
    whole = _post(root, token, "gemini-2.5-flash", _request(_SIMPLE.prompt, tools=True),
                  method="generateContent").json()
    # Non-streamed: the recorded answer's keys, in its order, at the levels that matter.
    assert list(whole) == list(recorded)
    assert list(whole["candidates"][0]) == list(recorded["candidates"][0])
    assert list(whole["usageMetadata"]) == list(recorded["usageMetadata"])


def test_partial_args_stream_only_when_requested(root: str, token: str) -> None:
    model = "gemini-3.1-pro-preview"
    plain = sse_json(_post(root, token, model, _request(_SIMPLE.prompt, tools=True)).content)
    assert len(plain) == 1 and plain[0]["candidates"][0]["content"]["parts"][0][
        "functionCall"]["args"] == _SIMPLE.expected
    fixture = [json.loads(line) for e in load_all("vertex") if e.source.endswith(".txt")
               for line in e.body.decode().splitlines()]
    streamed = sse_json(_post(root, token, model, _request(
        _SIMPLE.prompt, tools=True, streamFunctionCallArguments=True)).content)

    def calls(chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [c["candidates"][0]["content"]["parts"][0]["functionCall"] for c in chunks]

    shape = {tuple(c) for c in calls(fixture)}
    assert {tuple(c) for c in calls(streamed)} == shape  # name / partialArgs / {} end marker
    ours, theirs = calls(streamed), calls(fixture)
    assert (ours[0], ours[-1]) == ({"name": "User", "willContinue": True}, {})
    assert (theirs[0]["willContinue"], theirs[-1]) == (True, {})
    strings = [a for c in ours for a in c.get("partialArgs", []) if "stringValue" in a]
    recorded = {tuple(a) for c in theirs for a in c.get("partialArgs", [])}
    assert {tuple(a) for a in strings} == recorded
    assert strings[0] == {"jsonPath": "$.name", "stringValue": "Jason", "willContinue": True}
    assert ["finishReason" in c["candidates"][0] for c in streamed] == \
        [False] * (len(streamed) - 1) + [True]


def test_each_cell_records_its_own_token_exchange_and_replays_alone(tmp_path: Path) -> None:
    cells = [Cell("vertex", "tools", "sync"), Cell("vertex", "json", "async")]
    recorder = Runner(RunSettings(target="emulator", cassette_dir=tmp_path))
    assert [recorder.run_cell(c).outcome for c in cells] == ["pass", "pass"]
    recorder.close()
    for cell in cells:
        text = (tmp_path / "vertex" / cell.mode / f"{cell.scenario}.yaml").read_text()
        assert text.count("uri: http://emulator.invalid/token") == 1
        assert "assertion=REDACTED&grant_type=" in text and "access_token: REDACTED" in text
        for secret in ("PRIVATE KEY", "emulator-access-", "eyJ", "127.0.0.1"):
            assert secret not in text
    # The second cell alone, in a fresh runner: its cassette holds everything it needs.
    alone = Runner(RunSettings(target="replay", cassette_dir=tmp_path))
    result = alone.run_cell(cells[1])
    alone.close()
    assert (result.outcome, result.notes) == ("pass", [])
    assert result.metrics["http_requests"] == 1  # the token exchange is not a model call
    replay = Runner(RunSettings(target="replay", cassette_dir=tmp_path))
    results = [replay.run_cell(c) for c in cells]
    replay.close()
    assert [(r.outcome, r.notes) for r in results] == [("pass", []), ("pass", [])]
    assert results[0].sent == [{"tools": ["User"], "toolConfig": ["functionCallingConfig"]}]
    # litellm's async logging worker leaves coroutines on the closed runner loops: collect
    # them here, not at session end where their warnings can break pytest's own imports.
    gc.collect()
