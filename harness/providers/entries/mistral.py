"""Mistral chat completions (OpenAI wire family, whole tool arguments in one chunk)."""

from harness.emulators import openai_chat
from harness.providers.base import Provider
from harness.secrets.key_formats import ALNUM, Run, key

PROVIDER = Provider(
    name="mistral", display="Mistral", model_prefix="mistral/",
    default_model="mistral-small-latest", credentials=("MISTRAL_API_KEY",),
    point_at=lambda root: {"api_base": f"{root}/v1"},
    emulator=lambda: openai_chat.make_app(openai_chat.MISTRAL),
    wire=openai_chat.WIRE,
    key_formats={"MISTRAL_API_KEY": key(Run(ALNUM, 32))},
    fake_credentials=lambda root: {"api_key": "emulator-key"},
    covers="chat completions; whole tool arguments in one chunk with finish_reason and usage; "
           "content in word-sized deltas, the last with finish_reason and usage; a `p` padding "
           "field on every chunk after the first; no logprobs, service_tier or fingerprint",
    rank=70,
)
