"""OpenAI's Responses API through litellm's `openai/responses/<model>` route (/v1/responses)."""

from harness.emulators import openai_responses
from harness.providers.base import Provider
from harness.secrets.key_formats import URLSAFE, Run, key

PROVIDER = Provider(
    name="openai_responses", display="OpenAI (Responses API)",
    # litellm bridges chat-completions calls to POST /v1/responses for this prefix.
    model_prefix="openai/responses/", default_model="gpt-4o-mini",
    credentials=("OPENAI_API_KEY",),
    # litellm appends /responses to the api_base.
    point_at=lambda root: {"api_base": f"{root}/v1"},
    emulator=openai_responses.make_app,
    wire=openai_responses.WIRE,
    key_formats={"OPENAI_API_KEY": key("sk-proj-", Run(URLSAFE, 74), "T3BlbkFJ",
                                       Run(URLSAFE, 74))},
    fake_credentials=lambda root: {"api_key": "emulator-key"},
    covers="POST /v1/responses JSON (the Response object) and event-named SSE without [DONE]: "
           "response.created, .in_progress, output_item.added (function_call with empty "
           "arguments), function_call_arguments.delta in token-sized pieces, .done, "
           "output_item.done, response.completed with usage; text as content_part and "
           "output_text.delta events; sequence_number on every event, obfuscation padding "
           "every delta to 16 characters; text.format json_schema / json_object",
    rank=15,
)
