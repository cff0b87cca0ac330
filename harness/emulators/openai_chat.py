"""The OpenAI chat-completions wire family: OpenAI, Azure OpenAI, Mistral, Hugging Face.

Each flavour reproduces what its real API sends (see ../shared/wire-samples): OpenAI cuts tool
arguments into token-sized deltas after a first chunk carrying id, type, name and empty
arguments; Azure prepends a prompt_filter_results chunk and adds content_filter_results to
choices, with its keys in alphabetical order; Mistral sends the whole arguments in one chunk
together with finish_reason and usage.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from harness.emulators import common
from harness.emulators.fragments import token_fragments, word_fragments
from harness.emulators.knowledge import (
    UNKNOWN_PROMPT_REPLY,
    Intent,
    answer_for,
    find_schema_in_text,
    text_of,
)

_SAFE = {"filtered": False, "severity": "safe"}
_PROMPT_FILTER = [{"prompt_index": 0, "content_filter_results": {
    "hate": _SAFE, "jailbreak": {"filtered": False, "detected": False},
    "self_harm": _SAFE, "sexual": _SAFE, "violence": _SAFE}}]
_PADDING = "abcdefghijklmnopqrstuvwxyz0123456789"
_CONTENT_FILTER = {"hate": _SAFE, "self_harm": _SAFE, "sexual": _SAFE, "violence": _SAFE}


@dataclass(frozen=True)
class Flavour:
    """One provider of the OpenAI wire family."""

    name: str
    routes: tuple[str, ...]
    auth_header: str  # the header the real API authenticates with
    model_name: Callable[[web.Request, dict[str, Any]], str]
    args_separators: tuple[str, str]  # how the model writes tool-call JSON
    whole_arguments: bool  # arguments delivered in one delta with finish_reason
    azure_filters: bool = False


def _intent(body: dict[str, Any]) -> Intent:
    tools = body.get("tools") or []
    if tools:
        choice = body.get("tool_choice")
        name = None
        if isinstance(choice, dict):
            name = (choice.get("function") or {}).get("name")
        tool = next((t for t in tools if t.get("function", {}).get("name") == name), tools[0])
        fn = tool.get("function", {})
        return Intent("tool", fn.get("parameters"), fn.get("name"))
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return Intent("json", (fmt.get("json_schema") or {}).get("schema"))
    system = " ".join(text_of(m.get("content")) for m in body.get("messages", [])
                      if m.get("role") == "system")
    schema = find_schema_in_text(system) or find_schema_in_text(
        " ".join(text_of(m.get("content")) for m in body.get("messages", [])))
    return Intent("json" if fmt.get("type") == "json_object" else "text", schema)


def _render(flavour: Flavour, intent: Intent, body: dict[str, Any]) -> tuple[str, str | None]:
    """(text, tool_name): the model's output for the request; tool_name None for content."""
    prompts = [text_of(m.get("content")) for m in body.get("messages", []) if m.get("role") == "user"]
    answer = answer_for(prompts, intent.schema)
    if answer is None:
        return UNKNOWN_PROMPT_REPLY, None
    if intent.kind == "tool":
        return json.dumps(answer, separators=flavour.args_separators, ensure_ascii=False), intent.tool_name
    fmt = (body.get("response_format") or {}).get("type")
    if intent.kind == "json" and fmt == "json_schema":
        # Structured outputs are written in the model's usual JSON style (compact on OpenAI).
        return json.dumps(answer, separators=flavour.args_separators, ensure_ascii=False), None
    pretty = json.dumps(answer, indent=2, ensure_ascii=False)
    if intent.kind == "json":
        return pretty, None  # JSON mode answers pretty-printed, as seen on the wire
    return f"```json\n{pretty}\n```", None


