"""The OpenAI chat-completions family's JSON objects, field by field for each flavour.

What differs between the providers of the family is stated as `Flavour` fields (see
../shared/wire-samples): which objects carry which fields, in which order, how ids look, and
where finish_reason and usage ride in a stream. openai_chat decides what to answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from harness.emulators import common

_SAFE = {"filtered": False, "severity": "safe"}
PROMPT_FILTER = [{"prompt_index": 0, "content_filter_results": {
    "hate": _SAFE, "jailbreak": {"filtered": False, "detected": False},
    "self_harm": _SAFE, "sexual": _SAFE, "violence": _SAFE}}]
_PADDING = "abcdefghijklmnopqrstuvwxyz0123456789"
_CONTENT_FILTER = {"hate": _SAFE, "self_harm": _SAFE, "sexual": _SAFE, "violence": _SAFE}


# Ids are derived from the request, so re-recordings diff cleanly.
def chatcmpl_id(seed: str) -> str:
    """OpenAI's response id: chatcmpl- and 29 characters."""
    return "chatcmpl-" + common.stable_id(seed, 29)


def lowercase_id(seed: str) -> str:
    """Mistral's response id: 32 lowercase characters."""
    return common.stable_id(seed, 32).lower()


def call_id_for(seed: str) -> str:
    """OpenAI's tool call id: call_ and 24 characters."""
    return "call_" + common.stable_id(seed + "call", 24)


def short_call_id(seed: str) -> str:
    """Mistral's tool call id: 9 characters."""
    return common.stable_id(seed + "call", 9)


@dataclass(frozen=True)
class Dialect:
    """A provider whose objects differ too much for flags: its own module builds them.

    Each function takes (flavour, request body, model, seed). `frames` returns the stream's
    whole SSE frames (comments included), `completion` the non-streamed answer; `stream_error`
    turns a real streamed body into one broken by the provider's own mid-stream error event
    (the `stream_error_event` fault), None for the family's usual shape.
    """

    frames: Callable[..., list[str]]
    completion: Callable[..., dict[str, Any]]
    stream_error: Callable[[bytes], bytes] | None = None


@dataclass(frozen=True)
class Flavour:
    """One provider of the OpenAI wire family.

    The defaults are OpenAI's stream: a first chunk with the role (and, for a tool call, id,
    type, name and empty arguments), token-sized deltas, a chunk with finish_reason, then a
    usage chunk when include_usage is asked for.
    """

    name: str
    routes: tuple[str, ...]
    auth_header: str  # the header the real API authenticates with
    model_name: Callable[[web.Request, dict[str, Any]], str]
    args_separators: tuple[str, str]  # how the model writes tool-call JSON
    # Tool arguments whole in one delta ({id, type, function, index}) that also carries
    # finish_reason and usage.
    whole_arguments: bool = False
    # Content in word-sized deltas, the last carrying finish_reason and usage (no finish chunk,
    # no usage chunk).
    word_deltas: bool = False
    padding: bool = False  # a `p` field of varying length on every chunk after the first
    # Objects without logprobs, refusal, annotations, service_tier, system_fingerprint or
    # obfuscation; usage only on the chunk that has it; a completion's fields in the order
    # id, created, model, usage, object, choices, with `tool_calls: null` on a text answer.
    lean_objects: bool = False
    # Usage with prompt details only, total_tokens before completion_tokens.
    prompt_usage_only: bool = False
    make_id: Callable[[str], str] = chatcmpl_id  # seed -> the response id
    make_call_id: Callable[[str], str] = call_id_for  # seed -> a tool call's id
    azure_filters: bool = False  # prompt and content filter results; alphabetical keys
    dialect: Dialect | None = None  # objects built by the provider's own module


def id_headers(flavour: Flavour, seed: str, request: web.Request) -> dict[str, str]:
    """The request-id headers of the flavour's answers, as the samples show them: OpenAI's
    x-request-id `req_` + 32 hex; Azure's apim-request-id and x-request-id UUIDs with its
    region and deployment (and the client's x-ms-client-request-id echoed); Mistral's
    gateway x-kong-request-id. Hugging Face's router has no sample: it sends none here."""
    if flavour.azure_filters:
        headers = {"apim-request-id": common.uuid_from(seed, "apim"),
                   "x-request-id": common.uuid_from(seed, "request"),
                   "x-ms-region": "East US",
                   "x-ms-deployment-name": request.match_info.get("deployment", "")}
        client = request.headers.get("x-ms-client-request-id")
        return {**headers, "x-ms-client-request-id": client} if client else headers
    if flavour.name == "openai":
        return {"x-request-id": "req_" + common.hex_id(seed, "request")}
    if flavour.name == "mistral":
        return {"x-kong-request-id": common.hex_id(seed, "request")}
    return {}


def usage_of(flavour: Flavour, body: dict[str, Any], text: str) -> dict[str, Any]:
    """The usage object of an answer `text` to `body`, in the flavour's shape."""
    prompt = max(1, len(json.dumps(body.get("messages", []))) // 4)
    completion = max(1, len(text) // 4)
    if flavour.prompt_usage_only:
        return {"prompt_tokens": prompt, "total_tokens": prompt + completion,
                "completion_tokens": completion, "prompt_tokens_details": {"cached_tokens": 0}}
    if flavour.azure_filters:  # Azure's JSON is alphabetical at every level
        return {"completion_tokens": completion,
                "completion_tokens_details": {"accepted_prediction_tokens": 0, "audio_tokens": 0,
                                              "reasoning_tokens": 0,
                                              "rejected_prediction_tokens": 0},
                "prompt_tokens": prompt,
                "prompt_tokens_details": {"audio_tokens": 0, "cached_tokens": 0},
                "total_tokens": prompt + completion}
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                          "accepted_prediction_tokens": 0,
                                          "rejected_prediction_tokens": 0}}


