"""Groq (OpenAI-compatible chat completions at api.groq.com/openai/v1)."""

from harness.emulators import openai_chat
from harness.emulators.openai_compat import groq
from harness.providers.base import Provider
from harness.secrets.key_formats import ALNUM, Run, key

PROVIDER = Provider(
    name="groq", display="Groq", model_prefix="groq/",
    # gpt-oss-120b: the model of the streamed samples, and the Groq chat model litellm's model
    # map knows (native json_schema, tools, reasoning).
    default_model="openai/gpt-oss-120b", credentials=("GROQ_API_KEY",),
    point_at=lambda root: {"api_base": f"{root}/openai/v1"},  # litellm adds /chat/completions
    emulator=lambda: openai_chat.make_app(groq.FLAVOUR),
    wire=openai_chat.WIRE,
    key_formats={"GROQ_API_KEY": key("gsk_", Run(ALNUM, 52))},
    fake_credentials=lambda root: {"api_key": "emulator-key"},
    covers="chat completions JSON and SSE; first chunk with role and x_groq{id,seed}; "
           "`reasoning` deltas on channel analysis; tool arguments whole in one chunk; finish "
           "chunk with x_groq{id,usage} and top-level usage (queue/prompt/completion times); "
           "usage_breakdown, service_tier on_demand; mid-stream `event: error` "
           "(tool_use_failed, failed_generation) with no [DONE] as the stream_error_event fault",
    rank=82,
)
