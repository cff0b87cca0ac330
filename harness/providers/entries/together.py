"""Together AI (OpenAI-compatible chat completions at api.together.xyz/v1)."""

from harness.emulators import openai_chat
from harness.emulators.openai_compat import together
from harness.providers.base import Provider
from harness.secrets.key_formats import URLSAFE, Run, key

PROVIDER = Provider(
    name="together", display="Together AI", model_prefix="together_ai/",
    # Not a Llama 3 model: for any model name containing "llama-3" litellm fetches a tokenizer
    # from huggingface.co mid-call (Together streams tool calls without usage), which offline
    # stalls ~23 s per process in retries. The samples are Llama 3 streams; the wire is
    # Together's serving layer, the same for every model (the end-of-turn token id aside).
    default_model="Qwen/Qwen2.5-7B-Instruct-Turbo",
    # litellm reads TOGETHER_API_KEY, TOGETHER_AI_API_KEY, TOGETHERAI_API_KEY or
    # TOGETHER_AI_TOKEN; its validate_environment names TOGETHERAI_API_KEY.
    credentials=("TOGETHERAI_API_KEY",),
    point_at=lambda root: {"api_base": f"{root}/v1"},  # litellm adds /chat/completions
    emulator=lambda: openai_chat.make_app(together.FLAVOUR),
    wire=openai_chat.WIRE,
    key_formats={"TOGETHERAI_API_KEY": key("tgp_v1_", Run(URLSAFE, 43))},
    fake_credentials=lambda root: {"api_key": "emulator-key"},
    covers="chat completions JSON and SSE; tool arguments in ~16 fragments after a header "
           "chunk, parallel calls one after another by index, each call's last fragment "
           "sharing its chunk with finish_reason tool_calls, no usage; text chunks with `text` "
           "and `delta{token_id, role, content}`, seed and usage on the finish chunk; "
           "non-streamed `prompt: []` and text ending with finish_reason eos",
    rank=86,
)
