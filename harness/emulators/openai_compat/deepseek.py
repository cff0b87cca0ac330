"""DeepSeek (api.deepseek.com), as its thinking models answer (../shared/wire-samples/deepseek:
deepseek-reasoner's streamed tool call, deepseek-v4-pro's and -flash's answers).

Thinking is on unless the request disables it (`thinking: {type: disabled}`; the legacy
`deepseek-chat` alias thinks not), and both legacy aliases answer as deepseek-v4-flash (the
pydantic-ai sample asks deepseek-reasoner, the answer names deepseek-v4-flash). Every chunk
carries `usage: null` until the finish chunk, and `logprobs: null`; the response id is a bare
UUID. The first delta is the role with `content: null` and an empty `reasoning_content`;
reasoning follows token by token with `content: null`; then content token by token with
`reasoning_content: null`, or a tool call: a header chunk (id `call_00_<24>`, name, empty
arguments) and its arguments (written with ", " and ": ") cut at every quote, word and
separator. The finish chunk's delta is `content: ""` with `reasoning_content: null`, and its
usage has `prompt_cache_hit_tokens` / `prompt_cache_miss_tokens` beside the OpenAI fields;
then [DONE].

Refused with HTTP 400 before any byte, as client projects report the real API does in 2026
(no sample records a refusal): a forced tool_choice (a named function or "required") while
thinking ("Thinking mode does not support this tool_choice": deepseek-ai/DeepSeek-V3#1376,
BerriAI/litellm#37470); `response_format` json_schema ("This response_format type is
unavailable now": llm-exe/llm-exe#662, BerriAI/litellm#31466); json_object without the word
"json" in the prompt; while thinking, an assistant message with tool_calls sent back without
its `reasoning_content` (the thinking-mode guide's tool-calls section requires it back; the
text: Sylinko/Everywhere#287). Its tool turns are paired as the OpenAI family's, in its own
words (turns.openai_chat, dialect "deepseek").
"""

from __future__ import annotations

import json
import re
import string
from typing import Any

from harness.emulators.common import Refused
from harness.emulators.openai_compat.turn import (
    DONE,
    Turn,
    chars,
    frame,
    pieces,
    reasoning_for,
    reasoning_tokens,
    turn_for,
    uuid,
)
from harness.emulators.openai_objects import Dialect, Flavour

_FINGERPRINT = "fp_8b330d02d0_prod0820_fp8_kvcache_20260402"
_ALIASES = {"deepseek-chat": "deepseek-v4-flash", "deepseek-reasoner": "deepseek-v4-flash"}
# '{', '"', 'location', '"', ': ', '"', 'San', ' Francisco', '"', '}' as the sample cuts them.
_ARG_TOKEN = re.compile(r'\s?[A-Za-z]+|\d{1,3}|: |, |\s+|.', re.S)


def argument_fragments(text: str) -> list[str]:
    """DeepSeek's cut of tool arguments: every quote, brace, word and separator apart."""
    return [m.group(0) for m in _ARG_TOKEN.finditer(text)]


def _answering_model(requested: str) -> str:
    return _ALIASES.get(requested, requested)


def thinking(body: dict[str, Any]) -> bool:
    """Whether the request runs in thinking mode (the default but for deepseek-chat)."""
    kind = (body.get("thinking") or {}).get("type")
    return kind == "enabled" if kind in ("enabled", "disabled") else (
        body.get("model") != "deepseek-chat")


def refusal(body: dict[str, Any]) -> str | None:
    """Why the API refuses `body` with HTTP 400, or None."""
    choice = body.get("tool_choice")
    if body.get("tools") and thinking(body) and (isinstance(choice, dict) or choice == "required"):
        return "Thinking mode does not support this tool_choice"
    kind = (body.get("response_format") or {}).get("type")
    if kind == "json_schema":
        return "This response_format type is unavailable now"
    if kind == "json_object" and "json" not in json.dumps(body.get("messages", [])).lower():
        return ("Prompt must contain the word 'json' in some form to use 'response_format' of "
                "type 'json_object'")
    return _reasoning_missing(body) if thinking(body) else None


