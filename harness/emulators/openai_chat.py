"""The OpenAI chat-completions wire family: OpenAI, Azure OpenAI, Mistral, Hugging Face.

Each flavour reproduces what its real API sends (see ../shared/wire-samples): OpenAI cuts tool
arguments into token-sized deltas after a first chunk carrying id, type, name and empty
arguments; Azure prepends a prompt_filter_results chunk and adds content_filter_results to
choices, with its keys in alphabetical order; Mistral sends the whole arguments in one chunk
together with finish_reason and usage. This module decides what to answer and in which
chunks; the objects' fields, flavour by flavour, are built in openai_objects. Providers whose
objects differ too much for flags (Groq, OpenRouter, DeepSeek, xAI, Together AI) name a Dialect:
their own module in openai_compat/ builds their frames and answers from `answer`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from harness.emulators import common, refusals, stream_faults
from harness.emulators.fragments import token_fragments, word_fragments
from harness.emulators.knowledge import (
    ANY_OBJECT,
    UNKNOWN_PROMPT_REPLY,
    Intent,
    answer_for,
    find_schema_in_text,
    text_of,
    tool_result_reply,
)
from harness.emulators.openai_objects import (
    PROMPT_FILTER,
    Chunks,
    Flavour,
    completion_object,
    id_headers,
    lowercase_id,
    role,
    short_call_id,
    tool_call,
    usage_of,
)
from harness.wire import WireFamily

# A successful answer has `choices`; an `error` object inside a 200 stream (Groq, OpenRouter)
# is the provider's answer too, not a body of the wrong shape.
WIRE = WireFamily(
    "openai-chat", tool_keys=("tools", "tool_choice"), format_keys=("response_format",),
    success_keys=frozenset({"choices", "error"}), finish_keys=("finish_reason",),
    model_keys=("model",))


def _forced(choice: Any) -> bool:
    """Whether tool_choice obliges a call: a named function, "required" or Mistral's "any"."""
    return isinstance(choice, dict) or choice in ("required", "any")


def _after_tool_result(body: dict[str, Any]) -> bool:
    """Whether the model speaks after a tool result (role tool): it reports, it calls no more."""
    messages = body.get("messages") or []
    return bool(messages) and messages[-1].get("role") in ("tool", "function")


def _intent(body: dict[str, Any]) -> Intent:
    tools = body.get("tools") or []
    choice = body.get("tool_choice")
    fmt = body.get("response_format") or {}
    strict = fmt.get("type") == "json_schema"
    if tools and choice != "none" and (
            _forced(choice) or not (strict or _after_tool_result(body))):
        name = (choice.get("function") or {}).get("name") if isinstance(choice, dict) else None
        tool = next((t for t in tools if t.get("function", {}).get("name") == name), tools[0])
        fn = tool.get("function", {})
        return Intent("tool", fn.get("parameters") or ANY_OBJECT, fn.get("name"))
    if strict:
        return Intent("json", (fmt.get("json_schema") or {}).get("schema") or ANY_OBJECT)
    system = " ".join(text_of(m.get("content")) for m in body.get("messages", [])
                      if m.get("role") == "system")
    schema = find_schema_in_text(system) or find_schema_in_text(
        " ".join(text_of(m.get("content")) for m in body.get("messages", [])))
    if fmt.get("type") == "json_object":
        return Intent("json", schema or ANY_OBJECT)
    return Intent("text", schema)


def _render(flavour: Flavour, intent: Intent, body: dict[str, Any]) -> tuple[str, str | None]:
    """(text, tool_name): the model's output for the request; tool_name None for content."""
    messages = body.get("messages", [])
    if intent.kind == "text" and intent.schema is None and _after_tool_result(body):
        return tool_result_reply(text_of(messages[-1].get("content"))), None
    prompts = [text_of(m.get("content")) for m in messages if m.get("role") == "user"]
    answer = answer_for(prompts, intent.schema)
    if answer is None:
        return UNKNOWN_PROMPT_REPLY, None
    if intent.kind == "tool":
        return (json.dumps(answer, separators=flavour.args_separators, ensure_ascii=False),
                intent.tool_name)
    fmt = (body.get("response_format") or {}).get("type")
    if intent.kind == "json" and fmt == "json_schema":
        # Structured outputs are written in the model's usual JSON style (compact on OpenAI).
        return json.dumps(answer, separators=flavour.args_separators, ensure_ascii=False), None
    pretty = json.dumps(answer, indent=2, ensure_ascii=False)
    if intent.kind == "json":
        return pretty, None  # JSON mode answers pretty-printed, as seen on the wire
    return f"```json\n{pretty}\n```", None


