"""OpenAI's Responses API, `POST /v1/responses` (litellm's `openai/responses/<model>` route).

What the samples in ../shared/wire-samples/openai-responses show, reproduced here (the shape
of the newest, 2026, recordings; responses_events builds the objects):
- a stream is `event: <type>` + `data: {...}` pairs with no `[DONE]` after them:
  response.created, response.in_progress (the Response in progress, no output, usage null),
  then per output item: response.output_item.added; for a function_call (added with
  `arguments: ""`) response.function_call_arguments.delta in token-sized pieces (up to a few
  characters: `{"`, `a`, `":`, `123`) then .done with the whole arguments; for a message,
  response.content_part.added, response.output_text.delta pieces, response.output_text.done,
  response.content_part.done; then response.output_item.done; and last response.completed
  carrying the whole Response with its output and usage. Every event has a `sequence_number`
  and every delta an `obfuscation` (2025-09 onwards; the March 2025 recording has neither),
  unless `stream_options.include_obfuscation` is false.
- a request the API refuses gets its 400 (`invalid_request_error` with param and code): an
  unknown top-level parameter, or a tool_choice in the Chat Completions shape; then input
  items that pair no function_call with its function_call_output (a re-ask sends the pair),
  or a schema OpenAI's rules refuse (refusals.responses).
- a non-streamed answer is the completed Response object itself (`object: response`, output
  items, usage), in the key order of the streamed one (the sample stores it re-serialised).
- what is answered: a forced function (`tool_choice` {type: function, name} or "required") is
  a call of it with arguments valid against its parameters, as is an unforced turn with tools,
  unless `text.format` asks for JSON or the turn follows a function_call_output; `tool_choice`
  "none" is text. `text.format` json_schema gets compact JSON text valid against it,
  json_object pretty-printed JSON; otherwise prose, fenced JSON when a schema is in the prompt.
Not reproduced: reasoning items (gpt-5 and o-series), `phase`, built-in tools, refusals.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from harness.emulators import common, openai_chat, refusals
from harness.emulators import responses_events as ev
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

ROUTE = "/v1/responses"
SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"
# Every event names its `type`; a body holds `output`; the model sits inside `response`.
WIRE = WireFamily(
    "openai-responses", tool_keys=("tools", "tool_choice"), format_keys=("text",),
    schema_keys=("text.format",), prompt_keys=("instructions",),
    success_keys=frozenset({"type", "output"}),
    terminal_events=frozenset({"response.completed", "response.incomplete", "response.failed"}),
    model_keys=("model",), model_parents=("response",))
# ResponseCreateParams (the API refuses any other top-level key: "Unknown parameter").
_PARAMS = frozenset({
    "background", "context_management", "conversation", "include", "input", "instructions",
    "max_output_tokens", "max_tool_calls", "metadata", "model", "moderation",
    "parallel_tool_calls", "previous_response_id", "prompt", "prompt_cache_key",
    "prompt_cache_options", "prompt_cache_retention", "reasoning", "safety_identifier",
    "service_tier", "store", "stream", "stream_options", "temperature", "text", "tool_choice",
    "tools", "top_logprobs", "top_p", "truncation", "user"})
_CHOICE_KEYS = {"function": {"type", "name"}}  # a forced function: flat, no `function` object


def _items(body: dict[str, Any]) -> list[dict[str, Any]]:
    given = body.get("input")
    if isinstance(given, str):
        return [{"role": "user", "content": given}]
    return [item for item in given or [] if isinstance(item, dict)]


def _texts(body: dict[str, Any], roles: tuple[str, ...]) -> list[str]:
    return [text_of(item.get("content")) for item in _items(body)
            if item.get("type", "message") == "message" and item.get("role") in roles]


def _tool_output(body: dict[str, Any]) -> str | None:
    """The output of a last function_call_output item (the model then reports it), or None."""
    items = _items(body)
    if items and items[-1].get("type") == "function_call_output":
        return str(items[-1].get("output", ""))
    return None


def _intent(body: dict[str, Any]) -> Intent:
    tools = [t for t in body.get("tools") or [] if t.get("type") == "function"]
    choice = body.get("tool_choice")
    fmt = (body.get("text") or {}).get("format") or {}
    as_json = fmt.get("type") in ("json_schema", "json_object")
    forced = isinstance(choice, dict) or choice == "required"
    if tools and choice != "none" and (
            forced or not (as_json or _tool_output(body) is not None)):
        name = choice.get("name") if isinstance(choice, dict) else None
        tool = next((t for t in tools if t.get("name") == name), tools[0])
        return Intent("tool", tool.get("parameters") or ANY_OBJECT, tool.get("name"))
    if fmt.get("type") == "json_schema":
        return Intent("json", fmt.get("schema") or ANY_OBJECT)
    system = [body.get("instructions") or "", *_texts(body, ("system", "developer"))]
    schema = find_schema_in_text(" ".join(system)) or find_schema_in_text(
        " ".join(_texts(body, ("system", "developer", "user"))))
    if fmt.get("type") == "json_object":
        return Intent("json", schema or ANY_OBJECT)
    return Intent("text", schema)


def answer(body: dict[str, Any]) -> tuple[str, str | None]:
    """(text, function name): the model's output; the name is None for a text answer."""
    intent = _intent(body)
    result = _tool_output(body)
    if intent.kind == "text" and intent.schema is None and result is not None:
        return tool_result_reply(result), None
    found = answer_for(_texts(body, ("user",)), intent.schema)
    if found is None:
        return UNKNOWN_PROMPT_REPLY, None
    compact = json.dumps(found, separators=(",", ":"), ensure_ascii=False)
    if intent.kind == "tool":
        return compact, intent.tool_name
    fmt = ((body.get("text") or {}).get("format") or {}).get("type")
    if fmt == "json_schema":
        return compact, None
    pretty = json.dumps(found, indent=2, ensure_ascii=False)
    return (pretty, None) if intent.kind == "json" else (f"```json\n{pretty}\n```", None)


