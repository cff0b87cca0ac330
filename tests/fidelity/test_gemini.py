"""The Gemini API emulator against real recordings (../shared/wire-samples/gemini).

Requests are shaped like the recorded ones (camelCase keys, OBJECT/STRING types, our scenario
prompts) or like litellm's (snake_case); answers are compared with what the real API sent: the
field names and their order at every level, CRLF CRLF event separators, function calls whole
in one chunk (parallel calls as parts of it), JSON text in a few coarse chunks, finishReason
STOP and usageMetadata. Deliberately not reproduced: thought summaries (includeThoughts,
`"thought": true` parts) and serviceTier, which only the llm-gemini samples requested.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.emulators import google_genai
from harness.emulators.server import EmulatorHost
from harness.scenarios import get_scenario
from tests.wire_samples import is_sse, load_all, sse_json

_SIMPLE, _PROFILE, _USERS = (get_scenario(n) for n in ("sync", "partial_async", "iterable_sync"))
_USER_DECL = {"name": "User", "description": "A user.", "parameters": {
    "type": "OBJECT", "properties": {"name": {"type": "STRING"}, "age": {"type": "INTEGER"}},
    "required": ["name", "age"]}}


_HTTP = httpx.Client(timeout=10)  # one client: a new one per request costs ~80 ms of TLS setup


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    host = EmulatorHost()
    yield host.url("gemini", lambda: google_genai.make_app(google_genai.GEMINI))
    host.close()


def _sse_samples() -> list[list[dict[str, Any]]]:
    return [sse_json(e.body) for e in load_all("gemini") if is_sse(e)]


def _post(root: str, model: str, body: dict[str, Any], method: str = "streamGenerateContent",
          sse: bool = True, headers: dict[str, str] | None = None) -> httpx.Response:
    query = "?alt=sse" if sse and method == "streamGenerateContent" else ""
    return _HTTP.post(f"{root}/v1beta/models/{model}:{method}{query}", json=body,
                      headers={"x-goog-api-key": "test-key"} if headers is None else headers)


def _request(prompt: str, *, tools: bool = False, mime: bool = False,
             schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """A request shaped like the recorded ones: contents, optional tools, generationConfig."""
    body: dict[str, Any] = {"contents": [{"parts": [{"text": prompt}], "role": "user"}]}
    if tools:
        body["tools"] = [{"functionDeclarations": [_USER_DECL]}]
    config: dict[str, Any] = {}
    if mime:
        config["responseMimeType"] = "application/json"
    if schema:
        config["responseSchema"] = schema
    body["generationConfig"] = config
    return body


def _shapes(chunk: dict[str, Any]) -> set[tuple[str, tuple[str, ...]]]:
    """The key order of each object level of a chunk, labelled by level."""
    out = {("top", tuple(chunk))}
    for cand in chunk["candidates"]:
        out |= {("candidate", tuple(cand)), ("content", tuple(cand["content"]))}
        for part in cand["content"]["parts"]:
            out.add(("part", tuple(part)))
            if "functionCall" in part:
                out.add(("call", tuple(part["functionCall"])))
    return out | {("usage", tuple(chunk["usageMetadata"]))}


def _texts(chunks: list[dict[str, Any]]) -> list[str]:
    return [p["text"] for c in chunks for p in c["candidates"][0]["content"]["parts"]
            if p.get("text")]


def _calls(chunk: dict[str, Any]) -> list[dict[str, Any]]:
    return [p["functionCall"] for p in chunk["candidates"][0]["content"]["parts"]
            if "functionCall" in p]


@pytest.mark.parametrize("family", ["gemini-2.0", "gemini-2.5", "gemini-3"])
def test_field_names_and_order_match_the_samples_of_each_model_family(root: str,
                                                                      family: str) -> None:
    recorded = [c for chunks in _sse_samples() for c in chunks
                if c["modelVersion"].startswith(family)]
    assert recorded, f"no {family} SSE sample"
    allowed = set().union(*map(_shapes, recorded))
    model = recorded[0]["modelVersion"]
    emitted: set[tuple[str, tuple[str, ...]]] = set()
    bodies = [_request(_SIMPLE.prompt, tools=True), _request(_PROFILE.prompt, mime=True),
              _request(_PROFILE.prompt)]
    if family != "gemini-3":  # its samples hold no parallel calls (unsigned second call)
        bodies.append(_request(_USERS.prompt, tools=True))
    for body in bodies:
        for chunk in sse_json(_post(root, model, body).content):
            emitted |= _shapes(chunk)
    assert emitted - allowed == set()
    # The order that matters most, spelled out: content before finishReason before index.
    if family == "gemini-2.5":
        assert ("candidate", ("content", "finishReason", "index", "finishMessage")) in emitted
        assert ("top", ("candidates", "usageMetadata", "modelVersion", "responseId")) in emitted


def test_events_are_data_lines_separated_by_crlf_crlf_like_the_samples(root: str) -> None:
    recorded = [e.body for e in load_all("gemini") if is_sse(e)]
    body = _post(root, "gemini-2.5-flash", _request(_PROFILE.prompt, mime=True)).content
    for raw in [*recorded, body]:
        assert raw.endswith(b"\r\n\r\n") and b"\n\n" not in raw.replace(b"\r\n\r\n", b"")
        assert all(block.startswith(b"data: {") for block in raw.split(b"\r\n\r\n")[:-1])
    assert len(body.split(b"\r\n\r\n")) - 1 == 2  # the profile JSON: two coarse chunks


def test_parallel_function_calls_arrive_whole_as_parts_of_one_chunk(root: str) -> None:
    for chunks in _sse_samples():  # the real API: every call of a turn in a single chunk
        with_calls = [c for c in chunks if _calls(c)]
        assert len(with_calls) <= 1
    chunks = sse_json(_post(root, "gemini-2.5-flash", _request(_USERS.prompt, tools=True)).content)
    assert len(chunks) == 1
    calls = _calls(chunks[0])
    assert [c["name"] for c in calls] == ["User"] * 3
    assert [c["args"] for c in calls] == _USERS.expected  # args is an object, not a string
    parts = chunks[0]["candidates"][0]["content"]["parts"]
    assert "thoughtSignature" in parts[0] and all("thoughtSignature" not in p for p in parts[1:])
    candidate = chunks[0]["candidates"][0]
    assert candidate["finishReason"] == "STOP"
    assert chunks[0]["usageMetadata"]["promptTokenCount"] > 0


def test_litellm_snake_case_request_forces_the_allowed_function(root: str) -> None:
    body = {"contents": [{"role": "user", "parts": [{"text": _SIMPLE.prompt}]}],
            "tools": [{"function_declarations": [
                # The API refuses an object without properties (schema_rules): one given.
                {"name": "Other", "parameters": {"type": "object", "properties": {
                    "x": {"type": "string"}}}},
                {**_USER_DECL, "name": "Wanted"}]}],
            "toolConfig": {"functionCallingConfig": {"mode": "ANY",
                                                     "allowed_function_names": ["Wanted"]}}}
    chunks = sse_json(_post(root, "gemini-2.5-flash", body).content)
    assert _calls(chunks[0]) == [{"name": "Wanted", "args": _SIMPLE.expected}]


def _token_steps(chunks: list[dict[str, Any]]) -> list[int]:
    """Output tokens each chunk added, from the cumulative candidatesTokenCount."""
    counts = [c["usageMetadata"].get("candidatesTokenCount", 0) for c in chunks]
    return [b - a for a, b in zip([0, *counts], counts, strict=False)]


def test_json_output_streams_in_few_coarse_chunks_like_the_samples(root: str) -> None:
    recorded = [c for c in _sse_samples() if c[0]["modelVersion"].startswith("gemini-2.5")
                and _texts(c)]
    largest = max(step for chunks in recorded for step in _token_steps(chunks))
    assert largest == google_genai.GEMINI.chunk_tokens  # the largest recorded text chunk
    chunks = sse_json(_post(root, "gemini-2.5-flash", _request(_PROFILE.prompt, mime=True)).content)
    pretty = _texts(chunks)
    assert len(pretty) == 2 and max(_token_steps(chunks)) <= largest
    assert json.loads("".join(pretty)) == _PROFILE.expected
    assert "".join(pretty).startswith('{\n  "name": ')  # indented, like JSON-mode samples
    schema = {"type": "OBJECT", "properties": {"name": {"type": "STRING"},
                                               "age": {"type": "INTEGER"}}}
    compact = _texts(sse_json(_post(root, "gemini-2.5-flash", _request(
        _SIMPLE.prompt, mime=True, schema=schema)).content))
    assert compact == ['{"name":"Jason","age":25}']  # responseSchema: compact, one chunk


def test_every_chunk_has_usage_ids_and_only_the_last_a_finish_reason(root: str) -> None:
    chunks = sse_json(_post(root, "gemini-2.5-flash", _request(_PROFILE.prompt)).content)
    assert len(chunks) >= 2
    assert [("finishReason" in c["candidates"][0]) for c in chunks] == \
        [False] * (len(chunks) - 1) + [True]
    assert chunks[-1]["candidates"][0]["finishReason"] == "STOP"
    assert len({(c["responseId"], c["modelVersion"]) for c in chunks}) == 1
    for chunk in [*chunks, *(c for s in _sse_samples() for c in s)]:
        usage = chunk["usageMetadata"]  # present on every chunk, and it adds up
        assert usage["totalTokenCount"] == usage["promptTokenCount"] + usage.get(
            "candidatesTokenCount", 0) + usage.get("thoughtsTokenCount", 0)
    assert "".join(_texts(chunks)).startswith("```json\n")  # no JSON mode: fenced answer


def test_stream_without_alt_sse_is_a_json_array_like_the_samples(root: str) -> None:
    recorded = [e.body for e in load_all("gemini") if not is_sse(e)]
    assert recorded
    body = _post(root, "gemini-2.5-flash", _request(_PROFILE.prompt, mime=True), sse=False)
    assert body.headers["content-type"].startswith("application/json")
    for raw in [*recorded, body.content]:
        chunks = json.loads(raw)
        assert raw.startswith(b"[{\n") and raw.endswith(b"}\n]")
        assert raw.count(b"}\n,\r\n{") == len(chunks) - 1
    assert "".join(_texts(json.loads(body.content))) == json.dumps(_PROFILE.expected, indent=2)


def test_generate_content_answers_one_pretty_object(root: str) -> None:
    response = _post(root, "gemini-2.5-flash", _request(_SIMPLE.prompt, tools=True),
                     method="generateContent")
    assert response.text.startswith('{\n  "candidates": [')
    data = response.json()
    assert _calls(data) == [{"name": "User", "args": _SIMPLE.expected}]
    assert data["candidates"][0]["finishReason"] == "STOP" and "usageMetadata" in data


def test_errors_have_the_api_shape(root: str) -> None:
    body = _request(_SIMPLE.prompt)
    missing_key = _post(root, "gemini-2.5-flash", body, headers={})
    assert missing_key.status_code == 403
    assert missing_key.json()["error"]["status"] == "PERMISSION_DENIED"
    unknown = _post(root, "gemini-2.5-flash", {**body, "response_format": {"type": "json"}})
    assert unknown.status_code == 400
    assert 'Unknown name "response_format"' in unknown.json()["error"]["message"]
    assert _post(root, "gemini-2.5-flash", body, method="countTokenz").status_code == 404
