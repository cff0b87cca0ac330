"""xAI (OpenAI-compatible chat completions at api.x.ai/v1)."""

from harness.emulators import openai_chat
from harness.emulators.openai_compat import xai
from harness.providers.base import Provider
from harness.secrets.key_formats import ALNUM, Run, key

PROVIDER = Provider(
    name="xai", display="xAI", model_prefix="xai/",
    # The model of the streamed tool-call samples (reasoning_content first).
    default_model="grok-3-mini", credentials=("XAI_API_KEY",),
    point_at=lambda root: {"api_base": f"{root}/v1"},  # litellm adds /chat/completions
    emulator=lambda: openai_chat.make_app(xai.FLAVOUR),
    wire=openai_chat.WIRE,
    key_formats={"XAI_API_KEY": key("xai-", Run(ALNUM, 80))},
    fake_credentials=lambda root: {"api_key": "emulator-key"},
    covers="chat completions JSON and SSE; deltas without a finish_reason (or logprobs) key; "
           "`reasoning_content` deltas, the first with the role; tool call whole in one delta; "
           "a finish chunk with an empty delta; with include_usage a chunk with choices [] "
           "(reasoning_tokens, num_sources_used, cost_in_usd_ticks); system_fingerprint last",
    rank=85,
)
