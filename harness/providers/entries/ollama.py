"""Ollama's native chat API (`ollama_chat/`: POST /api/chat, NDJSON streams), no key needed."""

from harness.emulators import ollama_chat
from harness.providers.base import Provider

PROVIDER = Provider(
    name="ollama", display="Ollama", model_prefix="ollama_chat/",
    # Llama 3.1: the model of litellm's own recorded /api/chat stream, tool-capable, no
    # thinking phase.
    default_model="llama3.1",
    # Not a secret: where the local server listens (litellm reads it too); a live run without
    # it is skipped, as llama.cpp's is. A local Ollama needs no key.
    credentials=("OLLAMA_API_BASE",),
    # litellm posts to <api_base>/api/chat (ensure_api_route appends the route).
    point_at=lambda root: {"api_base": root},
    emulator=ollama_chat.make_app,
    wire=ollama_chat.WIRE,
    covers="native POST /api/chat: NDJSON (application/x-ndjson) of one token per line, "
           "{model, created_at, message{role, content[, thinking]}, done}, then a done line "
           "with done_reason stop and counts and durations in ns; tool calls whole, arguments "
           "an object, done_reason still stop (streamed: as Ollama's reference describes, no "
           "public recording); format json or a JSON schema answered with JSON text; thinking "
           "for qwen3, gpt-oss, deepseek-r1",
    rank=95,
)
