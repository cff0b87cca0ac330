"""The provider entries. Adding a provider touches this file only (plus its emulator module)."""

from __future__ import annotations

from ..emulators import openai_chat
from .base import Provider

# Stands in for a key when talking to the emulators; deliberately not any real key format.
_FAKE = "emulator-key"

PROVIDERS: tuple[Provider, ...] = (
    Provider(
        name="openai", display="OpenAI", model_prefix="openai/", default_model="gpt-4o-mini",
        credentials=("OPENAI_API_KEY",),
        point_at=lambda root: {"api_base": f"{root}/v1"},
        emulator=lambda: openai_chat.make_app(openai_chat.OPENAI),
        emulator_credentials={"api_key": _FAKE},
        covers="chat completions JSON and SSE; tool arguments in token-sized deltas after a "
               "first chunk with id/type/name; usage chunk when include_usage; [DONE]",
    ),
    Provider(
        name="azure", display="Azure", model_prefix="azure/", default_model="gpt-4o-mini",
        credentials=("AZURE_API_KEY", "AZURE_API_BASE", "AZURE_API_VERSION"),
        point_at=lambda root: {"api_base": root, "api_version": "2024-10-21"},
        emulator=lambda: openai_chat.make_app(openai_chat.AZURE),
        emulator_credentials={"api_key": _FAKE},
        covers="deployments path with api-version; api-key auth; prompt_filter_results first "
               "chunk; content_filter_results on choices; alphabetical keys",
    ),
    Provider(
        name="mistral", display="Mistral", model_prefix="mistral/",
        default_model="mistral-small-latest", credentials=("MISTRAL_API_KEY",),
        point_at=lambda root: {"api_base": f"{root}/v1"},
        emulator=lambda: openai_chat.make_app(openai_chat.MISTRAL),
        emulator_credentials={"api_key": _FAKE},
        covers="chat completions; whole tool arguments in one chunk with finish_reason and "
               "usage; content in word-sized deltas",
    ),
)
