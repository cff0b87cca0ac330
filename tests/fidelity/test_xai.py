"""The xAI emulator against real recordings (../shared/wire-samples/xai).

Streams: vercel/ai's grok-3-mini tool calls (two body-only fixtures, one chunk per line, field
order kept; with usage, so include_usage was asked for) and magentic's grok-2 text stream
(2025, usage on every chunk: compared only where grok-3-mini has no sample). Non-streamed:
vercel/ai's grok-3-mini fixture, order kept.
"""

from __future__ import annotations

import json
import re

from tests.fidelity import compat
from tests.wire_samples import load_all, require_samples


def _tool_samples() -> list[compat.Stream]:
    return [compat.parse(ex.body, body_only=True) for ex in load_all("xai")
            if ex.source.endswith("tool-call.chunks.txt")]


def _tool(include_usage: bool = True) -> compat.Stream:
    return compat.emulated("xai", "tool", include_usage=include_usage)


def test_chunk_layouts_match_the_samples() -> None:
    """Every emulated chunk's layout is a recorded one, but grok-3-mini's content deltas,
    which no sample shows (grok-2's text deltas of 2025 still carried the role, as no 2026
    grok-3-mini delta after the first does): they take its reasoning deltas' shape."""
    samples = compat.sample_streams("xai")
    assert compat.unseen_layouts(_tool(), samples) == []
    text = compat.emulated("xai", "json", include_usage=True)
    unseen = compat.unseen_layouts(text, samples)
    assert [role for role, _ in unseen] == ["content"]
    reasoning = next(layout for role, layout in compat.unseen_layouts(_tool(), ()) if
                     role == "reasoning" and layout[2] == ("reasoning_content",))
    assert unseen[0][1][:2] == reasoning[:2] and unseen[0][1][2] == ("content",)


def test_no_finish_reason_key_until_the_finish_chunk() -> None:
    """Intermediate choices are {index, delta}: no finish_reason, no logprobs; the finish
    chunk's delta is empty; system_fingerprint is every chunk's last field."""
    for stream in (*_tool_samples(), _tool(), compat.emulated("xai", "json")):
        finish = next(i for i, c in enumerate(stream.chunks) if compat.role(c) == "finish")
        assert all(list(compat.choice(c)) == ["index", "delta"] for c in stream.chunks[:finish])
        assert compat.choice(stream.chunks[finish]) == {
            "index": 0, "delta": {}, "finish_reason": compat.choice(
                stream.chunks[finish])["finish_reason"]}
        assert all(list(c)[-1] == "system_fingerprint" for c in stream.chunks)


def test_reasoning_then_the_whole_call_then_finish_and_usage() -> None:
    """reasoning_content deltas (the first with the role), the tool call whole in one delta
    (id call_<8 digits>; keys id, function, index, type), the finish chunk, the usage chunk."""
    for stream in (*_tool_samples(), _tool()):
        assert compat.roles(stream) == ("reasoning", "tool", "finish", "usage")
        assert compat.delta(stream.chunks[0])["role"] == "assistant"
        (fragments,) = compat.arguments(stream).values()
        assert len(fragments) == 1 and json.loads(fragments[0])
        call = next(compat.delta(c)["tool_calls"][0] for c in stream.chunks
                    if compat.role(c) == "tool")
        assert list(call) == ["id", "function", "index", "type"]
        assert re.fullmatch(r"call_\d{8}", call["id"])


def test_usage_chunk_has_no_choices_and_reasoning_apart() -> None:
    """choices [], usage in the recorded layout; reasoning tokens counted outside
    completion_tokens but inside total_tokens; only when include_usage is asked for."""
    for stream in (*_tool_samples(), _tool()):
        usage = stream.chunks[-1]["usage"]
        assert stream.chunks[-1]["choices"] == []
        assert compat.usage_layout(usage) == compat.usage_layout(
            _tool_samples()[0].chunks[-1]["usage"])
        reasoning = usage["completion_tokens_details"]["reasoning_tokens"]
        assert usage["total_tokens"] == (usage["prompt_tokens"] + usage["completion_tokens"]
                                         + reasoning)
    plain = _tool(include_usage=False)
    assert compat.roles(plain)[-1] == "finish" and plain.done


def test_non_streamed_answer_has_the_recorded_fields_in_order() -> None:
    recorded = json.loads((require_samples("xai") / "ai__src___fixtures___xai-tool-call.json")
                          .read_text())
    body = compat.post("xai", compat.request("tool", stream=False)).json()
    assert list(body) == list(recorded)
    assert list(body["choices"][0]) == list(recorded["choices"][0])
    message, want = body["choices"][0]["message"], recorded["choices"][0]["message"]
    assert list(message) == list(want) and message["content"] == ""
    assert list(message["tool_calls"][0]) == list(want["tool_calls"][0])
    assert compat.usage_layout(body["usage"]) == compat.usage_layout(recorded["usage"])
