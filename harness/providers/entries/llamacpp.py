"""A local OpenAI-compatible server: llama.cpp's llama-server with SmolLM2-135M-Instruct.

The one provider that is really live on this machine (no emulator: its cassettes are recorded
from real tokens of a real model). Any OpenAI-compatible local server (llama.cpp, llamafile,
vLLM, LM Studio) can stand in: point CONFORMANCE_LLAMACPP_BASE_URL at its root URL (the part
before /v1). `conformance llamacpp setup` builds the server and extracts the model;
`conformance llamacpp start` starts it and prints the variable to export.
"""

from harness.emulators import openai_chat
from harness.providers.base import Provider

PROVIDER = Provider(
    name="llamacpp", display="llama.cpp (local)",
    # litellm's provider for llamafile-style local servers: OpenAI wire format, no key needed.
    model_prefix="llamafile/", default_model="smollm2-135m-instruct",
    # Not a secret: a live run needs to know where the server is, and is skipped without it.
    credentials=("CONFORMANCE_LLAMACPP_BASE_URL",),
    point_at=lambda root: {"api_base": f"{root.rstrip('/')}/v1"},
    emulator=None,
    wire=openai_chat.WIRE,  # llama-server speaks the OpenAI chat-completions wire
    covers="no emulator: live cassettes recorded from a real llama-server and model",
    rank=90,
    deterministic=False,
)
