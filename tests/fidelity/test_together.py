"""The Together AI emulator against real recordings (../shared/wire-samples/together).

Streams: openllmetry-js's two parallel tool calls (Polly HAR, Llama-3.1-70B, 2025) and
openinference's text stream (Llama-3.3-70B, 2026), both verbatim. Non-streamed:
openinference's tool call (Llama-3.3-70B) and openllmetry's Mixtral text, order kept.
"""

from __future__ import annotations

import json

from harness.emulators.openai_compat import together
from harness.emulators.openai_compat.turn import Turn
from tests.fidelity import compat
from tests.wire_samples import require_samples, sample


def _har() -> tuple[dict, compat.Stream]:
    path = next(require_samples("together").glob("*.har"))
    (entry,) = json.loads(path.read_text())["log"]["entries"]
    return (json.loads(entry["request"]["postData"]["text"]),
            compat.parse(entry["response"]["content"]["text"].encode()))


def _text_sample() -> compat.Stream:
    return compat.parse(sample("together", "test_chat_stream").body)


def _parallel(calls: list[tuple[str, str]]) -> compat.Stream:
    turn = Turn({}, "m", "seed", "", calls[0][0], False, 1, 1, 0)
    return compat.Stream(together.tool_chunks(turn, calls), [None], True, 0)


def test_tool_stream_layouts_match_the_sample() -> None:
    _, recorded = _har()
    assert compat.unseen_layouts(compat.emulated("together", "tool"), (recorded,)) == []


def test_text_stream_layouts_match_the_sample() -> None:
    emulated = compat.emulated("together", "json")
    assert compat.unseen_layouts(emulated, (_text_sample(),)) == []


def test_a_call_is_a_header_and_fragments_the_last_one_finishing() -> None:
    """The role with content null; per call a header (index, id call_<24>, type, name, empty
    arguments) and about one Llama token per fragment, the last sharing its chunk with
    finish_reason tool_calls; no usage anywhere; [DONE]."""
    _, recorded = _har()
    emulated = compat.emulated("together", "tool")
    for stream in (recorded, emulated):
        assert compat.delta(stream.chunks[0]) == {"role": "assistant", "content": None}
        assert not any("usage" in c for c in stream.chunks) and stream.done
        last = stream.chunks[-1]
        assert compat.choice(last)["finish_reason"] == "tool_calls"
        assert compat.delta(last)["tool_calls"][0]["function"]["arguments"]
    assert compat.roles(emulated) == ("open", "tool", "finish")
    (fragments,) = compat.arguments(emulated).values()
    assert fragments[0] == "" and len(fragments) > 16 and max(map(len, fragments)) <= 10


def test_parallel_calls_follow_one_another_each_finishing() -> None:
    """Two calls of the recorded request come one after another by index, each call's last
    fragment with finish_reason tool_calls, cut into as many fragments as recorded (±2)."""
    _, recorded = _har()
    calls = {}
    for chunk in recorded.chunks:
        for call in compat.delta(chunk).get("tool_calls") or []:
            name = call.get("function", {}).get("name")
            calls.setdefault(call["index"], [name, ""])
            calls[call["index"]][1] += call["function"]["arguments"]
    emulated = _parallel([(name, args) for name, args in calls.values()])
    assert compat.roles(emulated) == compat.roles(recorded) == (
        "open", "tool", "finish", "tool", "finish")
    got, want = compat.arguments(emulated), compat.arguments(recorded)
    assert list(got) == list(want) == [0, 1]
    assert all(abs(len(got[i]) - len(want[i])) <= 2 for i in want)
    assert all("".join(got[i]) == "".join(want[i]) for i in want)


def test_text_chunks_carry_text_and_a_token_delta() -> None:
    """Each choice has `text` and delta{token_id, role, content} with the same text; seed and
    usage null until the finish chunk, which has both (usage with cached_tokens)."""
    for stream in (_text_sample(), compat.emulated("together", "json")):
        *tokens, finish = stream.chunks
        assert compat.roles(stream) == ("content", "finish")
        for chunk in stream.chunks:
            c = compat.choice(chunk)
            assert c["text"] == c["delta"]["content"] and isinstance(c["delta"]["token_id"], int)
        assert all(compat.choice(c)["seed"] is None and c["usage"] is None for c in tokens)
        assert isinstance(compat.choice(finish)["seed"], int)
        assert compat.choice(finish)["finish_reason"] == "stop"
        assert compat.usage_layout(finish["usage"]) == compat.usage_layout(
            _text_sample().chunks[-1]["usage"])


def _recorded_json(part: str) -> dict:
    return json.loads(sample("together", part).body)


def test_non_streamed_tool_call_has_the_recorded_fields_in_order() -> None:
    recorded = _recorded_json("test_chat_with_tool_call")
    body = compat.post("together", compat.request("tool", stream=False)).json()
    assert list(body) == list(recorded) and body["prompt"] == []
    got, want = body["choices"][0], recorded["choices"][0]
    assert list(got) == list(want) and list(got["message"]) == list(want["message"])
    call, want_call = got["message"]["tool_calls"][0], want["message"]["tool_calls"][0]
    assert list(call) == list(want_call) and list(call["function"]) == list(want_call["function"])
    assert compat.usage_layout(body["usage"]) == compat.usage_layout(recorded["usage"])


def test_non_streamed_text_ends_with_eos() -> None:
    recorded = _recorded_json("together_chat_legacy")
    body = compat.post("together", compat.request("json", stream=False)).json()
    assert body["choices"][0]["finish_reason"] == recorded["choices"][0]["finish_reason"] == "eos"
    assert set(recorded["choices"][0]) <= set(body["choices"][0])
