"""Cohere v2 chat (`/v2/chat`, Bearer auth, named SSE events)."""

from harness.emulators import cohere_chat
from harness.providers.base import Provider
from harness.secrets.key_formats import ALNUM, Run, key

PROVIDER = Provider(
    # litellm 1.83 sends both cohere/ and cohere_chat/ to CohereV2ChatConfig (v1 only for a
    # "v1/" model); its api_base is the FULL chat URL: get_complete_url returns it unchanged.
    name="cohere", display="Cohere", model_prefix="cohere_chat/",
    default_model="command-a-03-2025", credentials=("COHERE_API_KEY",),
    point_at=lambda root: {"api_base": f"{root}{cohere_chat.ROUTE}"},
    emulator=cohere_chat.make_app,
    wire=cohere_chat.WIRE,
    key_formats={"COHERE_API_KEY": key(Run(ALNUM, 40))},
    fake_credentials=lambda root: {"api_key": "emulator-key"},
    covers="v2 chat JSON (tool_plan + tool_calls, or content parts) and SSE: message-start, "
           "tool-plan-delta words, tool-call-start with id/name and empty arguments, token-sized "
           "tool-call-delta over 4-space-indented arguments, tool-call-end, content-start/"
           "-delta/-end, message-end with finish_reason and usage, bare [DONE]",
    rank=50,
)
