"""DeepSeek (OpenAI-compatible chat completions at api.deepseek.com)."""

from harness.emulators import openai_chat
from harness.emulators.openai_compat import deepseek
from harness.providers.base import Provider
from harness.secrets.key_formats import Run, key

PROVIDER = Provider(
    name="deepseek", display="DeepSeek", model_prefix="deepseek/",
    # DeepSeek V4 (thinking on by default); the legacy deepseek-chat and deepseek-reasoner
    # aliases answer as it. Its streams are those of the samples (reasoning_content first).
    default_model="deepseek-v4-flash", credentials=("DEEPSEEK_API_KEY",),
    point_at=lambda root: {"api_base": root},  # litellm adds /chat/completions, as the real API
    emulator=lambda: openai_chat.make_app(deepseek.FLAVOUR),
    wire=openai_chat.WIRE,
    key_formats={"DEEPSEEK_API_KEY": key("sk-", Run("0123456789abcdef", 32))},
    fake_credentials=lambda root: {"api_key": "emulator-key"},
    covers="chat completions JSON and SSE; `reasoning_content` and `content` on every delta "
           "(the unused one null); `usage: null` on every chunk until the finish chunk, whose "
           "usage has prompt_cache_hit_tokens / prompt_cache_miss_tokens; a tool call as a "
           "header chunk (call_00_ id, empty arguments) then arguments cut at every quote, "
           "word and separator; the legacy aliases answer as deepseek-v4-flash; HTTP 400 for "
           "a forced tool_choice while thinking, for json_schema, and for json_object without "
           "`json` in the prompt (as reported of the real API; no sample records a refusal)",
    rank=84,
)
