"""The Groq emulator against real recordings (../shared/wire-samples/groq).

Streams: pydantic-ai's gpt-oss-120b exchange (verbatim SSE: [0] reasoning then a mid-stream
`event: error`, [1] a tool call, [2] text) and openllmetry's llama3-8b text stream (2025, usage
only inside x_groq). Non-streamed answers are pydantic-ai's, whose stored JSON is re-sorted:
their key sets are compared, never their order.
"""

from __future__ import annotations

import json
import re

from tests.fidelity import compat
from tests.wire_samples import load_all, sample

_FILE = "tool_use_failed_error_streaming"
_REQ_ID = re.compile(r"req_01[0-9a-z]{24}")


def _sample(index: int) -> compat.Stream:
    return compat.parse(sample("groq", _FILE, index).body)


def test_chunk_layouts_match_the_samples() -> None:
    """Every emulated chunk's fields, level by level and in order, are a recorded chunk's."""
    samples = compat.sample_streams("groq")
    for kind in ("tool", "json"):
        assert compat.unseen_layouts(compat.emulated("groq", kind), samples) == [], kind


def test_chunk_sequence_is_the_recorded_one() -> None:
    """Role and empty content (+ x_groq), reasoning deltas, the call or the content, the
    finish chunk, [DONE]: as the gpt-oss tool and text streams run."""
    tool, text = compat.emulated("groq", "tool"), compat.emulated("groq", "json")
    assert compat.roles(tool) == compat.roles(_sample(1)) == (
        "open", "reasoning", "tool", "finish")
    assert compat.roles(text) == compat.roles(_sample(2)) == (
        "open", "reasoning", "content", "finish")
    assert tool.done and text.done and _sample(1).done and _sample(2).done
    for stream in (tool, _sample(1)):
        reasoning = [compat.delta(c) for c in stream.chunks if compat.role(c) == "reasoning"]
        assert reasoning and all(d.get("channel") == "analysis" for d in reasoning)


def test_tool_arguments_arrive_whole_in_one_chunk() -> None:
    """One delta holds the whole call: id fc_<uuid>, type, name, compact JSON arguments."""
    for stream in (_sample(1), compat.emulated("groq", "tool")):
        calls = [c for chunk in stream.chunks for c in compat.delta(chunk).get("tool_calls") or []]
        (call,) = calls
        assert list(call) == ["id", "type", "function", "index"]
        assert call["id"].startswith("fc_") and len(call["id"]) == 39
        arguments = call["function"]["arguments"]
        assert json.loads(arguments) and ": " not in arguments


def test_x_groq_rides_on_the_first_and_the_finish_chunk() -> None:
    """x_groq{id, seed} on the first chunk, x_groq{id, usage} plus the same top-level usage
    on the finish chunk, on no other; one request id req_01<24> for both."""
    for stream in (_sample(1), _sample(2), compat.emulated("groq", "tool")):
        first, *middle, finish = stream.chunks
        assert list(first["x_groq"]) == ["id", "seed"] and isinstance(first["x_groq"]["seed"], int)
        assert list(finish["x_groq"]) == ["id", "usage"]
        assert finish["x_groq"]["usage"] == finish["usage"]
        assert first["x_groq"]["id"] == finish["x_groq"]["id"]
        assert _REQ_ID.fullmatch(first["x_groq"]["id"])
        assert not any("x_groq" in c or "usage" in c for c in middle)


def test_usage_has_the_recorded_times_and_order() -> None:
    recorded = compat.usage_layout(_sample(1).chunks[-1]["usage"])
    emulated = compat.emulated("groq", "tool").chunks[-1]["usage"]
    assert compat.usage_layout(emulated) == recorded
    assert all(isinstance(emulated[k], float) for k in ("queue_time", "prompt_time",
                                                         "completion_time", "total_time"))


def test_stream_error_event_is_groqs() -> None:
    """The injected fault breaks off as the recorded one: whole chunks, then `event: error`
    with the error's fields in Groq's order, tool_use_failed and the failed generation, and
    no [DONE]."""
    recorded = _sample(0)
    compat.inject("groq", "stream_error_event")
    broken = compat.emulated("groq", "tool")
    for stream in (recorded, broken):
        assert stream.names[-1] == "error" and not stream.done
        assert all(name is None and "choices" in c
                   for name, c in zip(stream.names[:-1], stream.chunks[:-1], strict=True))
    error, want = broken.chunks[-1]["error"], recorded.chunks[-1]["error"]
    assert list(error) == list(want) and error["code"] == want["code"] == "tool_use_failed"
    generation = json.loads(error["failed_generation"])
    assert generation["name"] == compat.PROFILE.response_model.__name__
    assert list(generation) == list(json.loads(want["failed_generation"]))


def _json_samples() -> list[dict]:
    return [json.loads(ex.body) for ex in load_all("groq") if ex.status == 200
            and "json" in ex.content_type]


def test_non_streamed_answer_has_the_recorded_fields() -> None:
    """Top-level fields (usage_breakdown, x_groq, service_tier), usage with times, and a
    gpt-oss message with content and reasoning (key sets: the samples were re-sorted)."""
    recorded = _json_samples()
    body = compat.post("groq", compat.request("json", stream=False)).json()
    assert {frozenset(body)} <= {frozenset(r) for r in recorded}
    assert frozenset(body["usage"]) in {frozenset(r["usage"]) for r in recorded}
    assert body["service_tier"] == "on_demand" and body["usage_breakdown"] is None
    messages = {frozenset(r["choices"][0]["message"]) for r in recorded}
    assert frozenset(body["choices"][0]["message"]) in messages
