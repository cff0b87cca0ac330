"""The Gemini 3 generation of the Google emulator against its recordings (../shared/wire-samples/
gemini3, and the gemini-3 streams in gemini/ and vertex/), and what litellm makes of it.

Pinned: a function call whole in a chunk of its own, the first signed, then (Gemini API) a
separate finish chunk holding only an empty text part with finishReason STOP and no
finishMessage; usageMetadata with thoughtsTokenCount on every chunk; functionCall.id on
gemini-3-flash, none on gemini-3-pro; text ending with an empty signed part; non-streamed
parallel calls as parts of one content with finishMessage; Vertex ending on its last chunk.
Gemini 2.5 (the `gemini` entry) keeps the finish inside the call chunk.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import litellm
import pytest

from harness.emulators import google_genai
from harness.emulators.server import EmulatorHost
from harness.providers import get_provider
from harness.providers.entries import vertex
from harness.scenarios import get_scenario
from tests.wire_samples import is_sse, load_all, sse_json

_SIMPLE, _USERS = get_scenario("sync"), get_scenario("iterable_sync")
_ONE_USER = {"name": "User", "parameters": {"type": "object", "properties": {
    "name": {"type": "string"}, "age": {"type": "integer"}}, "required": ["name", "age"]}}
_FLASH, _PRO = "gemini-3-flash-preview", "gemini-3-pro-preview"
_VERTEX_PATH = "/v1/projects/p/locations/global/publishers/google/models"
_HTTP = httpx.Client(timeout=10)


@pytest.fixture(scope="module")
def host() -> Iterator[EmulatorHost]:
    emulators = EmulatorHost()
    yield emulators
    emulators.close()


@pytest.fixture(scope="module")
def roots(host: EmulatorHost) -> dict[str, str]:
    return {"gemini": host.url("g3", lambda: google_genai.make_app(google_genai.GEMINI)),
            "vertex": host.url("v3", lambda: google_genai.make_app(google_genai.VERTEX))}


@pytest.fixture(scope="module")
def token(roots: dict[str, str]) -> str:
    from google.auth.transport.requests import Request
    from google.oauth2 import service_account

    info = json.loads(vertex.fake_credentials(roots["vertex"])["vertex_credentials"])
    creds = service_account.Credentials.from_service_account_info(
        info, scopes=["https://www.googleapis.com/auth/cloud-platform"])
    creds.refresh(Request())
    return creds.token


def _stream(roots: dict[str, str], model: str, body: dict[str, Any], token: str = "",
            method: str = "streamGenerateContent") -> Any:
    query = "?alt=sse" if method == "streamGenerateContent" else ""
    if token:
        url, headers = f"{roots['vertex']}{_VERTEX_PATH}/{model}:{method}{query}", {
            "Authorization": f"Bearer {token}"}
    else:
        url, headers = f"{roots['gemini']}/v1beta/models/{model}:{method}{query}", {
            "x-goog-api-key": "k"}
    response = _HTTP.post(url, json=body, headers=headers)
    assert response.status_code == 200, response.text
    return sse_json(response.content) if query else response.json()


def _request(prompt: str, tools: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {"contents": [{"role": "user", "parts": [{"text": prompt}]}]}
    if tools:
        body["tools"] = [{"functionDeclarations": [_ONE_USER]}]
    return body


def _recorded() -> list[list[dict[str, Any]]]:
    """Every recorded gemini-3 stream of the Gemini API (SSE and the body-only fixture)."""
    streams = [sse_json(e.body) for folder in ("gemini", "gemini3") for e in load_all(folder)
               if is_sse(e)]
    streams += [[json.loads(line) for line in e.body.splitlines()] for e in load_all("gemini3")
                if e.source.endswith(".txt")]
    return [s for s in streams if s and s[0]["modelVersion"].startswith("gemini-3")]


def _parts(chunk: dict[str, Any]) -> list[dict[str, Any]]:
    return chunk["candidates"][0]["content"]["parts"]


def _shapes(chunk: dict[str, Any]) -> set[tuple[str, tuple[str, ...]]]:
    cand = chunk["candidates"][0]
    out = {("top", tuple(chunk)), ("candidate", tuple(cand)), ("content", tuple(cand["content"])),
           ("usage", tuple(chunk["usageMetadata"]))}
    for part in _parts(chunk):
        out.add(("part", tuple(part)))
        if "functionCall" in part:
            out.add(("call", tuple(part["functionCall"])))
    return out


@pytest.mark.parametrize("model", [_FLASH, _PRO])
def test_a_call_has_its_own_chunk_then_a_separate_finish_chunk(roots: dict[str, str],
                                                               model: str) -> None:
    recorded = [s for s in _recorded() if any("functionCall" in p for p in _parts(s[0]))]
    assert len(recorded) == 3
    allowed = set().union(*(_shapes(c) for s in _recorded() for c in s))
    for chunks in [*recorded, _stream(roots, model, _request(_SIMPLE.prompt))]:
        assert len(chunks) == 2
        call, finish = chunks
        assert "finishReason" not in call["candidates"][0]
        assert "thoughtSignature" in _parts(call)[0]
        assert _parts(finish) == [{"text": ""}] and finish["candidates"][0] == {
            "content": {"parts": [{"text": ""}], "role": "model"}, "finishReason": "STOP",
            "index": 0}  # no finishMessage, unlike gemini-2.5
        assert call["usageMetadata"] == finish["usageMetadata"]
        assert call["usageMetadata"]["thoughtsTokenCount"] > 0
    assert set().union(*map(_shapes, chunks)) <= allowed


def test_function_call_ids_on_gemini_3_flash_only(roots: dict[str, str]) -> None:
    recorded = {s[0]["modelVersion"]: _parts(s[0])[0]["functionCall"] for s in _recorded()
                if "functionCall" in _parts(s[0])[0]}
    assert "id" in recorded[_FLASH] and "id" not in recorded[_PRO]
    flash = _parts(_stream(roots, _FLASH, _request(_SIMPLE.prompt))[0])[0]["functionCall"]
    pro = _parts(_stream(roots, _PRO, _request(_SIMPLE.prompt))[0])[0]["functionCall"]
    assert list(flash) == list(recorded[_FLASH]) and list(pro) == list(recorded[_PRO])
    assert len(flash["id"]) == len(recorded[_FLASH]["id"]) and flash["id"].islower()


def test_parallel_calls_stream_one_per_chunk_the_first_signed(roots: dict[str, str],
                                                              host: EmulatorHost) -> None:
    with host.expecting("g3", _USERS.expected):
        chunks = _stream(roots, _FLASH, _request(_USERS.prompt))
    assert [len(_parts(c)) for c in chunks] == [1, 1, 1, 1]
    assert [_parts(c)[0]["functionCall"]["args"] for c in chunks[:3]] == _USERS.expected
    assert ["thoughtSignature" in _parts(c)[0] for c in chunks[:3]] == [True, False, False]
    assert ["finishReason" in c["candidates"][0] for c in chunks] == [False] * 3 + [True]
    with host.expecting("g3", _USERS.expected):  # gemini-2.5: every call in the finish chunk
        old = _stream(roots, "gemini-2.5-flash", _request(_USERS.prompt))
    assert len(old) == 1 and len(_parts(old[0])) == 3
    assert old[0]["candidates"][0]["finishMessage"] == "Model generated function call(s)."


def test_non_streamed_parallel_calls_are_parts_of_one_content(roots: dict[str, str],
                                                              host: EmulatorHost) -> None:
    real = json.loads(next(e.body for e in load_all("gemini3")
                           if "instructions_only" in e.source))
    with host.expecting("g3", _USERS.expected):
        mine = _stream(roots, _FLASH, _request(_USERS.prompt), method="generateContent")
    for answer in (real, mine):  # the sample is stored re-serialised: key sets, not order
        candidate = answer["candidates"][0]
        parts = candidate["content"]["parts"]
        assert len(parts) == 3 and all("functionCall" in p for p in parts)
        assert ["thoughtSignature" in p for p in parts] == [True, False, False]
        assert (candidate["finishReason"], candidate["finishMessage"]) == (
            "STOP", "Model generated function call(s).")
    assert set(mine) == set(real) and set(mine["candidates"][0]) == set(real["candidates"][0])
    assert set(mine["usageMetadata"]) == set(real["usageMetadata"])


def test_text_ends_with_an_empty_signed_part(roots: dict[str, str]) -> None:
    recorded = next(s for s in _recorded() if s[0]["modelVersion"] == _FLASH
                    and "text" in _parts(s[0])[0])
    body = _request(get_scenario("partial_async").prompt, tools=False)
    body["generationConfig"] = {"responseMimeType": "application/json"}
    for chunks in (recorded, _stream(roots, _FLASH, body)):
        assert ["finishReason" in c["candidates"][0] for c in chunks] == \
            [False] * (len(chunks) - 1) + [True]
        assert _parts(chunks[-1])[0]["text"] == "" and "thoughtSignature" in _parts(chunks[-1])[0]
        assert all("thoughtSignature" not in p for c in chunks[:-1] for p in _parts(c))


def test_vertex_ends_on_its_last_chunk_without_a_separate_finish(roots: dict[str, str],
                                                                 token: str,
                                                                 host: EmulatorHost) -> None:
    recorded = [sse_json(e.body) for e in load_all("vertex") if is_sse(e)
                and b"gemini-3" in e.body]
    assert recorded and all(len(s) == 1 and "thoughtSignature" in _parts(s[0])[0]
                            for s in recorded)  # the text ends on its own, signed chunk
    with host.expecting("v3", _USERS.expected):
        chunks = _stream(roots, _FLASH, _request(_USERS.prompt), token=token)
    assert [len(_parts(c)) for c in chunks] == [1, 1, 1]
    assert ["finishReason" in c["candidates"][0] for c in chunks] == [False, False, True]
    assert [c["usageMetadata"] == {"trafficType": "ON_DEMAND"} for c in chunks] == \
        [True, True, False]
    text = _stream(roots, _FLASH, _request("Say OK", tools=False), token=token)
    assert len(text) == 1 and "thoughtSignature" in _parts(text[0])[0]


@pytest.mark.parametrize("provider", ["gemini3", "vertex_gemini3"])
def test_litellm_assembles_per_chunk_parallel_calls_and_the_separate_finish(
        host: EmulatorHost, provider: str) -> None:
    # What litellm makes of the generation's chunks (the guide's scenarios never ask for
    # parallel calls: instructor wraps an iterable in one call): one tool call per chunk with
    # the cumulative index, the function's id as the call's id, finish_reason tool_calls once.
    entry = get_provider(provider)
    root = host.url(provider, entry.emulator)  # type: ignore[arg-type]
    if entry.before_cell:
        entry.before_cell()
    tool = {"type": "function", "function": _ONE_USER}
    with host.expecting(provider, _USERS.expected):
        chunks = list(litellm.completion(
            model=entry.model_string(), messages=[{"role": "user", "content": _USERS.prompt}],
            tools=[tool], stream=True, num_retries=0, **entry.point_at(root),
            **entry.fake_credentials(root)))
    deltas = [call for c in chunks for call in c.choices[0].delta.tool_calls or []]
    assert [(d.index, json.loads(d.function.arguments)) for d in deltas] == \
        list(enumerate(_USERS.expected))
    assert [c.choices[0].finish_reason for c in chunks if c.choices[0].finish_reason] == \
        ["tool_calls"]
    ids = [d.id for d in deltas]
    assert len(set(ids)) == 3 and ids[0].split("__thought__")[0] == ids[0][:8]
    built = litellm.stream_chunk_builder(chunks)
    assert [json.loads(t.function.arguments) for t in built.choices[0].message.tool_calls] == \
        _USERS.expected
