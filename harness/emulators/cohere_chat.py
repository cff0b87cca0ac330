"""Cohere v2 chat (`POST /v2/chat`): JSON answers and named SSE events, as the real API sends them.

What the samples in ../shared/wire-samples/cohere show, reproduced here:
- non-streamed: `id, message, finish_reason, usage`; a tool answer's message is
  `role, tool_plan, tool_calls` (no content) with compact arguments and finish_reason TOOL_CALL;
  a text answer's message is `role, content: [{type: text, text}]` with COMPLETE; usage holds
  `billed_units` then `tokens`, each `input_tokens, output_tokens`.
- streamed: `event:` + `data:` pairs: message-start (empty message skeleton), tool-plan-delta
  per word, tool-call-start (id, type, name, empty arguments), tool-call-delta fragments of
  token size over 4-space-indented arguments (about 2-3 characters each), tool-call-end,
  message-end (finish_reason, usage), then a bare `data: [DONE]`.
- text streams (content-start/-delta/-end) have no v2 sample; their shape follows Cohere's
  streaming reference (content-start carries `{type: text, text: ""}`; deltas carry `{text}`).
- what is answered: tool_choice REQUIRED obliges a call (of the first tool: v2 cannot name
  one), as does an unforced turn with tools; NONE, JSON mode (`json_object` with its
  `json_schema`) or a turn right after a tool result is answered with text.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from typing import Any

from aiohttp import web

from harness.emulators import common, turns
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

ROUTE = "/v2/chat"
# v2 chat: every stream event names its `type`; the answer's model is not named.
WIRE = WireFamily(
    "cohere-v2", tool_keys=("tools", "tool_choice"), format_keys=("response_format",),
    success_keys=frozenset({"message", "type", "delta"}),
    terminal_events=frozenset({"message-end"}), finish_keys=("finish_reason",))
# Cohere streams tool arguments as 4-space-indented JSON in tokens: the opening brace, line
# break, indent and first quote are one token; then key, '":', ' "', value words, '",'; the
# indent before the next key is cut so its last space travels with the quote; digits come one
# at a time; the closing line break and brace are tokens of their own.
_ARG_TOKEN = re.compile(
    r'[{\[]\n +"'          # an object/array opening with the first key's quote
    r'|\n +(?= ")'         # the indent before a key, minus the space that joins the quote
    r'| "|":|",|"'         # quotes with their neighbours
    r'|\n +|\n'            # other line breaks (before '}' or nested values)
    r'|\d'                 # digits one by one
    r'| ?[A-Za-z]+'        # words with their leading space
    r'|[^\sA-Za-z\d"]+'    # other punctuation runs
    r'|\s|.', re.S)
_MAX_TOKEN = 8


def argument_fragments(text: str) -> list[str]:
    """Cut streamed tool arguments the way Cohere's tool-call-delta events carry them."""
    out: list[str] = []
    for match in _ARG_TOKEN.finditer(text):
        piece = match.group(0)
        while len(piece) > _MAX_TOKEN:  # long words and indents are several tokens
            out.append(piece[:_MAX_TOKEN])
            piece = piece[_MAX_TOKEN:]
        out.append(piece)
    return out


def _tool_result(body: dict[str, Any]) -> str | None:
    """The content of the tool results ending the conversation (role tool), or None."""
    messages = body.get("messages") or []
    results: list[str] = []
    for message in reversed(messages):
        if message.get("role") != "tool":
            break
        content = message.get("content")
        results.insert(0, content if isinstance(content, str) else json.dumps(
            [p.get("document", p.get("text")) if isinstance(p, dict) else p
             for p in content or []], ensure_ascii=False))
    return " ".join(results) if results else None


def _intent(body: dict[str, Any]) -> Intent:
    tools = body.get("tools") or []
    choice = str(body.get("tool_choice") or "").upper()
    fmt = body.get("response_format") or {}
    as_json = fmt.get("type") == "json_object"
    # v2 cannot name a tool: REQUIRED obliges a call of one of them (the first, here).
    if tools and choice != "NONE" and (
            choice == "REQUIRED" or not (as_json or _tool_result(body) is not None)):
        fn = tools[0].get("function", {})
        return Intent("tool", fn.get("parameters") or ANY_OBJECT, fn.get("name"))
    messages = body.get("messages", [])
    system = " ".join(text_of(m.get("content")) for m in messages if m.get("role") == "system")
    schema = find_schema_in_text(system) or find_schema_in_text(
        " ".join(text_of(m.get("content")) for m in messages))
    if as_json:  # Cohere's JSON mode: schema under json_schema
        return Intent("json", fmt.get("json_schema") or schema or ANY_OBJECT)
    return Intent("text", schema)


def _answer(body: dict[str, Any], intent: Intent) -> Any | None:
    if intent.kind == "text" and intent.schema is None and _tool_result(body) is not None:
        return None  # the tool's result is reported (_text): the model answers no object
    prompts = [text_of(m.get("content")) for m in body.get("messages", [])
               if m.get("role") == "user"]
    return answer_for(prompts, intent.schema)


def _text(body: dict[str, Any], intent: Intent, answer: Any | None) -> str:
    """The content text: JSON for JSON mode, fenced JSON when the schema is only in the
    prompt, the tool's result reported after a tool turn, else prose."""
    result = _tool_result(body)
    if intent.kind == "text" and intent.schema is None and result is not None:
        return tool_result_reply(result)
    if answer is None:
        return UNKNOWN_PROMPT_REPLY
    pretty = json.dumps(answer, indent=4, ensure_ascii=False)
    return pretty if intent.kind == "json" else f"```json\n{pretty}\n```"


