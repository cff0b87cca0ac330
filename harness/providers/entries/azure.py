"""Azure OpenAI chat completions (deployments path, api-key auth, content filters)."""

from harness.emulators import openai_chat
from harness.providers.base import Provider
from harness.secrets.key_formats import ALNUM, Run, key

PROVIDER = Provider(
    name="azure", display="Azure", model_prefix="azure/", default_model="gpt-4o-mini",
    credentials=("AZURE_API_KEY", "AZURE_API_BASE", "AZURE_API_VERSION"),
    point_at=lambda root: {"api_base": root},
    emulator=lambda: openai_chat.make_app(openai_chat.AZURE),
    wire=openai_chat.WIRE,
    # Azure's current 84-character key format (older keys were 32 hex digits).
    key_formats={"AZURE_API_KEY": key(Run(ALNUM, 84)), "AZURE_API_VERSION": key("2024-10-21")},
    fake_credentials=lambda root: {"api_key": "emulator-key"},
    extra_kwargs={"api_version": "2024-10-21"},
    covers="deployments path with api-version; api-key auth; prompt_filter_results first "
           "chunk; content_filter_results on choices; alphabetical keys",
    rank=30,
)
