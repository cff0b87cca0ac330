"""The Bedrock Converse emulator against real recordings (../shared/wire-samples/bedrock).

Requests are shaped like the recorded ones (our scenario prompt and schema) and SigV4-signed
by botocore; streams are decoded with botocore's own event stream parser and compared with
the recorded streams: event order, payload fields and their order, frame headers, the `p`
padding, and how Claude and Nova deliver tool input.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.eventstream import EventStreamBuffer

from harness.emulators import bedrock_converse
from harness.emulators.server import EmulatorHost
from harness.packs.guide.models import User, UserProfile
from harness.scenarios import get_scenario
from tests.wire_samples import Exchange, load_all, sample

CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
NOVA = "us.amazon.nova-micro-v1:0"
_PROFILE = get_scenario("partial_async")
_SIMPLE = get_scenario("sync")


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    host = EmulatorHost()
    yield host.url("bedrock", bedrock_converse.make_app)
    host.close()


def _sample(name_part: str, index: int = 0) -> Exchange:
    return sample("bedrock", name_part, index)


def _frames(body: bytes) -> list[tuple[list[tuple[str, str]], dict[str, Any]]]:
    buffer = EventStreamBuffer()
    buffer.add_data(body)
    return [(list(m.headers.items()), json.loads(m.payload)) for m in buffer]


def _events(body: bytes) -> list[tuple[str, dict[str, Any]]]:
    return [(dict(h)[":event-type"], p) for h, p in _frames(body)]


def _call(root: str, model: str, body: dict[str, Any], stream: bool) -> httpx.Response:
    url = f"{root}/model/{quote(model, safe='')}/{'converse-stream' if stream else 'converse'}"
    data = json.dumps(body).encode()
    request = AWSRequest(method="POST", url=url, data=data,
                         headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials("test-access", "test-secret"), "bedrock", "us-east-1").add_auth(request)
    return httpx.post(url, content=data, headers=dict(request.headers), timeout=10)


def _label(name: str, payload: dict[str, Any]) -> str:
    if name == "contentBlockDelta":
        delta = payload["delta"]
        kind = "toolUse" if "toolUse" in delta else "text"
        empty = ":empty" if delta.get("toolUse", {}).get("input") == "" else ""
        return f"{name}({kind}{empty})"
    return name


def _pattern(events: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Event labels, each run of one label collapsed to one entry ('one or more')."""
    out: list[str] = []
    for label in (_label(n, p) for n, p in events):
        if not out or out[-1] != label:
            out.append(label)
    return out


