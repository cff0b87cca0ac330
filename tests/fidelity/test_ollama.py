"""The Ollama native emulator (`POST /api/chat`) against real recordings (../shared/wire-samples/
ollama): NDJSON framing, one token per line, the key order of content, thinking and final lines
(the 2026 recording's), the done line's counts and durations, a non-streamed tool call with its
arguments as an object and done_reason stop. A streamed native tool call has no public
recording: its test holds the emulator to Ollama's API reference instead."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.emulators import ollama_chat
from harness.emulators.server import EmulatorHost
from harness.scenarios import get_scenario
from tests.wire_samples import Exchange, load_all

_SIMPLE, _PROFILE = get_scenario("sync"), get_scenario("partial_async")
_SCHEMA = _PROFILE.response_model.model_json_schema()
_TOOL = {"type": "function", "function": {"name": "UserProfile", "description": "A profile.",
                                          "parameters": _SCHEMA}}
_HTTP = httpx.Client(timeout=10)


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    host = EmulatorHost()
    yield host.url("ollama", ollama_chat.make_app)
    host.close()


def _native() -> list[Exchange]:
    return [e for e in load_all("ollama") if e.uri.endswith("/api/chat")]


def _sample(name_part: str) -> Exchange:
    return next(e for e in _native() if name_part in e.source)


def _lines(body: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in body.splitlines()]


def _post(root: str, body: dict[str, Any]) -> httpx.Response:
    response = _HTTP.post(root + "/api/chat", json=body)
    assert response.status_code == 200, response.text
    return response


def _request(prompt: str, *, model: str = "llama3.1", **extra: Any) -> dict[str, Any]:
    """What litellm's ollama_chat sends: model, messages, options, stream, then the rest."""
    return {"model": model, "messages": [{"role": "user", "content": prompt, "images": []}],
            "options": {}, "stream": True, **extra}


