"""What the fidelity tests of the OpenAI-compatible dialects share (groq, openrouter, deepseek,
xai, together): driving a provider's emulator the way litellm does, reading streams (SSE or a
body-only fixture of one JSON chunk per line) and naming each chunk's role and layout.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import httpx

from harness.emulators.server import emulator_host
from harness.providers import get_provider
from harness.scenarios import get_scenario
from tests.wire_samples import Exchange, is_sse, load_all, sse_events

PROFILE = get_scenario("partial_async")  # the longest answer: arguments span many fragments
HEADERS = {"Authorization": "Bearer emulator-key"}


@dataclass
class Stream:
    """One streamed answer: its JSON chunks, the event name of each, comments, [DONE]."""

    chunks: list[dict[str, Any]]
    names: list[str | None]
    done: bool
    comments: int
    raw: bytes = b""


def parse(body: bytes, body_only: bool = False) -> Stream:
    """A stream from SSE bytes, or from a body-only fixture (one JSON chunk per line)."""
    if body_only:
        chunks = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        return Stream(chunks, [None] * len(chunks), False, 0, body)
    events = sse_events(body)
    data = [(name, d) for name, d in events if d != "[DONE]"]
    comments = sum(1 for line in body.decode().splitlines() if line.startswith(":"))
    return Stream([json.loads(d) for _, d in data], [name for name, _ in data],
                  bool(events) and events[-1][1] == "[DONE]", comments, body)


def _body_only(ex: Exchange) -> bool:
    return ex.source.endswith(".txt")


@functools.cache
def sample_streams(provider: str) -> tuple[Stream, ...]:
    """Every recorded chat-completions stream of `provider`."""
    return tuple(parse(ex.body, _body_only(ex)) for ex in load_all(provider)
                 if (is_sse(ex) or _body_only(ex)) and "/responses" not in ex.uri)


def sample_json(provider: str, source_part: str = "") -> list[dict[str, Any]]:
    """Every recorded non-streamed chat completion of `provider` (from sources matching)."""
    return [json.loads(ex.body) for ex in load_all(provider)
            if not is_sse(ex) and not _body_only(ex) and ex.status == 200 and ex.body
            and source_part in ex.source and "/responses" not in ex.uri]


def request(kind: str, *, stream: bool, include_usage: bool = False, forced: bool = True,
            model: str = "model") -> dict[str, Any]:
    """The body litellm sends for instructor's tools mode ("tool") or JSON mode ("json")."""
    response_model = PROFILE.response_model
    schema = response_model.model_json_schema()
    body: dict[str, Any] = {"model": model,
                            "messages": [{"role": "user", "content": PROFILE.prompt}]}
    if kind == "tool":
        body["tools"] = [{"type": "function", "function": {
            "name": response_model.__name__, "description": "profile", "parameters": schema}}]
        body["tool_choice"] = ({"type": "function", "function": {"name": response_model.__name__}}
                               if forced else "auto")
    else:
        body["messages"].insert(0, {"role": "system", "content": f"Answer with json matching "
                                                                  f"{json.dumps(schema)}"})
        body["response_format"] = {"type": "json_object"}
    if stream:
        body["stream"] = True
    if include_usage:
        body["stream_options"] = {"include_usage": True}
    return body


def url(provider: str) -> str:
    """The chat-completions URL litellm calls on `provider`'s emulator."""
    entry = get_provider(provider)
    assert entry.emulator is not None
    root = emulator_host().url(f"fidelity-{provider}", entry.emulator)
    return entry.point_at(root)["api_base"].rstrip("/") + "/chat/completions"


def post(provider: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(url(provider), json=body, headers=HEADERS, timeout=30)


def emulated(provider: str, kind: str, **options: Any) -> Stream:
    """The emulator's stream for instructor's request of `kind`."""
    response = post(provider, request(kind, stream=True, **options))
    assert response.status_code == 200, response.text
    return parse(response.content)


def inject(provider: str, fault: str) -> None:
    """The next request to `provider`'s fidelity emulator gets `fault`."""
    emulator_host().inject(f"fidelity-{provider}", fault)


def choice(chunk: dict[str, Any]) -> dict[str, Any]:
    return (chunk.get("choices") or [{}])[0]


def delta(chunk: dict[str, Any]) -> dict[str, Any]:
    return choice(chunk).get("delta") or {}


def role(chunk: dict[str, Any]) -> str:
    """What a chunk carries: usage (no choices), finish, tool, reasoning, content, open."""
    if not chunk.get("choices"):
        return "usage"
    d = delta(chunk)
    if choice(chunk).get("finish_reason"):
        return "finish"
    if d.get("tool_calls"):
        return "tool"
    if d.get("reasoning") or d.get("reasoning_content"):
        return "reasoning"
    if d.get("content"):
        return "content"
    return "open" if "role" in d else "empty"


def roles(stream: Stream) -> tuple[str, ...]:
    """The runs of chunk roles, in order."""
    return tuple(r for r, _ in groupby(role(c) for c in stream.chunks))


def layout(chunk: dict[str, Any]) -> tuple[Any, ...]:
    """Field names in order, level by level (the values aside)."""
    c = choice(chunk)
    d = c.get("delta") or {}
    call = (d.get("tool_calls") or [{}])[0]
    return (tuple(chunk), tuple(c), tuple(d), tuple(call), tuple(call.get("function") or {}),
            tuple(chunk.get("x_groq") or {}))


def unseen_layouts(emulated_stream: Stream, samples: tuple[Stream, ...]) -> list[Any]:
    """The (role, layout) pairs of the emulated stream that no sample chunk has."""
    seen = {(role(c), layout(c)) for s in samples for c in s.chunks}
    return sorted({(role(c), layout(c)) for c in emulated_stream.chunks} - seen, key=str)


def usage_layout(usage: dict[str, Any]) -> tuple[Any, ...]:
    """A usage object's keys in order, with those of its nested objects."""
    return tuple((k, tuple(v) if isinstance(v, dict) else None) for k, v in usage.items())


def arguments(stream: Stream) -> dict[int, list[str]]:
    """Each tool call's argument fragments (the empty header's included), by call index."""
    out: dict[int, list[str]] = {}
    for chunk in stream.chunks:
        for call in delta(chunk).get("tool_calls") or []:
            out.setdefault(call.get("index", 0), []).append(
                (call.get("function") or {}).get("arguments") or "")
    return out
