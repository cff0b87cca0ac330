"""The OpenAI-family emulators (OpenAI, Azure, Mistral) against the real recordings.

Each test drives the emulator's HTTP server the way litellm does and compares what it sends
with ../shared/wire-samples/{openai,azure,mistral}: field names and their order, the chunk
sequence, where tool arguments start and how finely they are cut, and how a stream ends.
Samples whose recorder re-serialised the JSON (pydantic-ai stores non-streamed bodies as YAML
with sorted keys) are not used for key order; their SSE bodies are verbatim and are used.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import httpx
import pytest

from harness.emulators import openai_chat
from harness.emulators.server import emulator_host
from harness.scenarios import get_scenario
from tests.wire_samples import Exchange, is_sse, load_all, sse_events

_TARGETS = {  # flavour, request path, auth header, as litellm calls each
    "openai": (openai_chat.OPENAI, "/v1/chat/completions",
               {"Authorization": "Bearer emulator-key"}),
    "azure": (openai_chat.AZURE,
              "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21",
              {"api-key": "emulator-key"}),
    "mistral": (openai_chat.MISTRAL, "/v1/chat/completions",
                {"Authorization": "Bearer emulator-key"}),
}
# The longest scenario answer, so arguments and content span many fragments.
_SCENARIO = get_scenario("partial_async")
_RESORTED = ("pydantic-ai__",)  # recorders whose stored JSON key order is not the wire's


@dataclass
class Stream:
    """One SSE answer: its decoded chunks and whether it ended with [DONE]."""

    kind: str  # "tool" or "content"
    include_usage: bool
    chunks: list[dict[str, Any]]
    done: bool


def _request(kind: str, provider: str, *, stream: bool, include_usage: bool = False) -> dict:
    """The body litellm sends for instructor's tools mode or JSON mode."""
    model = _SCENARIO.response_model
    schema = model.model_json_schema()
    body: dict[str, Any] = {"model": "gpt-4o-mini" if provider != "mistral" else
                            "mistral-small-latest",
                            "messages": [{"role": "user", "content": _SCENARIO.prompt}]}
    if kind == "tool":
        body["tools"] = [{"type": "function", "function": {
            "name": model.__name__, "description": "profile", "parameters": schema}}]
        body["tool_choice"] = {"type": "function", "function": {"name": model.__name__}}
    else:
        body["messages"].insert(0, {"role": "system",
                                    "content": f"Answer with JSON matching {json.dumps(schema)}"})
        body["response_format"] = {"type": "json_object"}
    if stream:
        body["stream"] = True
    if include_usage:
        body["stream_options"] = {"include_usage": True}
    return body