def _usage(flavour: Flavour, body: dict[str, Any], text: str) -> dict[str, Any]:
    prompt = max(1, len(json.dumps(body.get("messages", []))) // 4)
    completion = max(1, len(text) // 4)
    if flavour.name == "mistral":
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


class _Chunks:
    """Builds stream chunks with each flavour's field order."""

    def __init__(self, flavour: Flavour, model: str, seed: str,
                 include_usage: bool = True) -> None:
        self.flavour, self.model = flavour, model
        # Without stream_options.include_usage, real OpenAI chunks have no "usage" key at all.
        self.include_usage = include_usage
        self.id = ("chatcmpl-" + common.stable_id(seed, 29)) if flavour.name != "mistral" \
            else common.stable_id(seed, 32).lower()
        self.created = common.now()
        self.n = 0

    def chunk(self, delta: dict[str, Any], finish: str | None, usage: Any = None,
              empty_choices: bool = False) -> dict[str, Any]:
        self.n += 1
        f = self.flavour
        if f.name == "mistral":
            out: dict[str, Any] = {"id": self.id, "object": "chat.completion.chunk",
                                   "created": self.created, "model": self.model,
                                   "choices": [{"index": 0, "delta": delta,
                                                "finish_reason": finish}]}
            if usage:
                out["usage"] = usage
            if self.n > 1:  # padding of varying length on every chunk after the role chunk
                out["p"] = _PADDING[:5 + (self.n * 7) % 28]
            return out
        obfuscation = common.stable_id(f"{self.id}{self.n}", 3 + self.n % 12)
        if f.azure_filters:
            choices = [] if empty_choices else [{
                "content_filter_results": _CONTENT_FILTER if delta.get("content") else {},
                "delta": delta, "finish_reason": finish, "index": 0, "logprobs": None}]
            out = {"choices": choices, "created": self.created, "id": self.id, "model": self.model,
                   "obfuscation": obfuscation, "object": "chat.completion.chunk",
                   "system_fingerprint": "fp_f97eff32c5", "usage": usage}
            if not self.include_usage:
                del out["usage"]
            return out
        choices = [] if empty_choices else [{"index": 0, "delta": delta, "logprobs": None,
                                             "finish_reason": finish}]
        out = {"id": self.id, "object": "chat.completion.chunk", "created": self.created,
               "model": self.model, "service_tier": "default",
               "system_fingerprint": "fp_29330a9688", "choices": choices, "usage": usage,
               "obfuscation": obfuscation}
        if not self.include_usage:
            del out["usage"]
        return out


def _tool_call(flavour: Flavour, call_id: str, name: str, arguments: str,
               first: bool) -> dict[str, Any]:
    if flavour.azure_filters:
        if first:
            return {"function": {"arguments": arguments, "name": name}, "id": call_id,
                    "index": 0, "type": "function"}
        return {"function": {"arguments": arguments}, "index": 0}
    if flavour.name == "mistral":
        return {"id": call_id, "type": "function",
                "function": {"name": name, "arguments": arguments}, "index": 0}
    if first:
        return {"index": 0, "id": call_id, "type": "function",
                "function": {"name": name, "arguments": arguments}}
    return {"index": 0, "function": {"arguments": arguments}}


def stream_events(flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> list[str]:
    """The `data:` payloads of a streamed answer, in order, ending with [DONE]."""
    intent = _intent(body)
    text, tool = _render(flavour, intent, body)
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    c = _Chunks(flavour, model, seed, include_usage)
    call_id = "call_" + common.stable_id(seed + "call", 24) if flavour.name != "mistral" \
        else common.stable_id(seed + "call", 9)
    usage = _usage(flavour, body, text)
    events: list[dict[str, Any]] = []
    if flavour.azure_filters:
        events.append({"choices": [], "created": 0, "id": "", "model": "", "object": "",
                       "prompt_filter_results": _PROMPT_FILTER})
    if flavour.name == "mistral":
        events.append(c.chunk({"role": "assistant", "content": ""}, None))
        if tool:
            events.append(c.chunk({"tool_calls": [
                _tool_call(flavour, call_id, tool, text, True)]}, "tool_calls", usage))
        else:
            pieces = word_fragments(text)
            for i, piece in enumerate(pieces):
                last = i == len(pieces) - 1
                events.append(c.chunk({"content": piece}, "stop" if last else None,
                                      usage if last else None))
        return [common.dumps(e) for e in events] + ["[DONE]"]
    if tool:
        role = {"role": "assistant", "content": None,
                "tool_calls": [_tool_call(flavour, call_id, tool, "", True)], "refusal": None}
        if flavour.azure_filters:
            role = {"content": None, "refusal": None, "role": "assistant",
                    "tool_calls": role["tool_calls"]}
        events.append(c.chunk(role, None))
        for piece in token_fragments(text):
            events.append(c.chunk({"tool_calls": [_tool_call(flavour, call_id, tool, piece, False)]},
                                  None))
        events.append(c.chunk({}, "tool_calls"))
    else:
        role = {"role": "assistant", "content": "", "refusal": None}
        if flavour.azure_filters:
            role = {"content": "", "refusal": None, "role": "assistant"}
        events.append(c.chunk(role, None))
        for piece in token_fragments(text):
            events.append(c.chunk({"content": piece}, None))
        events.append(c.chunk({}, "stop"))
    if include_usage:
        events.append(c.chunk({}, None, usage, empty_choices=True))
    return [common.dumps(e) for e in events] + ["[DONE]"]


def completion(flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> dict[str, Any]:
    """A non-streamed chat.completion answer."""
    intent = _intent(body)
    text, tool = _render(flavour, intent, body)
    c = _Chunks(flavour, model, seed)
    usage = _usage(flavour, body, text)
    finish = "tool_calls" if tool else "stop"
    call_id = "call_" + common.stable_id(seed + "call", 24) if flavour.name != "mistral" \
        else common.stable_id(seed + "call", 9)
    if flavour.name == "mistral":
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
                "prompt_filter_results": _PROMPT_FILTER, "system_fingerprint": "fp_f97eff32c5",
                "usage": usage}
    message = {"role": "assistant", "content": None if tool else text}
    if tool_calls:
        message["tool_calls"] = tool_calls
    message.update({"refusal": None, "annotations": []})
    return {"id": c.id, "object": "chat.completion", "created": c.created, "model": model,
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": finish}],
            "usage": usage, "service_tier": "default", "system_fingerprint": "fp_29330a9688"}


def _unauthorized(flavour: Flavour) -> web.Response:
    return web.json_response(
        {"error": {"message": f"Missing credentials: send the {flavour.auth_header} header.",
                   "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}},
        status=401)


def make_app(flavour: Flavour) -> web.Application:
    """An aiohttp app serving `flavour` on its real paths."""

    async def handle(request: web.Request) -> web.StreamResponse:
        if not request.headers.get(flavour.auth_header):
            return _unauthorized(flavour)
        body = await common.read_json(request)
        model = flavour.model_name(request, body)
        seed = common.dumps(body)
        if body.get("stream"):
            response = await common.start_sse(request)
            for payload in stream_events(flavour, body, model, seed):
                await response.write(f"data: {payload}\n\n".encode())
            await response.write_eof()
            return response
        return web.json_response(completion(flavour, body, model, seed),
                                 dumps=common.dumps)

    app = web.Application()
    for route in flavour.routes:
        app.router.add_post(route, handle)
    return app


def _model_from_body(suffix: str = "") -> Callable[[web.Request, dict[str, Any]], str]:
    return lambda request, body: f"{body.get('model', '')}{suffix}"


def _azure_model(request: web.Request, body: dict[str, Any]) -> str:
    return request.match_info.get("deployment", "") + "-2024-07-18"


OPENAI = Flavour("openai", ("/v1/chat/completions",), "Authorization",
                 _model_from_body("-2024-07-18"), (",", ":"), whole_arguments=False)
AZURE = Flavour("azure", ("/openai/deployments/{deployment}/chat/completions",), "api-key",
                _azure_model, (",", ":"), whole_arguments=False, azure_filters=True)
MISTRAL = Flavour("mistral", ("/v1/chat/completions",), "Authorization",
                  _model_from_body(), (", ", ": "), whole_arguments=True)


def _hf_model(request: web.Request, body: dict[str, Any]) -> str:
    # litellm sends "together/org/model" to an api_base; the upstream answers with its own id.
    model, provider = str(body.get("model", "")), request.match_info.get("provider", "")
    return model[len(provider) + 1:] if provider and model.startswith(provider + "/") else model


# Hugging Face's inference-providers router: /{provider}/v1/chat/completions (what litellm
# builds) and the OpenAI-compatible /v1/chat/completions. No Hugging Face sample exists: the
# router passes an OpenAI-compatible upstream through, so this is the OpenAI flavour's wire.
HUGGINGFACE = Flavour("huggingface", ("/{provider}/v1/chat/completions", "/v1/chat/completions"),
                      "Authorization", _hf_model, (",", ":"), whole_arguments=False)