def _tool_plan(tool: str) -> str:
    return f"I will call {tool} with the details given in the message."


def _usage(body: dict[str, Any], output: str) -> dict[str, Any]:
    billed_in = max(1, len(json.dumps(body.get("messages", []))) // 4)
    billed_out = max(1, len(output) // 4)
    # `tokens` counts the preamble and tool rendering Cohere adds: far more than is billed.
    return {"billed_units": {"input_tokens": billed_in, "output_tokens": billed_out},
            "tokens": {"input_tokens": billed_in + 880, "output_tokens": billed_out + 36}}


def _ids(seed: str, tool: str | None) -> tuple[str, str]:
    message_id = str(uuid.UUID(bytes=hashlib.sha256(seed.encode()).digest()[:16], version=4))
    call_id = f"{tool}_{common.stable_id(seed + 'call', 12).lower()}" if tool else ""
    return message_id, call_id


def completion(body: dict[str, Any], seed: str) -> dict[str, Any]:
    """A non-streamed v2 chat answer."""
    intent = _intent(body)
    answer = _answer(body, intent)
    message_id, call_id = _ids(seed, intent.tool_name if intent.kind == "tool" else None)
    if intent.kind == "tool":
        # Non-streamed arguments are compact; only the streamed ones are indented.
        arguments = json.dumps(answer, separators=(",", ":"), ensure_ascii=False)
        plan = _tool_plan(intent.tool_name or "")
        return {"id": message_id,
                "message": {"role": "assistant", "tool_plan": plan, "tool_calls": [
                    {"id": call_id, "type": "function",
                     "function": {"name": intent.tool_name, "arguments": arguments}}]},
                "finish_reason": "TOOL_CALL", "usage": _usage(body, plan + arguments)}
    text = _text(body, intent, answer)
    return {"id": message_id,
            "message": {"role": "assistant", "content": [{"type": "text", "text": text}]},
            "finish_reason": "COMPLETE", "usage": _usage(body, text)}


def stream_events(body: dict[str, Any], seed: str) -> list[tuple[str | None, str]]:
    """(event name, data) of a streamed answer, in order, ending with the bare [DONE]."""
    intent = _intent(body)
    answer = _answer(body, intent)
    tool = intent.tool_name if intent.kind == "tool" else None
    message_id, call_id = _ids(seed, tool)
    events: list[tuple[str, dict[str, Any]]] = [("message-start", {
        "id": message_id, "type": "message-start", "delta": {"message": {
            "role": "assistant", "content": [], "tool_plan": "", "tool_calls": [],
            "citations": []}}})]
    if tool:
        plan = _tool_plan(tool)
        for word in token_fragments(plan):
            events.append(("tool-plan-delta", {"type": "tool-plan-delta", "delta": {
                "message": {"tool_plan": word}}}))
        arguments = json.dumps(answer, indent=4, ensure_ascii=False)
        events.append(("tool-call-start", {"type": "tool-call-start", "index": 0, "delta": {
            "message": {"tool_calls": {"id": call_id, "type": "function",
                                       "function": {"name": tool, "arguments": ""}}}}}))
        for piece in argument_fragments(arguments):
            events.append(("tool-call-delta", {"type": "tool-call-delta", "index": 0,
                                                     "delta": {"message": {"tool_calls": {
                                                         "function": {"arguments": piece}}}}}))
        events.append(("tool-call-end", {"type": "tool-call-end", "index": 0}))
        finish, output = "TOOL_CALL", plan + arguments
    else:
        output = _text(body, intent, answer)
        events.append(("content-start", {"type": "content-start", "index": 0, "delta": {
            "message": {"content": {"type": "text", "text": ""}}}}))
        for piece in token_fragments(output):
            events.append(("content-delta", {"type": "content-delta", "index": 0, "delta": {
                "message": {"content": {"text": piece}}}}))
        events.append(("content-end", {"type": "content-end", "index": 0}))
        finish = "COMPLETE"
    events.append(("message-end", {"type": "message-end", "delta": {
        "finish_reason": finish, "usage": _usage(body, output)}}))
    return [(name, common.dumps(data)) for name, data in events] + [(None, "[DONE]")]


def _unauthorized() -> web.Response:
    return web.json_response({"id": str(uuid.uuid4()), "message": "no api key supplied"},
                             status=401)


def _refused(status: int, kind: str, message: str) -> web.Response:
    # Cohere's error body for every status: the request's id and a message.
    return web.json_response({"id": common.uuid_from(message), "message": message},
                             status=status, dumps=common.dumps)


def make_app() -> web.Application:
    """An aiohttp app serving Cohere's v2 chat on its real path."""

    async def handle(request: web.Request) -> web.StreamResponse:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or not auth[7:].strip():
            return _unauthorized()
        body = await common.read_json(request)
        malformed = turns.cohere(body.get("messages"))  # tool results answer tool calls
        if malformed:
            raise common.Refused(400, "invalid_request", malformed)
        seed = common.dumps(body)
        if body.get("stream"):
            events = stream_events(body, seed)  # a refusal is answered before any byte
            response = await common.start_sse(request, content_type="text/event-stream")
            for name, data in events:
                head = f"event: {name}\n" if name else ""
                await response.write(f"{head}data: {data}\n\n".encode())
            await response.write_eof()
            return response
        # Exactly the real Content-Type (aiohttp's json_response would add a charset).
        return web.Response(body=common.dumps(completion(body, seed)).encode(),
                            headers={"Content-Type": "application/json"})

    app = web.Application(middlewares=[common.errors_middleware(_refused)])
    app.router.add_post(ROUTE, handle)
    return app