def answer(flavour: Flavour, body: dict[str, Any]) -> tuple[str, str | None]:
    """(text, tool name) the model answers `body` with, whatever objects carry it."""
    return _render(flavour, _intent(body), body)


def _tool_chunks(c: Chunks, call_id: str, tool: str, text: str,
                 usage: dict[str, Any]) -> list[dict[str, Any]]:
    """The role chunk, then the call: whole with finish_reason, or its arguments in tokens."""
    f = c.flavour
    if f.whole_arguments:
        return [c.chunk(role(f, None), None), c.chunk(
            {"tool_calls": [tool_call(f, call_id, tool, text, True)]}, "tool_calls", usage)]
    events = [c.chunk(role(f, [tool_call(f, call_id, tool, "", True)]), None)]
    for piece in token_fragments(text):
        events.append(c.chunk({"tool_calls": [tool_call(f, call_id, tool, piece, False)]}, None))
    return [*events, c.chunk({}, "tool_calls")]


def _content_chunks(c: Chunks, text: str, usage: dict[str, Any]) -> list[dict[str, Any]]:
    """The role chunk, then the text in word deltas (the last one finishing) or in tokens."""
    events = [c.chunk(role(c.flavour, None), None)]
    if c.flavour.word_deltas:
        pieces = word_fragments(text)
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            events.append(c.chunk({"content": piece}, "stop" if last else None,
                                  usage if last else None))
        return events
    events += [c.chunk({"content": piece}, None) for piece in token_fragments(text)]
    return [*events, c.chunk({}, "stop")]


