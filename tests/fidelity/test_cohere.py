"""The Cohere v2 chat emulator against real /v2/chat recordings (../shared/wire-samples/cohere).

The emulator is driven over HTTP with requests shaped like litellm's (OpenAI-style messages and
tools, our scenario prompt and schema) and compared with what the real API sent: the SSE event
sequence and framing, every event type's field names and order, how tool arguments are cut,
and the non-streamed answer's fields. v2 text streams have no sample: for them only the parts
they share with the recorded tool streams (message-start, message-end, framing) are compared.
"""

from __future__ import annotations

import functools
import json
from itertools import groupby
from typing import Any

import httpx
import pytest

from harness.emulators import cohere_chat
from harness.emulators.server import emulator_host
from harness.scenarios import get_scenario
from tests.wire_samples import Exchange, is_sse, load_all, sse_events

_PROFILE = get_scenario("partial_async")
_HEADERS = {"Authorization": "Bearer emulator-key"}


@functools.cache
def _samples() -> tuple[Exchange, ...]:
    return tuple(ex for ex in load_all("cohere") if ex.uri.endswith("/v2/chat"))


def _tool_streams() -> list[list[tuple[str | None, str]]]:
    """Recorded v2 streams that end in tool calls (the other v2 streams end in an error)."""
    streams = [sse_events(ex.body) for ex in _samples() if is_sse(ex)]
    return [s for s in streams if any(name == "tool-call-start" for name, _ in s)]


def _sample_json() -> list[dict[str, Any]]:
    return [json.loads(ex.body) for ex in _samples() if not is_sse(ex) and ex.status == 200]


def _request(kind: str, *, stream: bool) -> dict[str, Any]:
    """What litellm's CohereV2ChatConfig sends for instructor's tools or md_json mode."""
    model = _PROFILE.response_model
    schema = model.model_json_schema()
    messages = [{"role": "user", "content": _PROFILE.prompt}]
    body: dict[str, Any] = {"model": "command-a-03-2025", "messages": messages}
    if kind == "tool":
        body["tools"] = [{"type": "function", "function": {
            "name": model.__name__, "description": "profile", "parameters": schema}}]
    else:
        messages.insert(0, {"role": "system", "content": f"Answer in a ```json block matching "
                                                          f"{json.dumps(schema)}"})
    if stream:
        body["stream"] = True
    return body


