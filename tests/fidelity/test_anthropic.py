"""The Anthropic emulator against real Messages API recordings (../shared/wire-samples/anthropic).

Each test sends the emulator a request shaped like a recorded one (same keys, our scenario
prompt and schema) and compares what comes back with what the real API sent: the event
sequence, the field names and their order in every event type, and how input is fragmented.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.emulators import anthropic_messages
from harness.emulators.server import EmulatorHost
from harness.packs.guide.models import User, UserProfile
from harness.scenarios import get_scenario
from tests.wire_samples import Exchange, is_sse, load_all, sample, sse_events, sse_json

_PROFILE = get_scenario("partial_async")
_SIMPLE = get_scenario("sync")
_HEADERS = {"x-api-key": "test-key", "anthropic-version": "2023-06-01"}


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    host = EmulatorHost()
    yield host.url("anthropic", anthropic_messages.make_app)
    host.close()


def _sample(name_part: str, index: int = 0) -> Exchange:
    return sample("anthropic", name_part, index)


def _post(root: str, body: dict[str, Any], **headers: str) -> httpx.Response:
    return httpx.post(f"{root}/v1/messages", json=body, headers={**_HEADERS, **headers},
                      timeout=10)


def _label(event: dict[str, Any]) -> str:
    kind = event["type"]
    if kind == "content_block_start":
        return f"{kind}({event['content_block']['type']})"
    if kind == "content_block_delta":
        delta = event["delta"]
        empty = ":empty" if delta.get("partial_json") == "" else ""
        return f"{kind}({delta['type']}{empty})"
    return kind


def _pattern(events: list[dict[str, Any]]) -> list[str]:
    """Event labels with each run of one label collapsed to one entry ('one or more')."""
    out: list[str] = []
    for label in map(_label, events):
        if not out or out[-1] != label:
            out.append(label)
    return out


def _shape(value: Any) -> Any:
    """Key names and order, recursively (lists by their first item)."""
    if isinstance(value, dict):
        return [(k, _shape(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return None


def _shapes(events: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for event in events:
        out.setdefault(_label(event), _shape(event))
    return out


def _inputs(body: bytes) -> list[list[str]]:
    """The input_json_delta fragments of each content block of a stream."""
    blocks: dict[int, list[str]] = {}
    for event in sse_json(body):
        if event.get("delta", {}).get("type") == "input_json_delta":
            blocks.setdefault(event["index"], []).append(event["delta"]["partial_json"])
    return list(blocks.values())


def _tool_request(stream: bool) -> dict[str, Any]:
    body = copy.deepcopy(_sample("test_structured_output_anthropic").request)
    body["model"] = "claude-sonnet-4-5"
    body["messages"] = [{"role": "user", "content": _PROFILE.prompt}]
    body["tools"][0]["input_schema"] = UserProfile.model_json_schema()
    body["stream"] = stream
    return body


def test_forced_tool_stream_matches_the_recorded_sequence_and_fields(root: str) -> None:
    real = sse_json(_sample("test_structured_output_anthropic").body)
    ours = sse_json(_post(root, _tool_request(True)).content)
    assert _pattern(ours) == _pattern(real)
    # The recording is Claude Sonnet 4: the same Messages API shapes as Sonnet 4.5.
    assert _shapes(ours) == _shapes(real)
    assert "ping" not in _pattern(real) and "ping" not in _pattern(ours)


def test_input_json_is_cut_at_arbitrary_positions_like_the_api(root: str) -> None:
    real_blocks = [b for e in load_all("anthropic") if is_sse(e) for b in _inputs(e.body)]
    (ours,) = _inputs(_post(root, _tool_request(True)).content)
    # The API opens every tool input with one empty fragment, and only then.
    for block in real_blocks + [ours]:
        assert block[0] == "" and all(block[1:])
    real_pieces = [p for block in real_blocks for p in block[1:]]
    pieces = ours[1:]
    assert all(pieces) and max(map(len, pieces)) <= max(map(len, real_pieces)) == 12
    assert len(pieces) >= len("".join(pieces)) // 12
    joined = "".join(pieces)
    assert json.loads(joined) == _PROFILE.expected
    # Not token-aligned: some cut falls between two letters of one word.
    cuts = [sum(map(len, pieces[:i])) for i in range(1, len(pieces))]
    assert any(joined[c - 1].isalpha() and joined[c].isalpha() for c in cuts)
    # Claude writes tool input with a space after ':' and ',' (as in the recordings).
    assert '": ' in joined and '", "' in joined


def test_output_format_stream_matches_the_recorded_sonnet_4_5_stream(root: str) -> None:
    sample = _sample("strict_anthropic_claude_sonnet_4_5")
    body = copy.deepcopy(sample.request)
    body["messages"] = [{"role": "user", "content": _SIMPLE.prompt}]
    # Closed, as structured outputs require (the SDKs and litellm add it; schema_rules).
    body["output_format"]["schema"] = {**User.model_json_schema(), "additionalProperties": False}
    body["stream"] = True
    response = _post(root, body, **{"anthropic-beta": anthropic_messages.STRUCTURED_OUTPUTS_BETA})
    real, ours = sse_json(sample.body), sse_json(response.content)
    assert response.headers["content-type"] == sample.content_type
    assert _pattern(ours) == _pattern(real)
    assert _shapes(ours) == _shapes(real)
    texts = [d["delta"]["text"] for d in ours if d["type"] == "content_block_delta"]
    assert json.loads("".join(texts)) == _SIMPLE.expected
    assert len(texts[0]) <= 4  # a single token opens the text, as recorded
    # SSE framing: named events; data JSON padded with trailing spaces, ping excepted.
    names = [name for name, _ in sse_events(response.content)]
    assert names == [d["type"] for d in ours]
    lines = [line for line in response.content.decode().split("\n")
             if line.startswith("data: ")]
    assert 'data: {"type": "ping"}' in lines
    assert any(line.endswith(" ") for line in lines)


def test_schema_in_prompt_answers_fenced_json_as_a_text_stream(root: str) -> None:
    real = sse_json(_sample("TestAnthropicToolCallStreaming", 1).body)  # a text-only answer
    schema = json.dumps(User.model_json_schema(), indent=2)
    body = {"max_tokens": 1024, "model": "claude-sonnet-4-5", "stream": True,
            "system": [{"type": "text", "text": f"Answer in JSON matching:\n{schema}"}],
            "messages": [{"role": "user", "content": [{"type": "text", "text": _SIMPLE.prompt}]}]}
    ours = sse_json(_post(root, body).content)
    assert _pattern(ours) == _pattern(real)
    text = "".join(d["delta"]["text"] for d in ours if d["type"] == "content_block_delta")
    match = re.fullmatch(r"```json\n(.*)\n```", text, re.S)
    assert match and json.loads(match.group(1)) == _SIMPLE.expected
    assert ours[-2]["delta"]["stop_reason"] == "end_turn"


def test_non_streamed_message_has_the_api_fields_in_order(root: str) -> None:
    start = sse_json(_sample("test_structured_output_anthropic").body)[:2]
    response = _post(root, _tool_request(False))
    message = response.json()
    assert response.headers["content-type"] == "application/json"
    assert _shape(message)[:4] == _shape(start[0]["message"])[:4]  # model, id, type, role
    assert list(message) == list(start[0]["message"])
    assert list(message["usage"]) == list(start[0]["message"]["usage"])
    (block,) = message["content"]
    assert list(block) == list(start[1]["content_block"])  # type, id, name, input
    assert block["input"] == _PROFILE.expected and message["stop_reason"] == "tool_use"
    assert message["model"] == "claude-sonnet-4-5-20250929"  # an alias resolves to a snapshot
    assert re.fullmatch(r"toolu_01\w{22}", block["id"])


def test_refusals_match_the_api(root: str) -> None:
    body = _tool_request(False)
    unauthenticated = httpx.post(f"{root}/v1/messages", json=body,
                                 headers={"anthropic-version": "2023-06-01"})
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["error"]["type"] == "authentication_error"
    beta = copy.deepcopy(_sample("strict_anthropic_claude_sonnet_4_5").request)
    refused = _post(root, beta)  # output_format without its beta header
    assert refused.status_code == 400
    assert refused.json()["error"]["message"].startswith("output_format:")
    missing = _post(root, {k: v for k, v in body.items() if k != "max_tokens"})
    assert missing.status_code == 400 and "max_tokens" in missing.json()["error"]["message"]