def stream_events(flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> list[str]:
    """The `data:` payloads of a streamed answer, in order, ending with [DONE]."""
    text, tool = _render(flavour, _intent(body), body)
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    c = Chunks(flavour, model, seed, include_usage)
    usage = usage_of(flavour, body, text)
    events: list[dict[str, Any]] = []
    if flavour.azure_filters:
        events.append({"choices": [], "created": 0, "id": "", "model": "", "object": "",
                       "prompt_filter_results": PROMPT_FILTER})
    if tool:
        events += _tool_chunks(c, flavour.make_call_id(seed), tool, text, usage)
    else:
        events += _content_chunks(c, text, usage)
    # A flavour that finishes on its last delta has already sent the usage there.
    usage_sent = flavour.whole_arguments if tool else flavour.word_deltas
    if include_usage and not usage_sent:
        events.append(c.chunk({}, None, usage, empty_choices=True))
    return [common.dumps(e) for e in events] + ["[DONE]"]


def stream_frames(flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> list[str]:
    """The whole SSE frames of a streamed answer (a dialect's own, or `data:` lines)."""
    if flavour.dialect is not None:
        return flavour.dialect.frames(flavour, body, model, seed)
    return [f"data: {payload}\n\n" for payload in stream_events(flavour, body, model, seed)]


def completion(flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> dict[str, Any]:
    """A non-streamed chat.completion answer."""
    if flavour.dialect is not None:
        return flavour.dialect.completion(flavour, body, model, seed)
    text, tool = _render(flavour, _intent(body), body)
    return completion_object(flavour, model, seed, text, tool, usage_of(flavour, body, text))


def _unauthorized(flavour: Flavour) -> web.Response:
    return web.json_response(
        {"error": {"message": f"Missing credentials: send the {flavour.auth_header} header.",
                   "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}},
        status=401)


def error_body(flavour: Flavour, status: int, kind: str, message: str,
               param: str | None = None, code: str | None = None) -> web.Response:
    """The flavour's error bodies: OpenAI's `error` object, naming the request `param` at
    fault and a `code` where it has one (Hugging Face's router passes an OpenAI-compatible
    upstream's through); Azure's unknown path is its `Resource not found`; Mistral refuses
    in its `object: error` shape, and its gateway (Kong, per the x-kong-request-id of every
    answer) answers an unknown route with its own message."""
    if flavour.name == "azure" and kind == "not_found":
        body: dict[str, Any] = {"error": {"code": "404", "message": "Resource not found"}}
    elif flavour.name == "mistral" and kind == "not_found":
        body = {"message": "no Route matched with those values",
                "request_id": common.hex_id(message)}
    elif flavour.name == "mistral":
        body = {"object": "error", "message": message, "type": "invalid_request_error",
                "param": None, "code": None}
    else:  # DeepSeek repeats the type as the code
        if code is None and flavour.name == "deepseek":
            code = "invalid_request_error"
        body = {"error": {"message": message, "type": "invalid_request_error",
                          "param": param, "code": code}}
    return web.json_response(body, status=status, dumps=common.dumps)


def error_response(flavour: Flavour) -> common.ErrorResponse:
    """The flavour's error body for a refusal (see error_body)."""
    return lambda status, kind, message: error_body(flavour, status, kind, message)


def make_app(flavour: Flavour) -> web.Application:
    """An aiohttp app serving `flavour` on its real paths."""

    async def handle(request: web.Request) -> web.StreamResponse:
        if not request.headers.get(flavour.auth_header):
            return _unauthorized(flavour)
        body = await common.read_json(request)
        refused = refusals.openai_family(body, flavour.name)  # tool turns, schemas
        if refused is not None:
            return error_body(flavour, 400, "invalid_request", *refused)
        model = flavour.model_name(request, body)
        seed = common.dumps(body)
        headers = id_headers(flavour, seed, request)
        if body.get("stream"):
            frames = stream_frames(flavour, body, model, seed)  # refusals before any byte
            response = await common.start_sse(request, headers=headers)
            for frame in frames:
                await response.write(frame.encode())
            await response.write_eof()
            return response
        return web.json_response(completion(flavour, body, model, seed),
                                 dumps=common.dumps, headers=headers)

    app = web.Application(middlewares=[common.errors_middleware(error_response(flavour))])
    if flavour.dialect is not None and flavour.dialect.stream_error is not None:
        app[stream_faults.STREAM_ERROR] = flavour.dialect.stream_error
    for route in flavour.routes:
        app.router.add_post(route, handle)
    return app


def _model_from_body(suffix: str = "") -> Callable[[web.Request, dict[str, Any]], str]:
    return lambda request, body: f"{body.get('model', '')}{suffix}"


def _azure_model(request: web.Request, body: dict[str, Any]) -> str:
    return request.match_info.get("deployment", "") + "-2024-07-18"


OPENAI = Flavour("openai", ("/v1/chat/completions",), "Authorization",
                 _model_from_body("-2024-07-18"), (",", ":"))
AZURE = Flavour("azure", ("/openai/deployments/{deployment}/chat/completions",), "api-key",
                _azure_model, (",", ":"), azure_filters=True)
MISTRAL = Flavour("mistral", ("/v1/chat/completions",), "Authorization",
                  _model_from_body(), (", ", ": "), whole_arguments=True, word_deltas=True,
                  padding=True, lean_objects=True, prompt_usage_only=True,
                  make_id=lowercase_id, make_call_id=short_call_id)


def _hf_model(request: web.Request, body: dict[str, Any]) -> str:
    # litellm sends "together/org/model" to an api_base; the upstream answers with its own id.
    model, provider = str(body.get("model", "")), request.match_info.get("provider", "")
    return model[len(provider) + 1:] if provider and model.startswith(provider + "/") else model


# Hugging Face's inference-providers router: /{provider}/v1/chat/completions (what litellm
# builds) and the OpenAI-compatible /v1/chat/completions. No Hugging Face sample exists: the
# router passes an OpenAI-compatible upstream through, so this is the OpenAI flavour's wire.
HUGGINGFACE = Flavour("huggingface", ("/{provider}/v1/chat/completions", "/v1/chat/completions"),
                      "Authorization", _hf_model, (",", ":"))
