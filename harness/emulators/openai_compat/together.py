"""Together AI (api.together.xyz/v1), as Llama-3 Instruct Turbo answers there
(../shared/wire-samples/together).

A tool-call stream opens with the role and `content: null`; each call follows as a header
chunk (index, id `call_<24>`, type, name, empty arguments) and ~16 argument fragments (written
with ", " and ": "), the call's last fragment sharing its chunk with `finish_reason:
tool_calls`; parallel calls come one after another by index, each ending that way; no usage;
then [DONE]. A text stream has no role chunk: every choice carries the token as `text` AND a
`delta{token_id, role, content}`, with `seed: null` until the finish chunk, whose seed is set
and whose usage (with `cached_tokens`) rides on it; `usage: null` before. A non-streamed answer
has `prompt: []`, a seed in its choice, and ends text with finish_reason `eos`.
"""

from __future__ import annotations

import re
import string
from typing import Any

from harness.emulators.openai_compat.turn import (
    DONE,
    HEX,
    LOWER,
    Turn,
    chars,
    frame,
    number,
    pieces,
    turn_for,
)
from harness.emulators.openai_objects import Dialect, Flavour

# '{"', 'location', '":', ' "', 'Boston', ',', ' MA', '",', ' "' as the sample cuts them.
_ARG_TOKEN = re.compile(r'\s?[{}\[\]":,]+|\s?[A-Za-z]+|\d{1,3}|\s+|.', re.S)
_EOT = 151645  # Qwen2.5's <|im_end|> (the Llama 3 samples end with <|eot_id|>, 128009)


def argument_fragments(text: str) -> list[str]:
    """Together's cut of tool arguments, about one Llama token each."""
    return [m.group(0) for m in _ARG_TOKEN.finditer(text)]


def _call_id(seed: str, index: int) -> str:
    return "call_" + chars(seed, f"call{index}", LOWER, 24)


def tool_chunks(t: Turn, calls: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The chunks of a stream of (name, arguments) calls, in order."""
    rid = chars(t.seed, "together", HEX, 16)

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"id": rid, "object": "chat.completion.chunk", "created": t.created,
                "model": t.model, "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                               "finish_reason": finish}]}

    out = [chunk({"role": "assistant", "content": None})]
    for index, (name, arguments) in enumerate(calls):
        out.append(chunk({"tool_calls": [{"index": index, "id": _call_id(t.seed, index),
                                          "type": "function",
                                          "function": {"name": name, "arguments": ""}}]}))
        fragments = argument_fragments(arguments)
        for i, piece in enumerate(fragments):
            finish = "tool_calls" if i == len(fragments) - 1 else None
            out.append(chunk({"tool_calls": [{"index": index,
                                              "function": {"arguments": piece}}]}, finish))
    return out


def _usage(t: Turn) -> dict[str, Any]:
    return {"prompt_tokens": t.prompt_tokens, "completion_tokens": t.completion_tokens,
            "total_tokens": t.total_tokens, "cached_tokens": 0}


def _text_id(t: Turn) -> str:
    alnum = string.ascii_letters + string.digits
    return (f"{chars(t.seed, 'a', alnum, 7)}-{chars(t.seed, 'b', alnum, 5)}-"
            f"{chars(t.seed, 'c', HEX, 16)}")


def text_chunks(t: Turn) -> list[dict[str, Any]]:
    """The chunks of a text stream: `text` and `delta{token_id, role, content}` per token."""
    rid = _text_id(t)

    def chunk(piece: str, token: int, finish: str | None = None, seed: int | None = None,
              usage: dict[str, Any] | None = None) -> dict[str, Any]:
        choice = {"index": 0, "text": piece, "logprobs": None, "finish_reason": finish,
                  "seed": seed,
                  "delta": {"token_id": token, "role": "assistant", "content": piece}}
        return {"id": rid, "object": "chat.completion.chunk", "created": t.created,
                "choices": [choice], "model": t.model, "usage": usage}

    out = [chunk(p, number(p, "token", 9) % 128000) for p in pieces(t.text)]
    return [*out, chunk("", _EOT, "stop", number(t.seed, "seed", 19), _usage(t))]


def frames(flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> list[str]:
    """The SSE frames of a streamed answer."""
    t = turn_for(flavour, body, model, seed)
    chunks = tool_chunks(t, [(t.tool, t.text)]) if t.tool else text_chunks(t)
    return [frame(c) for c in chunks] + [DONE]


def completion(flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> dict[str, Any]:
    """A non-streamed answer: `prompt: []`, a seed in the choice, text ending with `eos`."""
    t = turn_for(flavour, body, model, seed)
    message: dict[str, Any] = {"role": "assistant", "content": None if t.tool else t.text}
    if t.tool:
        message["tool_calls"] = [{"index": 0, "id": _call_id(t.seed, 0), "type": "function",
                                  "function": {"arguments": t.text, "name": t.tool}}]
    return {"id": _text_id(t), "object": "chat.completion", "created": t.created,
            "model": t.model, "prompt": [],
            "choices": [{"finish_reason": "tool_calls" if t.tool else "eos",
                         "seed": number(t.seed, "seed", 19), "index": 0, "logprobs": None,
                         "message": message}],
            "usage": _usage(t)}


FLAVOUR = Flavour("together", ("/v1/chat/completions",), "Authorization",
                  lambda request, body: str(body.get("model", "")), (", ", ": "),
                  dialect=Dialect(frames, completion))
