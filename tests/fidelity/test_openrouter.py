"""The OpenRouter emulator against real recordings (../shared/wire-samples/openrouter).

Streams: magentic's deepseek-chat-v3 text (via SambaNova) and forced tool call (via BaseTen),
both verbatim with their field order; pydantic-ai's claude (via Google) reasoning stream and
minimax stream that ends in an in-chunk error, verbatim SSE. The non-streamed sample
(pydantic-ai, mistral-small) is re-sorted: key sets only.
"""

from __future__ import annotations

import json

from tests.fidelity import compat
from tests.wire_samples import sample


def _magentic(part: str) -> compat.Stream:
    return compat.parse(sample("openrouter", f"magentic__{part}").body)


_TOOL, _TEXT = "cassettes_test_openrouter_chat_model_test_openrouter_chat_model_complete", \
    "cassettes_test_openrouter_chat_model_test_openrouter_chat_model_acomplete_usage"


def test_chunk_layouts_match_the_samples() -> None:
    samples = compat.sample_streams("openrouter")
    for kind in ("tool", "json"):
        assert compat.unseen_layouts(compat.emulated("openrouter", kind), samples) == [], kind


def test_stream_opens_with_the_processing_comment() -> None:
    for stream in (_magentic(_TEXT), compat.emulated("openrouter", "tool")):
        assert stream.raw.startswith(b": OPENROUTER PROCESSING\n\n") and stream.comments >= 1


def test_every_choice_names_the_upstream_and_its_native_finish_reason() -> None:
    for stream in (_magentic(_TOOL), compat.emulated("openrouter", "tool")):
        assert all(c["provider"] for c in stream.chunks)
        for chunk in stream.chunks:
            for c in chunk["choices"]:
                assert c["native_finish_reason"] == c["finish_reason"]


def test_tool_call_is_a_header_then_the_whole_arguments() -> None:
    """A header chunk (chatcmpl-tool- id, name, empty arguments), one chunk with all the
    arguments, each delta keeping content null and the role; then the finish chunk."""
    for stream in (_magentic(_TOOL), compat.emulated("openrouter", "tool")):
        (fragments,) = compat.arguments(stream).values()
        assert fragments[0] == "" and len(fragments) == 2 and json.loads(fragments[1])
        head = compat.delta(stream.chunks[0])
        assert head["content"] is None and head["role"] == "assistant"
        assert head["tool_calls"][0]["id"].startswith("chatcmpl-tool-")
        assert compat.roles(stream) == ("tool", "finish", "usage") and stream.done


def test_text_arrives_in_runs_with_the_role_on_every_delta() -> None:
    for stream in (_magentic(_TEXT), compat.emulated("openrouter", "json")):
        assert compat.roles(stream) == ("content", "finish", "usage") and stream.done
        assert all(compat.delta(c).get("role") == "assistant" for c in stream.chunks[:-1])
        assert compat.delta(stream.chunks[-2]) == {"content": "", "role": "assistant"}
    runs = [compat.delta(c)["content"] for c in compat.emulated("openrouter", "json").chunks[:-2]]
    assert max(map(len, runs)) > 10  # several tokens per chunk, not one


def test_usage_with_cost_comes_after_the_finish_chunk() -> None:
    """An extra chunk with no choices carries usage (cost, is_byok, cost_details) in the
    recorded order, nested objects included."""
    recorded = _magentic(_TOOL).chunks[-1]
    emulated = compat.emulated("openrouter", "tool").chunks[-1]
    assert recorded["choices"] == emulated["choices"] == []
    assert compat.usage_layout(emulated["usage"]) == compat.usage_layout(recorded["usage"])
    assert emulated["usage"]["cost"] > 0


def test_stream_error_event_is_an_in_chunk_error_then_done() -> None:
    """The injected fault ends as the recorded error stream: a chunk with a top-level
    error{code, message} placed after provider, still followed by [DONE]."""
    recorded = compat.parse(sample("openrouter", "stream_error").body)
    compat.inject("openrouter", "stream_error_event")
    broken = compat.emulated("openrouter", "tool")
    for stream in (recorded, broken):
        error_chunk = stream.chunks[-1]
        assert stream.done and list(error_chunk["error"]) == ["code", "message"]
        assert list(error_chunk)[:3] == ["id", "provider", "error"]
        assert not any("error" in c for c in stream.chunks[:-1])
    assert list(broken.chunks[-1]) == list(recorded.chunks[-1])


def test_non_streamed_answer_has_the_recorded_fields() -> None:
    recorded = compat.sample_json("openrouter")
    body = compat.post("openrouter", compat.request("tool", stream=False)).json()
    (want,) = recorded
    assert set(want) <= set(body) and body["provider"] == "BaseTen"
    choice, want_choice = body["choices"][0], want["choices"][0]
    assert set(choice) == set(want_choice)
    assert set(choice["message"]) == set(want_choice["message"])
    assert set(choice["message"]["tool_calls"][0]) == set(want_choice["message"]["tool_calls"][0])
