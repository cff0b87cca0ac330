"""OpenRouter (OpenAI-compatible router at openrouter.ai/api/v1)."""

from harness.emulators import openai_chat
from harness.emulators.openai_compat import openrouter
from harness.providers.base import Provider
from harness.secrets.key_formats import Run, key

PROVIDER = Provider(
    name="openrouter", display="OpenRouter", model_prefix="openrouter/",
    # The model of both streamed samples (a tool call via BaseTen, text via SambaNova).
    default_model="deepseek/deepseek-chat-v3-0324", credentials=("OPENROUTER_API_KEY",),
    point_at=lambda root: {"api_base": f"{root}/api/v1"},  # litellm adds /chat/completions
    emulator=lambda: openai_chat.make_app(openrouter.FLAVOUR),
    wire=openai_chat.WIRE,
    key_formats={"OPENROUTER_API_KEY": key("sk-or-v1-", Run("0123456789abcdef", 64))},
    fake_credentials=lambda root: {"api_key": "emulator-key"},
    covers="chat completions JSON and SSE opening with `: OPENROUTER PROCESSING`; `provider` "
           "and `native_finish_reason` on every chunk; a tool call as a header chunk with empty "
           "arguments then the whole arguments; text in runs of tokens; usage (cost, is_byok, "
           "cost_details) in an extra chunk after the finish chunk; in-chunk `error{code,"
           "message}` then [DONE] as the stream_error_event fault",
    rank=83,
)