class _Answer:
    """One answer's ids, times and objects."""

    def __init__(self, body: dict[str, Any], seed: str) -> None:
        self.body, self.seed = body, seed
        self.created = common.now()
        self.model = f"{body.get('model', '')}-2024-07-18"
        self.rid = ev.object_id("resp", seed, self.created)
        self.text, self.tool = answer(body)
        self.item_id = ev.object_id("fc" if self.tool else "msg", seed, self.created + 1)
        self.call = ev.call_id(seed, 0)

    def item(self, done: bool) -> dict[str, Any]:
        if self.tool:
            return ev.function_call_item(self.item_id, self.call, self.tool, self.text, done)
        return ev.message_item(self.item_id, self.text if done else None)

    def response(self, done: bool) -> dict[str, Any]:
        used = ev.usage(max(1, len(common.dumps(self.body.get("input"))) // 4),
                        max(1, len(token_fragments(self.text))))
        return ev.response_object(self.body, rid=self.rid, model=self.model,
                                  created=self.created, output=[self.item(True)] if done
                                  else None, usage_=used if done else None)


def stream_events(body: dict[str, Any], seed: str) -> ev.Events:
    """The events of a streamed answer, in order, ending with response.completed."""
    options = body.get("stream_options") or {}
    a = _Answer(body, seed)
    events = ev.Events(seed, obfuscate=options.get("include_obfuscation") is not False)
    events.add("response.created", response=a.response(False))
    events.add("response.in_progress", response=a.response(False))
    events.add("response.output_item.added", item=a.item(False), output_index=0)
    where = {"item_id": a.item_id, "output_index": 0}
    if a.tool:
        for piece in token_fragments(a.text):
            events.add("response.function_call_arguments.delta", delta=piece, **where)
        events.add("response.function_call_arguments.done", arguments=a.text, **where)
    else:
        part = {**where, "content_index": 0}
        events.add("response.content_part.added", part=ev.output_text(""), **part)
        for piece in token_fragments(a.text):
            events.add("response.output_text.delta", delta=piece, logprobs=[], **part)
        events.add("response.output_text.done", logprobs=[], text=a.text, **part)
        events.add("response.content_part.done", part=ev.output_text(a.text), **part)
    events.add("response.output_item.done", item=a.item(True), output_index=0)
    events.add("response.completed", response=a.response(True))
    return events


def response(body: dict[str, Any], seed: str) -> dict[str, Any]:
    """A non-streamed answer: the completed Response."""
    return _Answer(body, seed).response(True)


def invalid(body: dict[str, Any]) -> tuple[str, str, str] | None:
    """(message, param, code) of the API's 400 for a request it refuses, else None: an unknown
    top-level key, or a tool_choice not in the Responses shape (the Chat Completions shape
    `{type: function, function: {name}}` is refused as OpenAI does: "Unknown parameter:
    'tool_choice.function'.", as BerriAI/litellm#27611 and langchain-ai/langchain#35584 quote)."""
    for key in body:
        if key not in _PARAMS:
            return f"Unknown parameter: '{key}'.", key, "unknown_parameter"
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") in _CHOICE_KEYS:
        for key in choice:
            if key not in _CHOICE_KEYS[choice["type"]]:
                return (f"Unknown parameter: 'tool_choice.{key}'.", f"tool_choice.{key}",
                        "unknown_parameter")
        if not isinstance(choice.get("name"), str):
            return ("Missing required parameter: 'tool_choice.name'.", "tool_choice.name",
                    "missing_required_parameter")
    return None


def _refusal(message: str, param: str, code: str | None) -> web.Response:
    return web.json_response({"error": {"message": message, "type": "invalid_request_error",
                                        "param": param, "code": code}}, status=400)


def _headers(seed: str) -> dict[str, str]:
    return {"x-request-id": "req_" + common.hex_id(seed, "request"),
            "openai-version": "2020-10-01", "openai-processing-ms": "266"}


async def handle(request: web.Request) -> web.StreamResponse:
    """POST /v1/responses: a Response, or its events when `stream` is true."""
    if not request.headers.get("Authorization"):
        raise common.Refused(401, "invalid_request", "Missing credentials: send the "
                             "Authorization header.")
    body = await common.read_json(request)
    refused = invalid(body) or refusals.responses(body)  # parameters, then items and schemas
    if refused is not None:
        return _refusal(*refused)
    seed = common.dumps(body)
    if not body.get("stream"):
        return web.json_response(response(body, seed), dumps=common.dumps,
                                 headers=_headers(seed))
    events = stream_events(body, seed)  # refusals (an unservable schema) before any byte
    sse = await common.start_sse(request, SSE_CONTENT_TYPE, _headers(seed))
    for event in events.sse():
        await sse.write(event)
    await sse.write_eof()
    return sse


def make_app() -> web.Application:
    """An aiohttp app serving the Responses API's create route, with OpenAI's error bodies."""
    errors = openai_chat.error_response(openai_chat.OPENAI)
    app = web.Application(middlewares=[common.errors_middleware(errors)])
    app.router.add_post(ROUTE, handle)
    return app
