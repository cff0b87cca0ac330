"""Hugging Face inference providers (router.huggingface.co, OpenAI chat-completions wire)."""

from harness.emulators import openai_chat
from harness.providers.base import Provider
from harness.secrets.key_formats import ALNUM, Run, key

_UPSTREAM = "together"  # the inference provider the default model is served by


def _point_at(root: str) -> dict[str, str]:
    # litellm appends /v1/chat/completions to an api_base: this gives the router's real
    # per-provider path. With an api_base litellm skips its Hub lookup of the provider's model
    # id and sends "together/<org>/<model>" as the model (live it sends the mapped id).
    return {"api_base": f"{root}/{_UPSTREAM}"}


PROVIDER = Provider(
    name="huggingface", display="Hugging Face", model_prefix="huggingface/",
    # Not a Llama 3 model: for any model name containing "llama-3" litellm fetches a tokenizer
    # from huggingface.co mid-call, which offline stalls ~23 s per model name in retries.
    default_model=f"{_UPSTREAM}/Qwen/Qwen2.5-72B-Instruct",
    # litellm reads api_key, then HF_TOKEN, then HUGGINGFACE_API_KEY (the Hub lookup of a live
    # run only authenticates with HUGGINGFACE_API_KEY).
    credentials=("HF_TOKEN",),
    point_at=_point_at,
    emulator=lambda: openai_chat.make_app(openai_chat.HUGGINGFACE),
    wire=openai_chat.WIRE,
    key_formats={"HF_TOKEN": key("hf_", Run(ALNUM, 34))},
    fake_credentials=lambda root: {"api_key": "emulator-key"},
    covers="router path /{provider}/v1/chat/completions with Bearer auth; the body is the "
           "OpenAI flavour's (no Hugging Face sample: fidelity rests on the OpenAI-family "
           "samples, the router passing an OpenAI-compatible upstream through)",
    rank=80,
)