class Chunks:
    """Builds stream chunks with each flavour's field order."""

    def __init__(self, flavour: Flavour, model: str, seed: str,
                 include_usage: bool = True) -> None:
        self.flavour, self.model = flavour, model
        # Without stream_options.include_usage, real OpenAI chunks have no "usage" key at all.
        self.include_usage = include_usage
        self.id = flavour.make_id(seed)
        self.created = common.now()
        self.n = 0

    def chunk(self, delta: dict[str, Any], finish: str | None, usage: Any = None,
              empty_choices: bool = False) -> dict[str, Any]:
        self.n += 1
        out = self._fields(delta, finish, usage, empty_choices)
        if self.flavour.padding and self.n > 1:  # varying length after the role chunk
            out["p"] = _PADDING[:5 + (self.n * 7) % 28]
        return out

    def _fields(self, delta: dict[str, Any], finish: str | None, usage: Any,
                empty_choices: bool) -> dict[str, Any]:
        f = self.flavour
        if f.lean_objects:
            out: dict[str, Any] = {"id": self.id, "object": "chat.completion.chunk",
                                   "created": self.created, "model": self.model,
                                   "choices": [{"index": 0, "delta": delta,
                                                "finish_reason": finish}]}
            if usage:
                out["usage"] = usage
            return out
        obfuscation = common.stable_id(f"{self.id}{self.n}", 3 + self.n % 12)
        if f.azure_filters:
            choices = [] if empty_choices else [{
                "content_filter_results": _CONTENT_FILTER if delta.get("content") else {},
                "delta": delta, "finish_reason": finish, "index": 0, "logprobs": None}]
            out = {"choices": choices, "created": self.created, "id": self.id, "model": self.model,
                   "obfuscation": obfuscation, "object": "chat.completion.chunk",
                   "system_fingerprint": "fp_f97eff32c5", "usage": usage}
        else:
            choices = [] if empty_choices else [{"index": 0, "delta": delta, "logprobs": None,
                                                 "finish_reason": finish}]
            out = {"id": self.id, "object": "chat.completion.chunk", "created": self.created,
                   "model": self.model, "service_tier": "default",
                   "system_fingerprint": "fp_29330a9688", "choices": choices, "usage": usage,
                   "obfuscation": obfuscation}
        if not self.include_usage:
            del out["usage"]
        return out


def tool_call(flavour: Flavour, call_id: str, name: str, arguments: str,
              first: bool) -> dict[str, Any]:
    """A tool_calls entry of a delta: the call's head (`first`), a fragment, or the whole call."""
    if flavour.azure_filters:
        if first:
            return {"function": {"arguments": arguments, "name": name}, "id": call_id,
                    "index": 0, "type": "function"}
        return {"function": {"arguments": arguments}, "index": 0}
    if flavour.whole_arguments:
        return {"id": call_id, "type": "function",
                "function": {"name": name, "arguments": arguments}, "index": 0}
    if first:
        return {"index": 0, "id": call_id, "type": "function",
                "function": {"name": name, "arguments": arguments}}
    return {"index": 0, "function": {"arguments": arguments}}


def role(flavour: Flavour, tool_calls: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The first delta: the role, with an incrementally streamed call's head when there is one."""
    if flavour.lean_objects:
        return {"role": "assistant", "content": ""}
    if flavour.azure_filters:
        delta: dict[str, Any] = {"content": None if tool_calls else "", "refusal": None,
                                 "role": "assistant"}
    else:
        delta = {"role": "assistant", "content": None if tool_calls else ""}
    if tool_calls:
        delta["tool_calls"] = tool_calls
    if not flavour.azure_filters:
        delta["refusal"] = None
    return delta


def completion_object(flavour: Flavour, model: str, seed: str, text: str, tool: str | None,
                      usage: dict[str, Any]) -> dict[str, Any]:
    """A non-streamed chat.completion answer: `text` as content, or as `tool`'s arguments."""
    c = Chunks(flavour, model, seed)
    finish = "tool_calls" if tool else "stop"
    call_id = flavour.make_call_id(seed)
    if flavour.lean_objects:
        calls = [{"id": call_id, "type": "function", "function": {"name": tool, "arguments": text},
                  "index": 0}] if tool else None
        message: dict[str, Any] = {"role": "assistant", "tool_calls": calls,
                                   "content": "" if tool else text}
        return {"id": c.id, "created": c.created, "model": model, "usage": usage,
                "object": "chat.completion",
                "choices": [{"index": 0, "finish_reason": finish, "message": message}]}
    tool_calls = [{"id": call_id, "type": "function",
                   "function": {"name": tool, "arguments": text}}] if tool else None
    if flavour.azure_filters:
        message = {"annotations": [], "content": None if tool else text, "refusal": None,
                   "role": "assistant"}
        if tool_calls:
            message["tool_calls"] = [{"function": t["function"], "id": t["id"], "type": "function"}
                                     for t in tool_calls]
        return {"choices": [{"content_filter_results": {} if tool else _CONTENT_FILTER,
                             "finish_reason": finish, "index": 0, "logprobs": None,
                             "message": message}],
                "created": c.created, "id": c.id, "model": model, "object": "chat.completion",
                "prompt_filter_results": PROMPT_FILTER, "system_fingerprint": "fp_f97eff32c5",
                "usage": usage}
    message = {"role": "assistant", "content": None if tool else text}
    if tool_calls:
        message["tool_calls"] = tool_calls
    message.update({"refusal": None, "annotations": []})
    return {"id": c.id, "object": "chat.completion", "created": c.created, "model": model,
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": finish}],
            "usage": usage, "service_tier": "default", "system_fingerprint": "fp_29330a9688"}
