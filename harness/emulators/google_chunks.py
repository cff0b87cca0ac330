"""The chunks of a generateContent answer, generation by generation (see ../shared/wire-samples).

google_genai frames them (SSE, a JSON array, one object); this module decides what they hold.
- gemini-2.x (gemini/, vertex/): every functionCall of a turn is a part of ONE chunk, which
  also carries finishReason STOP (and, on the Gemini API, finishMessage "Model generated
  function call(s)."); gemini-2.5 signs the first call (thoughtSignature). Text comes in a few
  coarse chunks, the last one finishing.
- gemini-3.x (gemini3/, and the gemini-3 recordings in gemini/ and vertex/): each functionCall
  arrives whole in a chunk of its own, the first one signed, and the Gemini API then ends the
  stream with a separate chunk holding only an empty text part (`parts: [{text: ""}]`,
  finishReason STOP, no finishMessage; after text, that empty part is signed). usageMetadata
  with thoughtsTokenCount is on every chunk. The recorded streams hold one call each: that a
  second parallel call takes a chunk of its own follows the generation's description (INDEX of
  the samples) and Vertex's gemini-3.1 partialArgs stream, where every call has its own
  chunks. Non-streamed, parallel calls are parts of one content, only the first signed, with
  finishMessage. `functionCall.id` is on gemini-3-flash answers (recorded 2026-05), on no
  gemini-3-pro answer (recorded 2025-12 and 2026-02).
- Vertex (both generations): no separate finish chunk: its gemini-3 text stream ends on its
  (signed) text chunk, and its gemini-3.1 partialArgs stream puts finishReason on the last
  call's chunk; so do whole calls here. partialArgs only when streamFunctionCallArguments is set.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from harness.emulators import common
from harness.emulators.fragments import token_fragments
from harness.emulators.google_request import calling_config, calls_or_text, get_field

_CALLS_FINISH_MESSAGE = "Model generated function call(s)."


@dataclass(frozen=True)
class Flavour:
    """The Gemini API (API key) or Vertex AI (OAuth), with their chunk shapes."""

    name: str
    vertex: bool
    chunk_tokens: int  # most tokens of text one stream chunk carries


# Recorded 2.5-flash streams: Gemini API text chunks of 4-39 tokens (usageMetadata deltas),
# Vertex chunks of ~65 tokens (~270 characters of prose).
GEMINI = Flavour("gemini", vertex=False, chunk_tokens=39)
VERTEX = Flavour("vertex", vertex=True, chunk_tokens=65)


def coarse_fragments(text: str, tokens_per_chunk: int) -> list[str]:
    """Cut `text` into chunks of `tokens_per_chunk` tokens (the last one may be shorter)."""
    tokens = token_fragments(text) or [""]
    return ["".join(tokens[i:i + tokens_per_chunk])
            for i in range(0, len(tokens), tokens_per_chunk)]


def _signature(seed: str) -> str:
    """An opaque base64 thoughtSignature (never a real one: derived from the request)."""
    digest = b"".join(hashlib.sha256(f"{seed}{i}".encode()).digest() for i in range(6))
    return base64.b64encode(digest).decode()


class Response:
    """Builds one response's chunks with the flavour's field order and usage accounting."""

    def __init__(self, flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> None:
        self.f, self.model, self.seed = flavour, model, seed
        self.thinking = not model.startswith(("gemini-1", "gemini-2.0"))
        self.gemini3 = model.startswith("gemini-3")
        self.call_ids = model.startswith("gemini-3-flash")
        # The Gemini API ends a gemini-3 stream with a chunk of its own.
        self.finish_apart = self.gemini3 and not flavour.vertex
        self.response_id = common.stable_id(seed + "rid", 23)
        self.create_time = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.prompt_tokens = max(1, len(common.dumps(body)) // 5)
        self.thoughts = 60 + int(hashlib.sha256(seed.encode()).hexdigest(), 16) % 240 \
            if self.thinking else 0
        self.output_tokens = 0

    def usage(self, final: bool) -> dict[str, Any]:
        if self.f.vertex and not final:
            return {"trafficType": "ON_DEMAND"}
        p, c, t = self.prompt_tokens, self.output_tokens, self.thoughts
        out: dict[str, Any] = {"promptTokenCount": p}
        if c:
            out["candidatesTokenCount"] = c
        out["totalTokenCount"] = p + c + t
        if self.f.vertex:
            out["trafficType"] = "ON_DEMAND"
        out["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": p}]
        if self.f.vertex or not self.thinking:
            out["candidatesTokensDetails"] = [{"modality": "TEXT", "tokenCount": c}]
        if t:
            out["thoughtsTokenCount"] = t
        return out

    def chunk(self, parts: list[dict[str, Any]], finish: bool, final_usage: bool,
              message: bool = False, logprobs: bool = False) -> dict[str, Any]:
        """One chunk; `message`: a finishMessage beside finishReason (the Gemini API's)."""
        content = ({"role": "model", "parts": parts} if self.f.vertex
                   else {"parts": parts, "role": "model"})
        candidate: dict[str, Any] = {"content": content}
        if finish:
            candidate["finishReason"] = "STOP"
        if logprobs:
            candidate["avgLogprobs"] = -0.0271 - (len(self.seed) % 97) / 1000
        if not self.f.vertex and self.thinking:  # gemini-2.0 chunks carry no index
            candidate["index"] = 0
            if finish and message:
                candidate["finishMessage"] = _CALLS_FINISH_MESSAGE
        out: dict[str, Any] = {"candidates": [candidate],
                               "usageMetadata": self.usage(final_usage),
                               "modelVersion": self.model}
        if self.f.vertex:
            out["createTime"] = self.create_time
        out["responseId"] = self.response_id
        return out

    def call_parts(self, calls: list[tuple[str, Any]]) -> list[dict[str, Any]]:
        parts = []
        for i, (name, args) in enumerate(calls):
            call: dict[str, Any] = {"name": name, "args": args}
            if self.call_ids:
                call["id"] = common.stable_id(f"{self.seed}call{i}", 8).lower()
            part: dict[str, Any] = {"functionCall": call}
            if i == 0 and self.thinking:  # only the first call of a turn is signed
                part["thoughtSignature"] = _signature(self.seed)
            parts.append(part)
        return parts

    def count(self, text: str) -> None:
        self.output_tokens += max(1, len(token_fragments(text)))


def _partial_args_chunks(r: Response, calls: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """Vertex streamFunctionCallArguments: name first, then each argument, then an end marker."""
    chunks = []
    for i, (name, args) in enumerate(calls):
        head: dict[str, Any] = {"functionCall": {"name": name, "willContinue": True}}
        if i == 0 and r.thinking:
            head["thoughtSignature"] = _signature(r.seed)
        chunks.append([head])
        for key, value in (args or {}).items():
            path = f"$.{key}"
            if isinstance(value, str):
                chunks.append([{"functionCall": {"partialArgs": [
                    {"jsonPath": path, "stringValue": value, "willContinue": True}],
                    "willContinue": True}}])
                chunks.append([{"functionCall": {"partialArgs": [
                    {"jsonPath": path, "stringValue": ""}], "willContinue": True}}])
            else:
                kind = "boolValue" if isinstance(value, bool) else \
                    "numberValue" if isinstance(value, (int, float)) else "structValue"
                chunks.append([{"functionCall": {"partialArgs": [
                    {"jsonPath": path, kind: value}], "willContinue": True}}])
        chunks.append([{"functionCall": {}}])
        r.count(common.dumps(args))
    return [r.chunk(parts, finish=n == len(chunks) - 1, final_usage=n == len(chunks) - 1)
            for n, parts in enumerate(chunks)]


def _call_chunks(r: Response, calls: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """Whole calls: one chunk holding them all (2.x), or a chunk per call (3.x) and, on the
    Gemini API, a separate finish chunk with an empty text part."""
    r.count(common.dumps([args for _, args in calls]))
    parts = r.call_parts(calls)
    if not r.gemini3:
        return [r.chunk(parts, True, True, message=not r.f.vertex)]
    last = len(parts) - 1
    chunks = [r.chunk([part], n == last and not r.finish_apart, n == last or not r.f.vertex)
              for n, part in enumerate(parts)]
    if r.finish_apart:
        chunks.append(r.chunk([{"text": ""}], True, True))
    return chunks


def stream_chunks(flavour: Flavour, body: dict[str, Any], model: str,
                  seed: str) -> list[dict[str, Any]]:
    """The chunks of a streamed answer, in order."""
    r = Response(flavour, body, model, seed)
    calls, text = calls_or_text(body)
    if calls:
        if flavour.vertex and get_field(calling_config(body), "streamFunctionCallArguments"):
            return _partial_args_chunks(r, calls)
        return _call_chunks(r, calls)
    pieces = coarse_fragments(text, flavour.chunk_tokens)
    chunks = []
    for n, piece in enumerate(pieces):
        r.count(piece)
        last = n == len(pieces) - 1 and not r.finish_apart
        part: dict[str, Any] = {"text": piece}
        if last and r.gemini3:
            part["thoughtSignature"] = _signature(seed)
        chunks.append(r.chunk([part], last, last))
    if r.finish_apart:
        chunks.append(r.chunk([{"text": "", "thoughtSignature": _signature(seed)}], True, True))
    return chunks


def generate(flavour: Flavour, body: dict[str, Any], model: str, seed: str) -> dict[str, Any]:
    """A non-streamed generateContent answer: parallel calls as parts of one content."""
    r = Response(flavour, body, model, seed)
    calls, text = calls_or_text(body)
    r.count(common.dumps([a for _, a in calls]) if calls else text)
    parts = r.call_parts(calls) if calls else [{"text": text}]
    return r.chunk(parts, True, True, message=bool(calls), logprobs=flavour.vertex)