def _shape(line: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(line), tuple(line["message"])


def test_a_stream_is_ndjson_one_token_per_line_like_the_samples(root: str) -> None:
    recorded = [e for e in _native() if len(e.body.splitlines()) > 1]
    assert recorded and all(e.body.endswith(b"}\n") for e in recorded)
    assert _sample("litellm_chat_model").content_type == "application/x-ndjson"
    response = _post(root, _request(_PROFILE.prompt, format="json"))
    assert response.headers["content-type"] == ollama_chat.NDJSON_CONTENT_TYPE
    assert response.content.endswith(b"}\n") and b"\n\n" not in response.content
    lines = _lines(response.content)
    assert [line["done"] for line in lines] == [False] * (len(lines) - 1) + [True]
    content = [line["message"]["content"] for line in lines[:-1]]
    assert max(map(len, content)) <= 9 and len(content) > 20  # token-sized, like " How"
    assert json.loads("".join(content)) == _PROFILE.expected
    assert "".join(content).startswith('{"name": "Jason", "age": 25')  # Ollama's spacing
    # Content lines are shaped like both samples' (model, created_at, message, done).
    allowed = {_shape(line) for e in recorded for line in _lines(e.body)[:-1]}
    assert {_shape(line) for line in lines[:-1]} <= allowed


def test_the_done_line_carries_counts_and_durations_in_the_2026_key_order(root: str) -> None:
    newest = _lines(_sample("test_chat_stream").body)[-1]
    oldest = _lines(_sample("litellm_chat_model").body)[-1]
    assert list(oldest)[3:5] == ["done_reason", "done"]  # 2024's order, no longer sent
    final = _lines(_post(root, _request(_SIMPLE.prompt, format="json")).content)[-1]
    assert list(final) == list(newest)
    assert final["message"] == {"role": "assistant", "content": ""}
    assert final["done_reason"] == "stop" and final["eval_count"] > 0
    assert all(isinstance(final[k], int) and final[k] > 0 for k in list(final)[5:])
    assert final["total_duration"] > final["load_duration"] + final["eval_duration"]


def test_created_at_is_go_rfc3339_utc_with_trimmed_fraction(root: str) -> None:
    lines = _lines(_post(root, _request(_PROFILE.prompt, format="json")).content)
    stamps = [line["created_at"] for line in lines]
    assert stamps == sorted(stamps) and all(s.endswith("Z") and "." in s for s in stamps)
    recorded = [line["created_at"] for e in _native() for line in _lines(e.body)]
    for stamp in [*recorded, *stamps]:  # up to microseconds, trailing zeros trimmed
        fraction = stamp.split(".")[1].rstrip("Z")
        assert 1 <= len(fraction) <= 6 and not fraction.endswith("0"), stamp


def test_a_thinking_model_streams_thinking_lines_first_like_qwen(root: str) -> None:
    recorded = _lines(_sample("test_chat_stream").body)
    thinking = [line for line in recorded if line["message"].get("thinking")]
    lines = _lines(_post(root, _request(_SIMPLE.prompt, model="qwen3", format="json")).content)
    mine = [line for line in lines if line["message"].get("thinking")]
    assert mine and lines[:len(mine)] == mine  # thinking comes first
    assert {_shape(line) for line in mine} == {_shape(thinking[0])}
    assert all(line["message"]["content"] == "" for line in mine)
    plain = _lines(_post(root, _request(_SIMPLE.prompt, model="qwen3", think=False,
                                        format="json")).content)
    assert not any(line["message"].get("thinking") for line in plain)


def test_a_tool_call_is_whole_with_object_arguments_and_done_reason_stop(root: str) -> None:
    recorded = json.loads(_sample("with_tool_call").body)
    body = {**_request(_PROFILE.prompt, model="qwen3"), "stream": False, "tools": [_TOOL]}
    response = _post(root, body)
    assert response.headers["content-type"] == ollama_chat.JSON_CONTENT_TYPE
    assert not response.content.endswith(b"\n")  # one object, as the sample
    mine = response.json()
    assert list(mine) == list(recorded) and list(mine["message"]) == list(recorded["message"])
    call, real = mine["message"]["tool_calls"][0], recorded["message"]["tool_calls"][0]
    assert list(call) == list(real) and list(call["function"]) == list(real["function"])
    assert call["id"].startswith("call_") and len(call["id"]) == len(real["id"])
    assert call["function"]["arguments"] == _PROFILE.expected  # an object, not a string
    assert (mine["done"], mine["done_reason"]) == (recorded["done"], recorded["done_reason"])


def test_a_streamed_tool_call_follows_the_api_reference(root: str) -> None:
    # No public recording: Ollama's reference (and ollama/ollama#12557) show the call whole in
    # one `done: false` line with an empty content, then the final line, done_reason stop.
    lines = _lines(_post(root, {**_request(_PROFILE.prompt), "tools": [_TOOL]}).content)
    assert len(lines) == 2
    call_line, final = lines
    assert call_line["done"] is False and call_line["message"]["content"] == ""
    assert [c["function"]["arguments"] for c in call_line["message"]["tool_calls"]] == \
        [_PROFILE.expected]
    assert final["done"] is True and final["done_reason"] == "stop"
    assert "tool_calls" not in final["message"]


def test_a_tool_result_is_reported_in_text_and_format_schemas_are_kept(root: str) -> None:
    body = _request(_SIMPLE.prompt, tools=[_TOOL])
    body["messages"] += [{"role": "assistant", "content": "", "tool_calls": []},
                         {"role": "tool", "content": "42"}]
    text = "".join(line["message"]["content"] for line in _lines(_post(root, body).content))
    assert text == "The tool returned: 42"
    schema = {"type": "object", "properties": {"city": {"type": "string"}},
              "required": ["city"]}
    lines = _lines(_post(root, _request("Where?", format=schema)).content)
    assert set(json.loads("".join(line["message"]["content"] for line in lines))) == {"city"}


def test_errors_have_ollama_shapes(root: str) -> None:
    missing = _HTTP.post(root + "/api/chat", json={"messages": []})
    assert missing.status_code == 400 and missing.json() == {"error": "model is required"}
    unknown = _HTTP.post(root + "/api/chatz", json=_request("hi"))
    assert (unknown.status_code, unknown.text) == (404, "404 page not found")
    unservable = _HTTP.post(root + "/api/chat", json=_request("hi", format={
        "type": "string", "format": "binary"}))
    assert unservable.status_code == 400 and "cannot be served" in unservable.json()["error"]