def _post(provider: str, body: dict) -> httpx.Response:
    flavour, path, headers = _TARGETS[provider]
    root = emulator_host().url(f"fidelity-{provider}", lambda: openai_chat.make_app(flavour))
    response = httpx.post(root + path, json=body, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return response


def _parse(body: bytes, kind: str, include_usage: bool) -> Stream:
    events = [data for _, data in sse_events(body)]
    chunks = [json.loads(data) for data in events if data != "[DONE]"]
    return Stream(kind, include_usage, chunks, bool(events) and events[-1] == "[DONE]")


def _emulated(provider: str, kind: str, include_usage: bool = False) -> Stream:
    body = _request(kind, provider, stream=True, include_usage=include_usage)
    return _parse(_post(provider, body).content, kind, include_usage)


def _kind(chunks: list[dict[str, Any]]) -> str:
    has_tool = any((c.get("delta") or {}).get("tool_calls")
                   for chunk in chunks for c in chunk.get("choices") or [])
    return "tool" if has_tool else "content"


def _exchanges(provider: str) -> tuple[Exchange, ...]:
    return load_all(provider)


@functools.cache
def _sample_streams(provider: str) -> tuple[Stream, ...]:
    out = []
    for ex in _exchanges(provider):
        if not is_sse(ex):
            continue
        request = ex.request if isinstance(ex.request, dict) else {}
        usage = bool((request.get("stream_options") or {}).get("include_usage"))
        stream = _parse(ex.body, "", usage)
        stream.kind = _kind(stream.chunks)
        out.append(stream)
    return tuple(out)


def _matching(provider: str, kind: str, include_usage: bool) -> list[Stream]:
    streams = [s for s in _sample_streams(provider) if s.kind == kind
               and (provider == "mistral" or s.include_usage == include_usage)]
    assert streams, f"no {provider} {kind} sample stream to compare with"
    return streams


def _role(chunk: dict[str, Any]) -> str:
    if "prompt_filter_results" in chunk:
        return "filter"
    choices = chunk.get("choices") or []
    if not choices:
        return "usage"
    if choices[0].get("finish_reason"):
        return "finish"
    return "open" if "role" in (choices[0].get("delta") or {}) else "delta"


def _layout(chunk: dict[str, Any]) -> tuple:
    """Field names in order, level by level (usage is compared on its own)."""
    choice = (chunk.get("choices") or [{}])[0]
    delta = choice.get("delta") or {}
    call = (delta.get("tool_calls") or [{}])[0]
    return (("chunk", tuple(chunk)), ("choice", tuple(choice)), ("delta", tuple(delta)),
            ("tool_call", tuple(call)), ("function", tuple(call.get("function") or {})))


def _roles(stream: Stream) -> tuple[str, ...]:
    return tuple(role for role, _ in groupby(_role(c) for c in stream.chunks))


_CASES = [("openai", "tool", True), ("openai", "content", True), ("azure", "tool", True),
          ("azure", "content", True), ("mistral", "tool", False), ("mistral", "content", False)]
@pytest.mark.parametrize(("provider", "kind", "include_usage"), _CASES)
def test_chunk_fields_and_order_match_a_sample(provider: str, kind: str,
                                               include_usage: bool) -> None:
    """Every emulated chunk's field names, in order, occur in a real chunk of the same role."""
    samples = _matching(provider, kind, include_usage)
    seen = {(_role(c), _layout(c)) for s in samples for c in s.chunks}
    emulated = _emulated(provider, kind, include_usage)
    unseen = sorted({(_role(c), _layout(c)) for c in emulated.chunks} - seen)
    assert not unseen, f"{provider} {kind} chunk layouts no sample has: {unseen}"


@pytest.mark.parametrize(("provider", "kind", "include_usage"), _CASES)
def test_chunk_sequence_and_done_match_a_sample(provider: str, kind: str,
                                                include_usage: bool) -> None:
    """The run of chunk roles (filter, open, deltas, finish, usage) is a real one, then [DONE]."""
    samples = _matching(provider, kind, include_usage)
    emulated = _emulated(provider, kind, include_usage)
    assert emulated.done and all(s.done for s in samples)
    assert _roles(emulated) in {_roles(s) for s in samples}, _roles(emulated)


@pytest.mark.parametrize("provider", ["openai", "azure"])
def test_usage_chunk_only_when_requested(provider: str) -> None:
    """With include_usage: the finish chunk, one chunk with empty choices and usage, [DONE]."""
    emulated = _emulated(provider, "tool", include_usage=True)
    assert [_role(c) for c in emulated.chunks[-2:]] == ["finish", "usage"]
    assert emulated.chunks[-1]["usage"]["total_tokens"] > 0
    plain = _emulated(provider, "tool", include_usage=False)
    assert "usage" not in [_role(c) for c in plain.chunks] and plain.done


def test_openai_without_include_usage_has_no_usage_key() -> None:
    """Samples streamed without stream_options carry no `usage` field; nor may the emulator."""
    samples = [s for s in _sample_streams("openai") if not s.include_usage]
    assert samples and all("usage" not in c for s in samples for c in s.chunks)
    emulated = _emulated("openai", "tool", include_usage=False)
    assert all("usage" not in c for c in emulated.chunks)


def _usage_layouts(objects: list[dict[str, Any]]) -> set[tuple]:
    return {(tuple(u), tuple((k, tuple(v)) for k, v in u.items() if isinstance(v, dict)))
            for u in objects if u}


@pytest.mark.parametrize("provider", ["openai", "mistral", "azure"])
def test_usage_field_order_matches_a_sample(provider: str) -> None:
    """The usage object's fields and nested details come in a real order."""
    samples = _usage_layouts([c.get("usage") for s in _sample_streams(provider)
                              for c in s.chunks if c.get("usage")])
    emulated = _emulated(provider, "tool", include_usage=provider != "mistral")
    assert samples
    assert _usage_layouts([c.get("usage") for c in emulated.chunks]) <= samples


def _fragments(stream: Stream) -> list[list[str]]:
    calls: dict[tuple[int, int], list[str]] = {}
    for chunk in stream.chunks:
        for choice in chunk.get("choices") or []:
            for call in (choice.get("delta") or {}).get("tool_calls") or []:
                args = (call.get("function") or {}).get("arguments")
                if args:
                    key = (choice.get("index", 0), call.get("index", 0))
                    calls.setdefault(key, []).append(args)
    return list(calls.values())


@pytest.mark.parametrize("provider", ["openai", "azure"])
def test_first_tool_chunk_has_id_type_name_and_empty_arguments(provider: str) -> None:
    """The tool call opens with id, type and name and empty arguments; later deltas omit them."""
    for stream in [*_matching(provider, "tool", True), _emulated(provider, "tool", True)]:
        calls: dict[tuple[int, int], list[dict[str, Any]]] = {}
        for chunk in stream.chunks:
            for choice in chunk.get("choices") or []:
                for call in (choice.get("delta") or {}).get("tool_calls") or []:
                    calls.setdefault((choice["index"], call["index"]), []).append(call)
        for first, *rest in calls.values():
            assert first["id"] and first["type"] == "function" and first["function"]["name"]
            assert first["function"]["arguments"] == ""
            assert rest and all("id" not in c and "name" not in c["function"] for c in rest)


@pytest.mark.parametrize("provider", ["openai", "azure"])
def test_argument_fragments_are_token_sized(provider: str) -> None:
    """No fragment above the samples' largest; mean size within the samples' range."""
    real = [f for s in _sample_streams(provider) for f in _fragments(s) if len(f) > 1]
    assert real
    largest = max(len(piece) for f in real for piece in f)
    coarsest = max(sum(map(len, f)) / len(f) for f in real)
    (args,) = _fragments(_emulated(provider, "tool", True))
    assert max(map(len, args)) <= largest
    assert sum(map(len, args)) / len(args) <= coarsest
    assert len(args) >= 10  # a ~150-character answer is many deltas, not a few


def test_mistral_whole_arguments_with_finish_and_usage() -> None:
    """Mistral sends all arguments in one chunk that also carries finish_reason and usage."""
    for stream in [*_matching("mistral", "tool", False), _emulated("mistral", "tool")]:
        (args,) = _fragments(stream)
        assert len(args) == 1 and json.loads(args[0])
        last = stream.chunks[-1]
        assert last["choices"][0]["finish_reason"] == "tool_calls"
        assert last["usage"]["total_tokens"] > 0 and stream.done


def test_azure_filter_chunk_and_content_filter_results() -> None:
    """Azure opens with prompt_filter_results; only content deltas carry filter verdicts."""
    for stream in [*_matching("azure", "content", True), _emulated("azure", "content", True)]:
        first = stream.chunks[0]
        assert first["choices"] == [] and first["id"] == "" and first["created"] == 0
        assert first["prompt_filter_results"][0]["content_filter_results"]["jailbreak"]
        for chunk in stream.chunks[1:]:
            for choice in chunk["choices"]:
                verdicts = choice["content_filter_results"]
                text = (choice.get("delta") or {}).get("content")
                assert sorted(verdicts) == (["hate", "self_harm", "sexual", "violence"]
                                            if text else [])


def _json_layout(body: dict[str, Any]) -> tuple:
    choice = body["choices"][0]
    message = choice["message"]
    call = (message.get("tool_calls") or [{}])[0]
    return (tuple(body), tuple(choice), tuple(message), tuple(call))


def _sample_json(provider: str) -> list[Exchange]:
    return [ex for ex in _exchanges(provider) if not is_sse(ex) and ex.status == 200
            and not ex.source.startswith(_RESORTED)]


@pytest.mark.parametrize("provider", ["azure", "mistral"])
def test_non_streamed_field_order_matches_a_sample(provider: str) -> None:
    """A non-streamed answer's top, choice, message and tool-call fields come in a real order."""
    samples = {_json_layout(json.loads(ex.body)) for ex in _sample_json(provider)}
    assert samples
    kinds = ["tool", "content"] if provider == "azure" else ["content"]  # no raw tool sample
    for kind in kinds:
        body = _post(provider, _request(kind, provider, stream=False)).json()
        assert _json_layout(body) in samples, (kind, _json_layout(body))
