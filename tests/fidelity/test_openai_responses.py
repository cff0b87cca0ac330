"""The Responses API emulator (`POST /v1/responses`) against real recordings
(../shared/wire-samples/openai-responses): the event sequence of a function call and of text,
`event:` + `data:` framing with no [DONE], the key order of every event and of the Response
object as the 2026 recording sends them, sequence numbers, obfuscation padding, token-sized
argument deltas, the id scheme, usage, and the non-streamed Response."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.emulators import openai_responses
from harness.emulators.server import EmulatorHost
from harness.scenarios import get_scenario
from tests.wire_samples import Exchange, load_all, sse_events

_PROFILE = get_scenario("partial_async")
_SCHEMA = _PROFILE.response_model.model_json_schema()
_HTTP = httpx.Client(timeout=10)
_NEWEST = "llm__"  # the 2026 recording (gpt-5.5): sequence numbers, obfuscation, key order


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    host = EmulatorHost()
    yield host.url("openai_responses", openai_responses.make_app)
    host.close()


def _streams() -> list[Exchange]:
    return [e for e in load_all("openai-responses") if "event-stream" in e.content_type]


def _events(body: bytes) -> list[tuple[str, dict[str, Any]]]:
    return [(name or "", json.loads(data)) for name, data in sse_events(body)]


def _request(*, tool: bool = False, fmt: dict[str, Any] | None = None,
             stream: bool = True) -> dict[str, Any]:
    """What litellm sends for instructor's tools or JSON modes."""
    body: dict[str, Any] = {"model": "gpt-4o-mini", "input": [
        {"type": "message", "role": "user",
         "content": [{"type": "input_text", "text": _PROFILE.prompt}]}]}
    if stream:
        body["stream"] = True
    if tool:
        body["tool_choice"] = {"type": "function", "name": "UserProfile"}
        body["tools"] = [{"name": "UserProfile", "parameters": _SCHEMA, "strict": None,
                          "type": "function", "description": "A profile."}]
    if fmt:
        body["text"] = {"format": fmt}
    return body


def _post(root: str, body: dict[str, Any]) -> httpx.Response:
    response = _HTTP.post(root + "/v1/responses", json=body,
                          headers={"Authorization": "Bearer emulator-key"})
    assert response.status_code == 200, response.text
    return response


