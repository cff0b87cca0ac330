"""The DeepSeek emulator against real recordings (../shared/wire-samples/deepseek).

Streams: vercel/ai's deepseek-reasoner tool call (body-only fixture, one chunk per line, field
order kept), pydantic-ai's deepseek-reasoner text and dd-trace's deepseek-v4-pro text (verbatim
SSE). Non-streamed: vercel/ai's fixture (order kept) and pydantic-ai's deepseek-v4-flash
answers (re-sorted: key sets only; their request names deepseek-reasoner). The refusals are
not in any sample: they are checked as the reports the emulator follows describe them.
"""

from __future__ import annotations

import json

import pytest

from harness.emulators.openai_compat.deepseek import argument_fragments
from tests.fidelity import compat
from tests.wire_samples import load_all, require_samples, sample


def _tool_sample() -> compat.Stream:
    return compat.parse(sample("deepseek", "deepseek-tool-call.chunks").body, body_only=True)


def _text_sample() -> compat.Stream:
    return compat.parse(sample("deepseek", "thinking_stream").body)


def _tool() -> compat.Stream:
    return compat.emulated("deepseek", "tool", forced=False)  # thinking refuses a forced one


def test_chunk_layouts_match_the_samples() -> None:
    samples = compat.sample_streams("deepseek")
    for stream in (_tool(), compat.emulated("deepseek", "json")):
        assert compat.unseen_layouts(stream, samples) == []


def test_usage_is_null_until_the_finish_chunk() -> None:
    """`usage: null` on every chunk, the finish chunk's usage with the cache hit/miss counts,
    in the recorded order."""
    for stream in (_tool_sample(), _text_sample(), _tool(), compat.emulated("deepseek", "json")):
        *before, finish = stream.chunks
        assert all("usage" in c and c["usage"] is None for c in before)
        assert compat.usage_layout(finish["usage"]) == compat.usage_layout(
            _tool_sample().chunks[-1]["usage"])


def test_content_and_reasoning_content_ride_together() -> None:
    """The role delta with content null and empty reasoning_content; reasoning deltas with
    content null; content deltas with reasoning_content null; the finish delta content ''."""
    for stream in (_text_sample(), compat.emulated("deepseek", "json")):
        first, *middle, finish = stream.chunks
        assert compat.delta(first) == {"role": "assistant", "content": None,
                                       "reasoning_content": ""}
        for chunk in middle:
            d = compat.delta(chunk)
            assert list(d) == ["content", "reasoning_content"]
            assert (d["content"] is None) != (d["reasoning_content"] is None)
        assert compat.delta(finish) == {"content": "", "reasoning_content": None}
        assert compat.roles(stream) == ("open", "reasoning", "content", "finish")


def test_tool_call_is_a_header_then_fragments_cut_at_every_token() -> None:
    """After the reasoning: a header (index, id call_00_<24>, type, name, empty arguments),
    then arguments written with ', ' and ': ' and cut at every quote, brace, word and
    separator, exactly as the recorded call is cut."""
    for stream in (_tool_sample(), _tool()):
        assert compat.roles(stream) == ("open", "reasoning", "tool", "finish")
        (fragments,) = compat.arguments(stream).values()
        head = next(c for c in stream.chunks if compat.role(c) == "tool")
        call = compat.delta(head)["tool_calls"][0]
        assert list(call) == ["index", "id", "type", "function"] and fragments[0] == ""
        assert call["id"].startswith("call_00_") and len(call["id"]) == 32
        text = "".join(fragments)
        assert argument_fragments(text) == fragments[1:] and json.loads(text)
        assert '": "' in text or '": ' in text


def test_thinking_mode_refuses_a_forced_tool_choice() -> None:
    """HTTP 400 in DeepSeek's error shape for a named function or "required"; with thinking
    disabled the forced call is made, without reasoning."""
    for forced in (True, "required"):
        body = compat.request("tool", stream=True)
        if forced == "required":
            body["tool_choice"] = "required"
        response = compat.post("deepseek", body)
        assert response.status_code == 400
        error = response.json()["error"]
        assert list(error) == ["message", "type", "param", "code"]
        assert error["message"] == "Thinking mode does not support this tool_choice"
        assert error["code"] == error["type"] == "invalid_request_error"
    body = {**compat.request("tool", stream=True), "thinking": {"type": "disabled"}}
    stream = compat.parse(compat.post("deepseek", body).content)
    assert compat.roles(stream) == ("open", "tool", "finish")


@pytest.mark.parametrize("response_format,message", [
    ({"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}},
     "This response_format type is unavailable now"),
    ({"type": "json_object"}, "Prompt must contain the word 'json'"),
])
def test_unserved_response_formats_are_refused(response_format: dict, message: str) -> None:
    body = {"model": "deepseek-v4-flash", "response_format": response_format,
            "messages": [{"role": "user", "content": "Jason is 25"}]}
    response = compat.post("deepseek", body)
    assert response.status_code == 400 and response.json()["error"]["message"].startswith(message)


def test_the_legacy_aliases_answer_as_deepseek_v4_flash() -> None:
    (asked,) = {ex.request["model"] for ex in load_all("deepseek") if "deferred" in ex.source}
    answered = {json.loads(ex.body)["model"] for ex in load_all("deepseek")
                if "deferred" in ex.source}
    body = compat.post("deepseek", compat.request("json", stream=False, model=asked)).json()
    assert answered == {body["model"]} == {"deepseek-v4-flash"}


def test_non_streamed_answer_has_the_recorded_fields_in_order() -> None:
    recorded = json.loads((require_samples("deepseek") / "ai__chat___fixtures___deepseek-tool-"
                                                         "call.json").read_text())
    body = compat.post("deepseek", {**compat.request("tool", stream=False, forced=False)}).json()
    for got, want in ((body, recorded), (body["choices"][0], recorded["choices"][0])):
        assert list(got) == list(want)
    message, want_message = body["choices"][0]["message"], recorded["choices"][0]["message"]
    assert list(message) == list(want_message) and message["content"] == ""
    assert list(message["tool_calls"][0]) == list(want_message["tool_calls"][0])
    assert compat.usage_layout(body["usage"]) == compat.usage_layout(recorded["usage"])
