"""Chunk plans: a test's cuts replace the emulator's own only where the wire streams in pieces.

The bytes a payload is made of never change, only where they are cut; a payload the wire
delivers whole stays whole; with no plan (or an empty one) every stream is what it was.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from harness.emulators import (
    answers,
    anthropic_messages,
    bedrock_converse,
    chunking,
    cohere_chat,
    google_genai,
    openai_chat,
)
from harness.emulators.chunking import ChunkPlan
from harness.emulators.server import EmulatorHost

ANSWER = {"s": 'a"b\\c\n\u00e9\u4e2d\U0001f600', "n": 12345}
SCHEMA = {"type": "object", "properties": {"s": {"type": "string"}, "n": {"type": "integer"}},
          "required": ["s", "n"]}
PLAN = ChunkPlan(sizes=(1, 2, 3))
_OPENAI_TOOL = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "?"}],
                "tools": [{"type": "function", "function": {"name": "T", "parameters": SCHEMA}}],
                "tool_choice": {"type": "function", "function": {"name": "T"}}}
_ANTHROPIC_TOOL = {"model": "claude-sonnet-4-5", "max_tokens": 9, "stream": True,
                   "messages": [{"role": "user", "content": "?"}],
                   "tools": [{"name": "T", "input_schema": SCHEMA}],
                   "tool_choice": {"type": "tool", "name": "T"}}
_CONVERSE_TOOL = {"messages": [{"role": "user", "content": [{"text": "?"}]}],
                  "toolConfig": {"tools": [{"toolSpec": {"name": "T", "inputSchema": {
                      "json": SCHEMA}}}], "toolChoice": {"tool": {"name": "T"}}}}
_GEMINI_JSON = {"contents": [{"role": "user", "parts": [{"text": "?"}]}], "generationConfig": {
    "responseMimeType": "application/json", "responseSchema": SCHEMA}}
_GEMINI_TOOL = {"contents": [{"role": "user", "parts": [{"text": "?"}]}],
                "tools": [{"functionDeclarations": [{"name": "T", "parameters": SCHEMA}]}],
                "toolConfig": {"functionCallingConfig": {"mode": "ANY"}}}
_COHERE_TOOL = {"model": "c", "stream": True, "messages": [{"role": "user", "content": "?"}],
                "tools": [{"type": "function", "function": {"name": "T", "parameters": SCHEMA}}],
                "tool_choice": "REQUIRED"}


def _openai(flavour: openai_chat.Flavour) -> list[str]:
    events = [json.loads(e) for e in openai_chat.stream_events(flavour, _OPENAI_TOOL, "m", "s")
              if e != "[DONE]"]
    pieces = [c["function"]["arguments"] for e in events for ch in e["choices"]
              for c in ch["delta"].get("tool_calls") or []]
    return pieces[1:] if pieces[0] == "" else pieces  # OpenAI's first call has no arguments


def _anthropic() -> list[str]:
    return [p["delta"]["partial_json"] for _, p in
            anthropic_messages.stream_events(_ANTHROPIC_TOOL, "s")
            if p.get("delta", {}).get("type") == "input_json_delta"][1:]


def _converse(model: str) -> list[str]:
    pieces = [p["delta"]["toolUse"]["input"] for _, p in
              bedrock_converse.stream_events(_CONVERSE_TOOL, model, "s")
              if "toolUse" in p.get("delta", {})]
    return pieces[1:] if pieces[0] == "" else pieces


def _gemini(body: dict[str, Any]) -> list[str]:
    chunks = google_genai.stream_chunks(google_genai.GEMINI, body, "gemini-2.5-flash", "s")
    parts = [p for c in chunks for p in c["candidates"][0]["content"]["parts"]]
    return [json.dumps(p["functionCall"]["args"]) if "functionCall" in p else p["text"]
            for p in parts]


def _cohere() -> list[str]:
    return [json.loads(d)["delta"]["message"]["tool_calls"]["function"]["arguments"]
            for name, d in cohere_chat.stream_events(_COHERE_TOOL, "s")
            if name == "tool-call-delta"]


def _mistral_content() -> list[str]:
    body = {**_OPENAI_TOOL, "tools": None, "tool_choice": None,
            "response_format": {"type": "json_schema", "json_schema": {"schema": SCHEMA}}}
    events = [json.loads(e) for e in openai_chat.stream_events(openai_chat.MISTRAL, body, "m",
                                                               "s") if e != "[DONE]"]
    return [ch["delta"]["content"] for e in events for ch in e["choices"]
            if ch["delta"].get("content")]


INCREMENTAL = {
    "openai tool arguments": lambda: _openai(openai_chat.OPENAI),
    "mistral content": _mistral_content,
    "anthropic input_json_delta": _anthropic,
    "bedrock claude toolUse input": lambda: _converse("anthropic.claude-sonnet-4-5-v1:0"),
    "gemini text": lambda: _gemini(_GEMINI_JSON),
    "cohere tool-call-delta": _cohere,
}
WHOLE = {
    "mistral tool arguments": lambda: _openai(openai_chat.MISTRAL),
    "gemini functionCall": lambda: _gemini(_GEMINI_TOOL),
    "bedrock nova toolUse input": lambda: _converse("amazon.nova-pro-v1:0"),
}


def _pieces(make: Any, plan: ChunkPlan | None) -> list[str]:
    with answers.serving(answers.Expected(ANSWER)), chunking.serving(plan):
        return list(make())


@pytest.mark.parametrize("make", INCREMENTAL.values(), ids=INCREMENTAL.keys())
def test_a_plan_cuts_an_incremental_payload_then_the_wire_rule_goes_on(make: Any) -> None:
    default, planned = _pieces(make, None), _pieces(make, PLAN)
    assert "".join(planned) == "".join(default)  # the same characters, cut elsewhere
    assert [len(p) for p in planned[:3]] == [1, 2, 3]


@pytest.mark.parametrize("make", WHOLE.values(), ids=WHOLE.keys())
def test_a_whole_payload_stays_whole_whatever_the_plan(make: Any) -> None:
    assert _pieces(make, PLAN) == _pieces(make, None)
    assert len(_pieces(make, PLAN)) == 1


@pytest.mark.parametrize("make", [*INCREMENTAL.values(), *WHOLE.values()],
                         ids=[*INCREMENTAL.keys(), *WHOLE.keys()])
def test_no_plan_or_an_empty_one_changes_nothing(make: Any) -> None:
    assert _pieces(make, ChunkPlan()) == _pieces(make, None)


def test_a_cut_may_fall_inside_an_escape_sequence() -> None:
    # As the real Anthropic stream cuts `\n` between its backslash and its `n`.
    text = json.dumps({"s": "a\nb"})
    cut = text.index("\\") + 1
    with chunking.serving(ChunkPlan((cut,))):
        pieces = chunking.fragments(text, lambda t: [t])
    assert pieces[0].endswith("\\") and pieces[1].startswith("n")


@pytest.mark.parametrize("bad", [(0,), (-1,), (2, "3")])
def test_a_plan_takes_positive_sizes_only(bad: tuple[Any, ...]) -> None:
    with pytest.raises(ValueError, match="positive ints"):
        ChunkPlan(sizes=bad)


def test_transport_cuts_change_where_the_body_is_cut_not_its_bytes() -> None:
    host = EmulatorHost()
    try:
        root = host.url("anthropic", anthropic_messages.make_app)
        headers = {"x-api-key": "k", "anthropic-version": "2023-06-01"}

        def read() -> tuple[bytes, int]:
            with httpx.stream("POST", f"{root}/v1/messages", json=_ANTHROPIC_TOOL,
                              headers=headers, timeout=10) as reply:
                chunks = list(reply.iter_raw())
            return b"".join(chunks), len(chunks)

        with host.expecting("anthropic", ANSWER):
            whole, _ = read()
            with host.chunked("anthropic", ChunkPlan(transport=(1,) * 60 + (3,) * 20)):
                cut, reads = read()
            again, _ = read()  # the plan ends with its block
        assert cut == whole == again
        assert "中".encode() in whole and reads > 1
    finally:
        host.close()
