"""Ollama's native chat API, `POST /api/chat`, as a local Ollama server answers it.

What the samples in ../shared/wire-samples/ollama show, reproduced here:
- a stream (`stream` true, Ollama's default when the key is absent) is NDJSON, not SSE:
  `Content-Type: application/x-ndjson`, one compact JSON object per line, each line ended by
  `\\n`, one token of content per line: `{model, created_at, message{role, content}, done}`;
  then a last line with an empty content, `done: true`, `done_reason` and the counts and
  durations in nanoseconds (`total_duration, load_duration, prompt_eval_count,
  prompt_eval_duration, eval_count, eval_duration`). Keys in the order of the 2026 recording
  (qwen3.6): `done` before `done_reason` (the 2024 one, llama3.1, had them the other way).
- `created_at` is RFC 3339 UTC with the fraction's trailing zeros trimmed (Go's format).
- a thinking model (qwen3, gpt-oss, deepseek-r1; `think` not false) streams `message.thinking`
  tokens with an empty content first, and a non-streamed message carries `thinking` whole.
- a tool call arrives whole: `message.tool_calls[{id: call_<8>, function{index, name,
  arguments}}]` with `arguments` an object, not a string, and `done_reason` still `stop`;
  a non-streamed answer is one JSON object (`application/json; charset=utf-8`, no newline).
- not recorded anywhere public: a streamed native tool call. It follows Ollama's API reference
  and its May 2025 announcement of streamed tool calls (ollama.com/blog/streaming-tool; the
  shape ollama/ollama#12557 reports): the call whole in one `done: false` line with an empty
  content, then the usual final line with `done_reason: stop`.
- what is answered: Ollama has no tool_choice (litellm drops it), so offered tools are called
  (the first one), except right after a tool result, which is reported in text; `format:
  "json"` or a JSON schema in `format` gets JSON text (Ollama's grammar-constrained output,
  `{"key": value}` with spaces, as in its reference); otherwise prose, fenced JSON when a
  schema is in the prompt.
- errors: `{"error": "..."}` with the status; an unknown path is gin's plain-text 404.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from aiohttp import web

from harness.emulators import common
from harness.emulators.fragments import token_fragments
from harness.emulators.knowledge import (
    ANY_OBJECT,
    UNKNOWN_PROMPT_REPLY,
    Intent,
    answer_for,
    find_schema_in_text,
    text_of,
    tool_result_reply,
)
from harness.wire import WireFamily

ROUTE = "/api/chat"
NDJSON_CONTENT_TYPE = "application/x-ndjson"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
# NDJSON lines with `message`, the last one `done`; `format` carries JSON mode or a schema;
# no tool choice: the API reference's chat parameters offer `tools` only.
WIRE = WireFamily(
    "ollama-native", tool_keys=("tools",), format_keys=("format",),
    success_keys=frozenset({"message"}), finish_keys=("done",), model_keys=("model",),
    forces_tools=False)
THINKING_MODELS = ("qwen3", "gpt-oss", "deepseek-r1")
_THOUGHT = "The user wants the answer in the structure the request asks for."
_TOKEN_NS = 21_000_000  # one generated token every ~21 ms
_LOAD_NS, _PROMPT_NS = 141_828_459, 59_321_000


def _tool_result(body: dict[str, Any]) -> str | None:
    """The content of a last `tool` message (the model then reports it), else None."""
    messages = body.get("messages") or []
    if messages and messages[-1].get("role") == "tool":
        return text_of(messages[-1].get("content"))
    return None


def _intent(body: dict[str, Any]) -> Intent:
    tools = body.get("tools") or []
    if tools and _tool_result(body) is None:
        fn = tools[0].get("function") or {}
        return Intent("tool", fn.get("parameters") or ANY_OBJECT, fn.get("name"))
    fmt = body.get("format")
    messages = body.get("messages") or []
    system = " ".join(text_of(m.get("content")) for m in messages if m.get("role") == "system")
    prompt_schema = find_schema_in_text(system) or find_schema_in_text(
        " ".join(text_of(m.get("content")) for m in messages))
    if isinstance(fmt, dict):
        return Intent("json", fmt)
    if fmt == "json":
        return Intent("json", prompt_schema or ANY_OBJECT)
    return Intent("text", prompt_schema)


def answer(body: dict[str, Any]) -> tuple[str, list[tuple[str, Any]]]:
    """(content, tool calls as (name, arguments)): what the model says; one of them empty."""
    intent = _intent(body)
    result = _tool_result(body)
    if intent.kind == "text" and intent.schema is None and result is not None:
        return tool_result_reply(result), []
    prompts = [text_of(m.get("content")) for m in body.get("messages") or []
               if m.get("role") == "user"]
    found = answer_for(prompts, intent.schema)
    if found is None:
        return UNKNOWN_PROMPT_REPLY, []
    if intent.kind == "tool":
        return "", [(intent.tool_name or "", found)]
    text = json.dumps(found, ensure_ascii=False)
    if intent.kind == "json":
        return text, []
    return f"```json\n{json.dumps(found, indent=2, ensure_ascii=False)}\n```", []


def thinks(body: dict[str, Any]) -> bool:
    """Whether the model thinks first: a thinking model, unless `think` is false."""
    return str(body.get("model", "")).startswith(THINKING_MODELS) and body.get("think") \
        is not False


def timestamp(when: datetime) -> str:
    """Go's RFC 3339 with nanoseconds: UTC, the fraction's trailing zeros trimmed."""
    fraction = f"{when.microsecond:06d}".rstrip("0")
    return when.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + "Z"


def _tool_calls(seed: str, calls: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": "call_" + common.stable_id(f"{seed}call{i}", 8).lower(),
             "function": {"index": i, "name": name, "arguments": args}}
            for i, (name, args) in enumerate(calls)]


class _Lines:
    """The objects of one answer, stamped one token apart."""

    def __init__(self, body: dict[str, Any], seed: str) -> None:
        self.model = str(body.get("model", ""))
        self.start = datetime.now(timezone.utc)
        self.tokens = 0
        self.prompt_tokens = max(1, len(token_fragments(json.dumps(body.get("messages", [])))))
        self.seed = seed

    def line(self, message: dict[str, Any], tokens: int = 1, after: int = 0) -> dict[str, Any]:
        self.tokens += tokens
        when = self.start + timedelta(microseconds=(self.tokens + after) * _TOKEN_NS // 1000)
        return {"model": self.model, "created_at": timestamp(when),
                "message": {"role": "assistant", **message}, "done": False}

    def final(self, message: dict[str, Any]) -> dict[str, Any]:
        out = self.line(message, tokens=0, after=1)  # a token's time after the last one
        eval_ns = self.tokens * _TOKEN_NS
        out.update({"done": True, "done_reason": "stop",
                    "total_duration": _LOAD_NS + _PROMPT_NS + eval_ns + 4_212_000,
                    "load_duration": _LOAD_NS, "prompt_eval_count": self.prompt_tokens,
                    "prompt_eval_duration": _PROMPT_NS, "eval_count": max(1, self.tokens),
                    "eval_duration": eval_ns})
        return out


def stream_lines(body: dict[str, Any], seed: str) -> list[dict[str, Any]]:
    """The NDJSON objects of a streamed answer, in order, the last one `done`."""
    content, calls = answer(body)
    lines = _Lines(body, seed)
    out = []
    if thinks(body):
        out += [lines.line({"content": "", "thinking": t}) for t in token_fragments(_THOUGHT)]
    if calls:
        arguments = sum(len(token_fragments(common.dumps(a))) for _, a in calls)
        out.append(lines.line({"content": "", "tool_calls": _tool_calls(seed, calls)},
                              tokens=arguments))
    else:
        out += [lines.line({"content": piece}) for piece in token_fragments(content)]
    return [*out, lines.final({"content": ""})]


def chat_object(body: dict[str, Any], seed: str) -> dict[str, Any]:
    """A non-streamed answer: the whole message in one object that is already `done`."""
    content, calls = answer(body)
    lines = _Lines(body, seed)
    message: dict[str, Any] = {"content": content}
    if thinks(body):
        message["thinking"] = _THOUGHT
        lines.tokens += len(token_fragments(_THOUGHT))
    if calls:
        message["tool_calls"] = _tool_calls(seed, calls)
    lines.tokens += len(token_fragments(content or common.dumps([a for _, a in calls])))
    return lines.final(message)


def error_response(status: int, kind: str, message: str) -> web.Response:
    """Ollama's errors: `{"error": message}`; an unknown route is gin's plain-text page."""
    if kind == "not_found":
        return web.Response(status=404, text="404 page not found", content_type="text/plain")
    if kind == "method_not_allowed":
        return web.Response(status=405, text="405 method not allowed",
                            content_type="text/plain")
    return web.json_response({"error": message}, status=status, dumps=common.dumps)


async def handle(request: web.Request) -> web.StreamResponse:
    """POST /api/chat: NDJSON unless `stream` is false."""
    body = await common.read_json(request)
    if not body.get("model"):
        raise common.Refused(400, "invalid_request", "model is required")
    seed = common.dumps(body)
    if body.get("stream", True) is False:
        return web.Response(text=common.dumps(chat_object(body, seed)),
                            headers={"Content-Type": JSON_CONTENT_TYPE})
    lines = stream_lines(body, seed)  # refusals (an unservable schema) before any byte
    response = await common.start_sse(request, NDJSON_CONTENT_TYPE)
    for line in lines:  # one write per line: each line is its own network chunk
        await response.write((common.dumps(line) + "\n").encode())
    await response.write_eof()
    return response


def make_app() -> web.Application:
    """An aiohttp app serving Ollama's native chat route."""
    app = web.Application(middlewares=[common.errors_middleware(error_response)])
    app.router.add_post(ROUTE, handle)
    return app