def _shape(value: Any) -> Any:
    """Key names and order, recursively; tool input is the model's data, not the API's."""
    if isinstance(value, dict):
        return [(k, None if k == "input" else _shape(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return None


def _shapes(events: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, payload in events:
        out.setdefault(_label(name, payload), _shape(payload))
    return out


def _request(sample: str, schema: dict[str, Any], prompt: str, forced: bool) -> dict[str, Any]:
    body = copy.deepcopy(_sample(sample).request)
    body["messages"] = [{"role": "user", "content": [{"text": prompt}]}]
    spec = body["toolConfig"]["tools"][0]["toolSpec"]
    spec["inputSchema"] = {"json": schema}
    body["toolConfig"]["tools"] = body["toolConfig"]["tools"][:1]
    if forced:  # as litellm sends instructor's forced tool
        body["toolConfig"]["toolChoice"] = {"tool": {"name": spec["name"]}}
    return body


def _inputs(events: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [p["delta"]["toolUse"]["input"] for _, p in events if "toolUse" in p.get("delta", {})]


def test_claude_forced_tool_stream_matches_the_recorded_stream(root: str) -> None:
    sample = _sample("test_agent_loop_streaming[v1]")  # the newest Claude recording
    body = _request("test_agent_loop_streaming[v1]", UserProfile.model_json_schema(),
                    _PROFILE.prompt, forced=True)
    response = _call(root, CLAUDE, body, stream=True)
    assert response.headers["content-type"] == "application/vnd.amazon.eventstream"
    real, ours = _events(sample.body), _events(response.content)
    assert _pattern(ours) == _pattern(real)
    assert _shapes(ours) == _shapes(real)
    pieces = _inputs(ours)
    assert pieces[0] == "" and all(pieces[1:]) and len(pieces) >= 6
    claude_real = [p for e in load_all("bedrock") if e.body[:1] not in (b"{", b"")
                   and "nova" not in e.uri and "converse-stream" in e.uri
                   for p in _inputs(_events(e.body))]
    assert max(map(len, pieces)) <= max(map(len, claude_real)) <= 12
    joined = "".join(pieces)
    assert json.loads(joined) == _PROFILE.expected and '": "' in joined
    cuts = [sum(map(len, pieces[:i])) for i in range(2, len(pieces))]
    assert any(joined[c - 1].isalpha() and joined[c].isalpha() for c in cuts)


def test_nova_sends_the_tool_input_whole(root: str) -> None:
    sample = _sample("test_bedrock_model_iter_stream")
    body = _request("test_bedrock_model_iter_stream", User.model_json_schema(),
                    _SIMPLE.prompt, forced=False)
    real, ours = _events(sample.body), _events(_call(root, NOVA, body, stream=True).content)
    assert _pattern(ours) == _pattern(real)  # text first, then the tool call
    assert _shapes(ours) == _shapes(real)  # no `type` in toolUse, no serverToolUsage
    (whole,) = _inputs(ours)
    assert len(_inputs(real)) == 1 and json.loads(whole) == _SIMPLE.expected
    assert whole == json.dumps(_SIMPLE.expected, separators=(",", ":"))  # Nova writes compact


def test_text_blocks_open_with_a_delta_and_frames_match(root: str) -> None:
    sample = _sample("test_agent_loop_streaming[v0]")  # Claude: a text block, then a tool
    schema = json.dumps(User.model_json_schema(), indent=2)
    body = {"messages": [{"role": "user", "content": [{"text": _SIMPLE.prompt}]}],
            "system": [{"text": f"Answer in JSON matching:\n{schema}"}], "inferenceConfig": {}}
    frames = _frames(_call(root, CLAUDE, body, stream=True).content)
    ours = [(dict(h)[":event-type"], p) for h, p in frames]
    real_pattern = _pattern(_events(sample.body))
    text_part = real_pattern[:real_pattern.index("contentBlockStop") + 1]
    assert _pattern(ours) == text_part + ["messageStop", "metadata"]
    text = "".join(p["delta"]["text"] for _, p in ours if "delta" in p)
    assert text.startswith("```json\n") and json.loads(text[8:-4]) == _SIMPLE.expected
    assert ours[-2][1]["stopReason"] == "end_turn"
    # Frame headers in AWS's order; every payload padded with a prefix of one alphabet.
    real_frames = _frames(sample.body)
    assert {tuple(k for k, _ in h) for h, _ in frames} == {tuple(k for k, _ in h)
                                                          for h, _ in real_frames}
    alphabet = max((p["p"] for _, p in real_frames), key=len)
    paddings = [p["p"] for _, p in frames]
    assert all(alphabet.startswith(p) or p.startswith(alphabet) for p in paddings)
    assert len(set(map(len, paddings))) >= len(paddings) // 2
    for _, payload in frames:
        assert list(payload) == sorted(payload)  # Bedrock sorts payload keys


def test_non_streamed_tool_use_matches_the_recorded_converse(root: str) -> None:
    sample = _sample("tool_choice_matrix")
    body = _request("tool_choice_matrix", User.model_json_schema(), _SIMPLE.prompt, forced=False)
    assert body["toolConfig"]["toolChoice"] == {"any": {}}  # the recording forces any tool
    response = _call(root, CLAUDE, body, stream=False)
    ours, real = response.json(), json.loads(sample.body)
    assert response.headers["content-type"] == "application/json"
    assert _shape(ours) == _shape(real)
    assert ours["output"]["message"]["content"][0]["toolUse"]["input"] == _SIMPLE.expected
    assert ours["stopReason"] == "tool_use"
    assert ours["output"]["message"]["content"][0]["toolUse"]["toolUseId"].startswith("tooluse_")


def test_output_config_answers_json_text(root: str) -> None:
    schema = {**User.model_json_schema(), "additionalProperties": False}
    body = {"messages": [{"role": "user", "content": [{"text": _SIMPLE.prompt}]}],
            "outputConfig": {"textFormat": {"type": "json_schema", "structure": {
                "jsonSchema": {"schema": json.dumps(schema), "name": "User"}}}}}
    answer = _call(root, CLAUDE, body, stream=False).json()
    (block,) = answer["output"]["message"]["content"]
    assert json.loads(block["text"]) == _SIMPLE.expected and answer["stopReason"] == "end_turn"


def test_requests_must_be_sigv4_signed(root: str) -> None:
    url = f"{root}/model/{quote(CLAUDE, safe='')}/converse"
    unsigned = httpx.post(url, json={"messages": []})
    assert unsigned.status_code == 403
    assert unsigned.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    forged = httpx.post(url, json={"messages": []}, headers={"Authorization": "Bearer x"})
    assert forged.status_code == 403
    assert _call(root, CLAUDE, {"messages": []}, stream=False).status_code == 400  # signed