def _names(events: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Event names with runs of deltas collapsed to one, reasoning items left out."""
    out: list[str] = []
    for name, data in events:
        if (data.get("item") or {}).get("type") == "reasoning":
            continue
        if not (name.endswith(".delta") and out and out[-1] == name):
            out.append(name)
    return out


def test_the_event_sequences_of_a_call_and_of_text_are_the_samples(root: str) -> None:
    recorded = {tuple(_names(_events(e.body))) for e in _streams()}
    call = _names(_events(_post(root, _request(tool=True)).content))
    text = _names(_events(_post(root, _request(fmt={"type": "json_object"})).content))
    assert tuple(call) in recorded and tuple(text) in recorded
    assert call[3] == "response.function_call_arguments.delta" and call[-1] == \
        "response.completed"


def test_framing_is_event_and_data_lines_without_done(root: str) -> None:
    body = _post(root, _request(tool=True)).content
    for raw in [e.body for e in _streams()] + [body]:
        assert b"[DONE]" not in raw and raw.endswith(b"}\n\n")
        for block in raw.split(b"\n\n")[:-1]:
            name, data = block.split(b"\n")
            assert name.startswith(b"event: response.") and data.startswith(b"data: {")
            assert json.loads(data[6:])["type"] == name[7:].decode()


def _shapes(events: list[tuple[str, dict[str, Any]]]) -> dict[tuple[str, str], list[str]]:
    """(event, what) -> key order: the event's own keys, and its item's or part's."""
    out = {}
    for name, data in events:
        out[(name, "")] = list(data)
        for key in ("item", "part"):
            if key in data:
                out[(name, f"{key}:{data[key]['type']}")] = list(data[key])
    return out


def test_every_event_has_the_key_order_of_the_2026_recording(root: str) -> None:
    newest: dict[tuple[str, str], list[str]] = {}
    for e in _streams():
        if _NEWEST in e.source:
            newest.update(_shapes(_events(e.body)))
    mine = _shapes(_events(_post(root, _request(tool=True)).content))
    mine.update(_shapes(_events(_post(root, _request(fmt={"type": "json_object"})).content)))
    assert len(mine) > 15
    for what, keys in mine.items():
        # `phase` (final_answer) is gpt-5.5's: the gpt-4o recording (2025-10) has none.
        assert keys == [k for k in newest[what] if k != "phase"], what


def test_sequence_numbers_count_and_obfuscation_pads_every_delta_to_16(root: str) -> None:
    mine = _events(_post(root, _request(tool=True)).content)
    assert [d["sequence_number"] for _, d in mine] == list(range(len(mine)))
    recorded = [d for e in _streams() for _, d in _events(e.body) if "obfuscation" in d]
    assert len(recorded) > 40
    for data in recorded + [d for _, d in mine if "delta" in d]:
        assert len(data["delta"]) + len(data["obfuscation"]) == 16, data
        assert data["obfuscation"].isalnum()


def test_arguments_arrive_in_token_sized_deltas_after_an_empty_item(root: str) -> None:
    recorded = [len(d["delta"]) for e in _streams() for n, d in _events(e.body)
                if n == "response.function_call_arguments.delta"]
    mine = _events(_post(root, _request(tool=True)).content)
    added = next(d for n, d in mine if n == "response.output_item.added")
    assert added["item"]["arguments"] == "" and added["item"]["status"] == "in_progress"
    deltas = [d["delta"] for n, d in mine if n == "response.function_call_arguments.delta"]
    assert len(deltas) > 10 and max(map(len, deltas)) <= max(recorded) + 2
    done = next(d for n, d in mine if n == "response.function_call_arguments.done")
    assert "".join(deltas) == done["arguments"]
    assert json.loads(done["arguments"]) == _PROFILE.expected
    assert done["arguments"].startswith('{"name":"Jason"')  # compact, as recorded


def test_the_response_object_ids_and_usage_are_shaped_like_2026(root: str) -> None:
    newest = next(d["response"] for e in _streams() if _NEWEST in e.source
                  for n, d in _events(e.body) if n == "response.completed")
    mine = _events(_post(root, _request(tool=True)).content)
    created, completed = mine[0][1]["response"], mine[-1][1]["response"]
    assert list(created) == list(completed) == list(newest)
    assert (created["status"], created["output"], created["usage"]) == ("in_progress", [], None)
    assert completed["status"] == "completed" and list(completed["usage"]) == \
        list(newest["usage"])
    item = completed["output"][0]
    assert list(item) == list(newest["output"][0])
    for mine_id, real_id in ((completed["id"], newest["id"]), (item["id"], newest["output"][0]
                                                              ["id"])):
        assert mine_id.split("_")[0] == real_id.split("_")[0]
        assert len(mine_id) == len(real_id) and mine_id[-50:-34] == completed["id"][-50:-34]
    assert int(completed["id"][-32:-24], 16) == completed["created_at"]
    assert len(item["call_id"]) == len(newest["output"][0]["call_id"])


def test_a_non_streamed_answer_is_the_completed_response(root: str) -> None:
    real = json.loads(next(e.body for e in load_all("openai-responses")
                           if "json" in e.content_type))
    mine = _post(root, _request(tool=True, stream=False)).json()
    assert set(mine) >= set(real) - {"billing"}  # billing: only in the 2026-01 recording
    assert mine["object"] == "response" and mine["status"] == "completed"
    call = mine["output"][0]
    assert set(call) == set(real["output"][1]) and call["type"] == "function_call"
    assert json.loads(call["arguments"]) == _PROFILE.expected
    assert mine["tools"][0]["strict"] is True  # strict null is echoed as the API's default


def test_text_formats_and_tool_choice_none(root: str) -> None:
    schema = {"type": "json_schema", "name": "UserProfile", "schema": _SCHEMA, "strict": False}
    text = _post(root, _request(fmt=schema, stream=False)).json()["output"][0]
    assert text["type"] == "message" and list(text) == ["id", "type", "status", "content", "role"]
    assert text["content"][0]["text"].startswith('{"name":"Jason"')  # compact JSON
    pretty = _post(root, _request(fmt={"type": "json_object"}, stream=False)).json()
    assert json.loads(pretty["output"][0]["content"][0]["text"]) == _PROFILE.expected
    none = _post(root, {**_request(tool=True, stream=False), "tool_choice": "none"}).json()
    assert none["output"][0]["type"] == "message"


def test_errors_have_openai_shapes(root: str) -> None:
    missing = _HTTP.post(root + "/v1/responses", json=_request())
    assert missing.status_code == 401 and "Authorization" in missing.json()["error"]["message"]
    unknown = _HTTP.post(root + "/v1/responsez", json=_request(),
                         headers={"Authorization": "Bearer k"})
    assert unknown.status_code == 404 and unknown.json()["error"]["type"] == \
        "invalid_request_error"


def test_a_chat_completions_tool_choice_and_unknown_parameters_get_the_apis_400(
        root: str) -> None:
    # OpenAI's answer to the Chat Completions shape, as BerriAI/litellm#27611 and
    # langchain-ai/langchain#35584 quote it: "Unknown parameter: 'tool_choice.function'."
    nested = {**_request(tool=True), "tool_choice": {"type": "function",
                                                     "function": {"name": "UserProfile"}}}
    refused = _HTTP.post(root + "/v1/responses", json=nested,
                         headers={"Authorization": "Bearer k"})
    assert refused.status_code == 400
    assert refused.json() == {"error": {
        "message": "Unknown parameter: 'tool_choice.function'.", "type": "invalid_request_error",
        "param": "tool_choice.function", "code": "unknown_parameter"}}
    nameless = {**_request(tool=True), "tool_choice": {"type": "function"}}
    assert _HTTP.post(root + "/v1/responses", json=nameless, headers={
        "Authorization": "Bearer k"}).json()["error"]["code"] == "missing_required_parameter"
    chat = {**_request(), "messages": []}
    assert _HTTP.post(root + "/v1/responses", json=chat, headers={
        "Authorization": "Bearer k"}).json()["error"]["param"] == "messages"


def test_obfuscation_can_be_turned_off(root: str) -> None:
    body = {**_request(tool=True), "stream_options": {"include_obfuscation": False}}
    events = _events(_post(root, body).content)
    deltas = [d for _, d in events if "delta" in d]
    assert deltas and not any("obfuscation" in d for d in deltas)
