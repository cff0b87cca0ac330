"""AWS Bedrock Converse (POST /model/{id}/converse and /converse-stream), as the service sends it.

Reproduced from ../shared/wire-samples: SigV4-signed requests; JSON with keys in alphabetical
order; streams as binary event stream frames (messageStart, contentBlockStart for tool use
only, contentBlockDelta, contentBlockStop, messageStop, metadata), each payload carrying a `p`
padding field. The model family decides the delivery: Claude streams tool input as an empty
delta then 2-12 character fragments and text in runs of tokens; Amazon Nova sends tool input
whole in one delta and text a word or two at a time, with stray empty text deltas. A forced
tool (toolChoice any/tool) is called alone, an unforced one after Claude's preface unless the
turn follows a toolResult; outputConfig's JSON schema is answered with JSON text.
"""

from __future__ import annotations

import json
import random
import re
import uuid
from typing import Any

from aiohttp import web

from harness.emulators import common, eventstream, refusals
from harness.emulators.anthropic_messages import json_fragments, text_fragments
from harness.emulators.fragments import word_fragments
from harness.emulators.knowledge import (
    ANY_OBJECT,
    UNKNOWN_PROMPT_REPLY,
    answer_for,
    find_schema_in_text,
    tool_result_reply,
)
from harness.wire import WireFamily

_PADDING = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_SIGV4 = re.compile(r"^AWS4-HMAC-SHA256 Credential=[^/\s]+/\d{8}/[\w-]+/bedrock/aws4_request, "
                    r"SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$")
_PREFACE = "I'll extract the requested information."
_VALIDATION = "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"
# Converse: tools live inside toolConfig, a JSON schema inside outputConfig.textFormat; the path
# (/converse-stream) says streaming; stream frames are binary, and no answer names its model.
WIRE = WireFamily(
    "bedrock-converse", tool_keys=("toolConfig",), format_keys=("outputConfig",),
    prompt_keys=("system",), stream_flag=False, success_keys=frozenset({"output"}),
    terminal_events=frozenset({"messageStop"}), finish_keys=("stopReason",))


def is_nova(model_id: str) -> bool:
    """Whether the model id (with or without a region prefix) is an Amazon Nova model."""
    return "amazon.nova" in model_id