def _post(body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
    root = emulator_host().url("fidelity-cohere", cohere_chat.make_app)
    return httpx.post(root + "/v2/chat", json=body, headers=_HEADERS if headers is None
                      else headers, timeout=30)


def _emulated_stream(kind: str) -> tuple[httpx.Response, list[tuple[str | None, str]]]:
    response = _post(_request(kind, stream=True))
    assert response.status_code == 200, response.text
    return response, sse_events(response.content)


def _shape(value: Any) -> Any:
    """Key names and order, recursively (lists by their first item)."""
    if isinstance(value, dict):
        return [(k, _shape(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return None


def _shapes(events: list[tuple[str | None, str]]) -> dict[str, list]:
    """Every shape each event type takes (the [DONE] terminator excluded)."""
    out: dict[str, list] = {}
    for name, data in events:
        if name is not None:
            shape = _shape(json.loads(data))
            if shape not in out.setdefault(name, []):
                out[name].append(shape)
    return out


def _collapsed(events: list[tuple[str | None, str]]) -> list[str | None]:
    return [name for name, _ in groupby(name for name, _ in events)]


def _arguments(events: list[tuple[str | None, str]]) -> list[list[str]]:
    calls: dict[int, list[str]] = {}
    for name, data in events:
        if name == "tool-call-delta":
            event = json.loads(data)
            piece = event["delta"]["message"]["tool_calls"]["function"]["arguments"]
            calls.setdefault(event["index"], []).append(piece)
    return list(calls.values())


def test_tool_stream_event_sequence_and_framing() -> None:
    """message-start, tool-plan-delta…, tool-call-start/delta…/end, message-end, bare [DONE]."""
    response, events = _emulated_stream("tool")
    assert response.headers["content-type"] == "text/event-stream"
    single_call = [_collapsed(s) for s in _tool_streams()
                   if sum(name == "tool-call-start" for name, _ in s) == 1]
    assert single_call and _collapsed(events) in single_call
    for stream in [*_tool_streams(), events]:
        assert stream[-1] == (None, "[DONE]")
        assert all(json.loads(data)["type"] == name for name, data in stream[:-1])


def test_tool_stream_event_fields_match_the_samples() -> None:
    """Each event type carries the real field names in the real order (and nothing else)."""
    real: dict[str, list] = {}
    for stream in _tool_streams():
        for name, shapes in _shapes(stream).items():
            real.setdefault(name, []).extend(s for s in shapes if s not in real.get(name, []))
    _, events = _emulated_stream("tool")
    emulated = _shapes(events)
    assert set(emulated) == set(real)
    for name, shapes in emulated.items():
        assert all(shape in real[name] for shape in shapes), name


def test_tool_call_start_opens_with_id_name_and_empty_arguments() -> None:
    """The call's id is '<tool name>_<12 lowercase letters/digits>'; arguments come later."""
    for stream in [*_tool_streams(), _emulated_stream("tool")[1]]:
        starts = [json.loads(d)["delta"]["message"]["tool_calls"] for n, d in stream
                  if n == "tool-call-start"]
        for call in starts:
            name, suffix = call["id"].rsplit("_", 1)
            assert name == call["function"]["name"] and len(suffix) == 12
            assert suffix == suffix.lower() and suffix.isalnum()
            assert call["function"]["arguments"] == "" and call["type"] == "function"


def test_argument_cuts_are_real_cuts() -> None:
    """On the recorded arguments, every cut the emulator makes is one the API made."""
    compared = 0
    for stream in _tool_streams():
        for real in _arguments(stream):
            text = "".join(real)
            ours = cohere_chat.argument_fragments(text)
            assert "".join(ours) == text
            real_cuts = {sum(map(len, real[:i])) for i in range(1, len(real))}
            our_cuts = {sum(map(len, ours[:i])) for i in range(1, len(ours))}
            assert our_cuts <= real_cuts
            assert len(ours) >= 0.9 * len(real)  # misses at most a sub-word split in ten
            compared += 1
    assert compared >= 3


def test_streamed_arguments_are_indented_and_token_sized() -> None:
    """Streamed arguments are 4-space-indented JSON cut no coarser than the samples."""
    real = [a for s in _tool_streams() for a in _arguments(s)]
    (ours,) = _arguments(_emulated_stream("tool")[1])
    for pieces in [*real, ours]:
        text = "".join(pieces)
        assert text == json.dumps(json.loads(text), indent=4, ensure_ascii=False)
    assert ours[0] == real[0][0]  # the opening brace, line break, indent and first quote
    assert max(map(len, ours)) <= max(len(p) for a in real for p in a)
    assert len("".join(ours)) / len(ours) <= max(len("".join(a)) / len(a) for a in real)
    assert len(ours) >= 40  # a ~170-character answer is dozens of deltas


def test_message_end_carries_finish_reason_and_usage() -> None:
    """message-end: TOOL_CALL or COMPLETE, usage with billed_units then tokens."""
    for kind, finish in (("tool", "TOOL_CALL"), ("content", "COMPLETE")):
        _, events = _emulated_stream(kind)
        name, data = events[-2]
        end = json.loads(data)
        assert name == "message-end" and end["delta"]["finish_reason"] == finish
        real = [json.loads(d) for s in _tool_streams() for n, d in s if n == "message-end"]
        assert _shape(end) in [_shape(r) for r in real]


def test_content_stream_wraps_the_text_in_content_events() -> None:
    """A text answer: message-start as recorded, content-start/-delta…/-end, message-end."""
    _, events = _emulated_stream("content")
    assert _collapsed(events) == ["message-start", "content-start", "content-delta",
                                  "content-end", "message-end", None]
    real_start = [_shape(json.loads(s[0][1])) for s in _tool_streams()]
    assert _shape(json.loads(events[0][1])) in real_start
    text = "".join(json.loads(d)["delta"]["message"]["content"]["text"] for n, d in events
                   if n == "content-delta")
    assert text.startswith("```json\n") and json.loads(text[8:-4]) == _PROFILE.expected
    assert sum(n == "content-delta" for n, _ in events) >= 40  # token-sized deltas


@pytest.mark.parametrize("kind", ["tool", "content"])
def test_non_streamed_answer_fields_match_the_samples(kind: str) -> None:
    """id, message, finish_reason, usage; a tool message is role, tool_plan, tool_calls."""
    real = {"tool": [r for r in _sample_json() if r["finish_reason"] == "TOOL_CALL"],
            "content": [r for r in _sample_json() if r["finish_reason"] == "COMPLETE"]}[kind]
    response = _post(_request(kind, stream=False))
    assert response.status_code == 200 and real
    real_type = {ex.content_type for ex in _samples() if not is_sse(ex)}
    assert real_type == {response.headers["content-type"]}
    ours = response.json()
    assert list(ours) == list(real[0]) and _shape(ours["usage"]) == _shape(real[0]["usage"])
    message, real_message = ours["message"], real[0]["message"]
    # The recorded text answer cites tool results; without documents there is no citations.
    assert list(message) == [k for k in real_message if k != "citations"]
    if kind == "tool":
        call, real_call = message["tool_calls"][0], real_message["tool_calls"][0]
        assert _shape(call) == _shape(real_call)
        for args in (call["function"]["arguments"], real_call["function"]["arguments"]):
            assert args == json.dumps(json.loads(args), separators=(",", ":"))  # compact
    else:
        assert _shape(message["content"]) == _shape(real_message["content"])


def test_missing_bearer_token_is_rejected() -> None:
    """Like the real API, no Authorization header means 401 and no answer."""
    response = _post(_request("tool", stream=False), headers={})
    assert response.status_code == 401 and "message" in response.json()