def _reasoning_missing(body: dict[str, Any]) -> str | None:
    for i, message in enumerate(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "assistant" and \
                message.get("tool_calls") and message.get("reasoning_content") is None:
            return (f"Missing `reasoning_content` field in the assistant message at message "
                    f"index {i}. For more information, please refer to "
                    f"https://api-docs.deepseek.com/guides/thinking_mode#tool-calls")
    return None


def _turn(flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> Turn:
    reason = refusal(body)
    if reason:
        raise Refused(400, "invalid_request", reason)
    return turn_for(flavour, body, model, seed)


def _reasoning(t: Turn) -> str:
    return reasoning_for(t) if thinking(t.body) else ""


def _call_id(t: Turn) -> str:
    return "call_00_" + chars(t.seed, "call", string.ascii_letters + string.digits, 24)


def _usage(t: Turn) -> dict[str, Any]:
    reasoning = reasoning_tokens(t) if thinking(t.body) else 0
    completion = t.completion_tokens + reasoning
    return {"prompt_tokens": t.prompt_tokens, "completion_tokens": completion,
            "total_tokens": t.prompt_tokens + completion,
            "prompt_tokens_details": {"cached_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": reasoning},
            "prompt_cache_hit_tokens": 0, "prompt_cache_miss_tokens": t.prompt_tokens}


def _chunks(t: Turn) -> list[dict[str, Any]]:
    rid = uuid(t.seed, "deepseek")

    def chunk(delta: dict[str, Any], finish: str | None = None,
              usage: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"id": rid, "object": "chat.completion.chunk", "created": t.created,
                "model": t.model, "system_fingerprint": _FINGERPRINT,
                "choices": [{"index": 0, "delta": delta, "logprobs": None,
                             "finish_reason": finish}], "usage": usage}

    out = [chunk({"role": "assistant", "content": None, "reasoning_content": ""})]
    out += [chunk({"content": None, "reasoning_content": p}) for p in pieces(_reasoning(t))]
    if t.tool:
        head = {"index": 0, "id": _call_id(t), "type": "function",
                "function": {"name": t.tool, "arguments": ""}}
        out.append(chunk({"tool_calls": [head]}))
        out += [chunk({"tool_calls": [{"index": 0, "function": {"arguments": p}}]})
                for p in argument_fragments(t.text)]
    else:
        out += [chunk({"content": p, "reasoning_content": None}) for p in pieces(t.text)]
    return [*out, chunk({"content": "", "reasoning_content": None}, t.finish, _usage(t))]


def frames(flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> list[str]:
    """The SSE frames of a streamed answer."""
    return [frame(c) for c in _chunks(_turn(flavour, body, model, seed))] + [DONE]


def completion(flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> dict[str, Any]:
    """A non-streamed answer: content, reasoning_content and tool_calls (with index)."""
    t = _turn(flavour, body, model, seed)
    message: dict[str, Any] = {"role": "assistant", "content": "" if t.tool else t.text,
                               "reasoning_content": _reasoning(t) or None}
    if t.tool:
        message["tool_calls"] = [{"index": 0, "id": _call_id(t), "type": "function",
                                  "function": {"name": t.tool, "arguments": t.text}}]
    return {"id": uuid(t.seed, "deepseek"), "object": "chat.completion", "created": t.created,
            "model": t.model,
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": t.finish}],
            "usage": _usage(t), "system_fingerprint": _FINGERPRINT}


# litellm posts to <api_base>/chat/completions; the real API serves it at /, /v1 and /beta.
FLAVOUR = Flavour("deepseek", ("/chat/completions", "/v1/chat/completions",
                               "/beta/chat/completions"), "Authorization",
                  lambda request, body: _answering_model(str(body.get("model", ""))),
                  (", ", ": "),
                  dialect=Dialect(frames, completion))