def dumps(obj: Any) -> str:
    """Compact JSON as Bedrock sends it; callers build envelopes with keys in alphabetical
    order, while tool input keeps the model's own key order."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _text_of_blocks(blocks: Any) -> str:
    if not isinstance(blocks, list):
        return ""
    return "".join(b.get("text", "") for b in blocks if isinstance(b, dict))


def _tool_result(body: dict[str, Any]) -> str | None:
    """The toolResult blocks of the last (user) message, as text, or None when it has none."""
    messages = body.get("messages") or []
    blocks = messages[-1].get("content") if messages else None
    results = [b["toolResult"] for b in blocks or [] if isinstance(b, dict) and "toolResult" in b]
    if not results:
        return None
    return " ".join(_text_of_blocks(r.get("content")) or dumps(r.get("content"))
                    for r in results)


def _tool_blocks(body: dict[str, Any], model_id: str, prompts: list[str],
                 prompt_schema: dict[str, Any] | None) -> tuple[list[dict[str, Any]], bool] | None:
    """The toolUse answer (with Claude's preface unless forced), or None when no tool is
    called: none offered, or an unforced turn after a toolResult (Converse has no `none`)."""
    config = body.get("toolConfig") or {}
    specs = [t["toolSpec"] for t in config.get("tools") or [] if "toolSpec" in t]
    choice = config.get("toolChoice") or {"auto": {}}
    forced = "tool" in choice or "any" in choice
    if not specs or (not forced and _tool_result(body) is not None):
        return None
    wanted = (choice.get("tool") or {}).get("name")
    spec = next((s for s in specs if s.get("name") == wanted), specs[0])
    schema = (spec.get("inputSchema") or {}).get("json") or {}
    # A schema-less tool (litellm's generic JSON tool) is filled from the prompt's schema.
    if not schema.get("properties"):
        schema = prompt_schema or schema or ANY_OBJECT
    answer = answer_for(prompts, schema)
    # Claude writes tool input with spaces; Nova writes it compact.
    separators = (",", ":") if is_nova(model_id) else (", ", ": ")
    call = {"kind": "tool", "name": spec["name"],
            "input_json": json.dumps(answer, separators=separators, ensure_ascii=False)}
    return ([call] if forced else [{"kind": "text", "text": _PREFACE}, call]), forced


def blocks_for(body: dict[str, Any], model_id: str) -> tuple[list[dict[str, Any]], bool]:
    """(content blocks as {'kind': 'text'|'tool', ...}, tool forced) for a Converse request."""
    prompts = [_text_of_blocks(m.get("content")) for m in body.get("messages", [])
               if m.get("role") == "user"]
    prompt_schema = find_schema_in_text(_text_of_blocks(body.get("system"))) or \
        find_schema_in_text(" ".join(prompts))
    called = _tool_blocks(body, model_id, prompts, prompt_schema)
    if called is not None:
        return called
    fmt = ((body.get("outputConfig") or {}).get("textFormat") or {})
    if fmt.get("type") == "json_schema":
        raw = ((fmt.get("structure") or {}).get("jsonSchema") or {}).get("schema") or "{}"
        schema = json.loads(raw) if isinstance(raw, str) else raw
        answer = answer_for(prompts, schema or ANY_OBJECT)
        return [{"kind": "text", "text": dumps(answer)}], False
    result = _tool_result(body)
    if result is not None and prompt_schema is None:
        return [{"kind": "text", "text": tool_result_reply(result)}], False
    answer = answer_for(prompts, prompt_schema)
    if answer is None:
        return [{"kind": "text", "text": UNKNOWN_PROMPT_REPLY}], False
    pretty = json.dumps(answer, indent=2, ensure_ascii=False)
    return [{"kind": "text", "text": f"```json\n{pretty}\n```"}], False


def _tool_id(seed: str) -> str:
    return "tooluse_" + common.stable_id(seed + "tool", 22)


def _tokens(body: dict[str, Any], blocks: list[dict[str, Any]]) -> tuple[int, int]:
    used = max(1, sum(len(b.get("text") or b.get("input_json") or "") for b in blocks) // 3)
    return max(1, len(dumps(body)) // 4), used


def _latency(seed: str) -> int:
    return random.Random(common.stable_id(seed + "latency", 16)).randint(300, 2800)


def _request_id(seed: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, seed))


def converse(body: dict[str, Any], model_id: str, seed: str) -> dict[str, Any]:
    """A non-streamed Converse response."""
    blocks, _ = blocks_for(body, model_id)
    content: list[dict[str, Any]] = []
    for block in blocks:
        if block["kind"] == "text":
            content.append({"text": block["text"]})
        else:
            tool = {"input": json.loads(block["input_json"]), "name": block["name"],
                    "toolUseId": _tool_id(seed)}
            if not is_nova(model_id):
                tool["type"] = "tool_use"
            content.append({"toolUse": tool})
    prompt, completion = _tokens(body, blocks)
    usage: dict[str, Any] = {"cacheReadInputTokenCount": 0, "cacheReadInputTokens": 0,
                             "cacheWriteInputTokenCount": 0, "cacheWriteInputTokens": 0,
                             "inputTokens": prompt, "outputTokens": completion}
    if not is_nova(model_id):
        usage["serverToolUsage"] = {}
    usage["totalTokens"] = prompt + completion
    has_tool = any(b["kind"] == "tool" for b in blocks)
    return {"metrics": {"latencyMs": _latency(seed)},
            "output": {"message": {"content": content, "role": "assistant"}},
            "stopReason": "tool_use" if has_tool else "end_turn", "usage": usage}


def _nova_text(text: str, rng: random.Random) -> list[str]:
    out = []
    for piece in word_fragments(text):
        if rng.random() < 0.08:
            out.append("")  # Nova streams the odd empty text delta
        out.append(piece)
    return out


def stream_events(body: dict[str, Any], model_id: str,
                  seed: str) -> list[tuple[str, dict[str, Any]]]:
    """(event type, payload without padding) of a ConverseStream answer, in order."""
    blocks, _ = blocks_for(body, model_id)
    nova = is_nova(model_id)
    rng = random.Random(common.stable_id(seed + "fragments", 16))
    events: list[tuple[str, dict[str, Any]]] = [("messageStart", {"role": "assistant"})]
    for index, block in enumerate(blocks):
        if block["kind"] == "text":
            # Text blocks have no contentBlockStart: the first delta opens them.
            pieces = _nova_text(block["text"], rng) if nova else text_fragments(block["text"], rng)
            events += [("contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": p}})
                       for p in pieces]
        else:
            start: dict[str, Any] = {"name": block["name"], "toolUseId": _tool_id(seed)}
            if not nova:
                start["type"] = "tool_use"
            events.append(("contentBlockStart", {"contentBlockIndex": index,
                                                 "start": {"toolUse": start}}))
            pieces = [block["input_json"]] if nova else [
                "", *json_fragments(block["input_json"], rng)]
            events += [("contentBlockDelta", {"contentBlockIndex": index,
                                              "delta": {"toolUse": {"input": p}}})
                       for p in pieces]
        events.append(("contentBlockStop", {"contentBlockIndex": index}))
    has_tool = any(b["kind"] == "tool" for b in blocks)
    events.append(("messageStop", {"stopReason": "tool_use" if has_tool else "end_turn"}))
    prompt, completion = _tokens(body, blocks)
    usage: dict[str, Any] = {"inputTokens": prompt, "outputTokens": completion}
    if not nova:
        usage["serverToolUsage"] = {}
    usage["totalTokens"] = prompt + completion
    events.append(("metadata", {"metrics": {"latencyMs": _latency(seed)}, "usage": usage}))
    return events


def encode_stream(events: list[tuple[str, dict[str, Any]]], seed: str) -> list[bytes]:
    """Event stream frames, each payload padded with a `p` field of random length."""
    rng = random.Random(common.stable_id(seed + "padding", 16))
    frames = []
    for name, payload in events:
        padded = {**payload, "p": _PADDING[:rng.randint(1, len(_PADDING) - 1)]}
        padded = {key: padded[key] for key in sorted(padded)}  # `p` takes its sorted place
        frames.append(eventstream.event(name, dumps(padded).encode()))
    return frames


def _error(status: int, kind: str, text: str) -> web.Response:
    return web.Response(status=status, body=dumps({"message": text}).encode(),
                        headers={"Content-Type": "application/json", "x-amzn-ErrorType": kind,
                                 "x-amzn-RequestId": _request_id(text)})


_UNKNOWN_OPERATION = ("UnknownOperationException:http://internal.amazon.com/coral/"
                      "com.amazon.coral.service/")


def _refused(status: int, kind: str, message: str) -> web.Response:
    if kind == "invalid_request":
        return _error(400, _VALIDATION, message)
    return _error(404, _UNKNOWN_OPERATION, message)  # no operation at that path or method


def _check(request: web.Request, body: dict[str, Any]) -> web.Response | None:
    """The service's refusals (unsigned request, malformed body), or None."""
    auth = request.headers.get("Authorization", "")
    if not auth:
        return _error(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
    if not _SIGV4.match(auth) or not request.headers.get("X-Amz-Date"):
        return _error(403, "IncompleteSignatureException",
                      "Authorization header requires a SigV4 Credential, SignedHeaders and "
                      "Signature, and the request an X-Amz-Date header.")
    if not isinstance(body.get("messages"), list) or not body["messages"]:
        return _error(400, _VALIDATION, "The model returned the following errors: messages: "
                                        "at least one message is required")
    refused = refusals.bedrock(body)  # tool turns, tool and output schemas
    return _error(400, _VALIDATION, refused) if refused else None


def make_app() -> web.Application:
    """An aiohttp app serving Converse and ConverseStream."""

    async def handle(request: web.Request) -> web.StreamResponse:
        body = await common.read_json(request)
        refusal = _check(request, body)
        if refusal is not None:
            return refusal
        model_id = request.match_info["model_id"]
        seed = model_id + common.dumps(body)
        request_id = _request_id(seed)
        if request.path.endswith("/converse-stream"):
            events = stream_events(body, model_id, seed)  # a refusal is answered before any byte
            response = await common.start_sse(request, content_type=eventstream.CONTENT_TYPE,
                                              headers={"x-amzn-RequestId": request_id})
            for frame in encode_stream(events, seed):
                await response.write(frame)
            await response.write_eof()
            return response
        return web.Response(body=dumps(converse(body, model_id, seed)).encode(),
                            headers={"Content-Type": "application/json",
                                     "x-amzn-RequestId": request_id})

    app = web.Application(middlewares=[common.errors_middleware(_refused)])
    app.router.add_post("/model/{model_id}/converse", handle)
    app.router.add_post("/model/{model_id}/converse-stream", handle)
    return app
