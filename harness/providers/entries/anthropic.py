"""Anthropic Messages API (x-api-key auth, event-named SSE, fragmented tool input)."""

from harness.emulators import anthropic_messages
from harness.providers.base import Provider
from harness.secrets.key_formats import URLSAFE, Run, key

PROVIDER = Provider(
    name="anthropic", display="Anthropic", model_prefix="anthropic/",
    # Claude Sonnet 4.5: litellm sends json_schema as native `output_format` (beta) for it.
    default_model="claude-sonnet-4-5", credentials=("ANTHROPIC_API_KEY",),
    point_at=lambda root: {"api_base": root},  # litellm appends /v1/messages
    emulator=anthropic_messages.make_app,
    wire=anthropic_messages.WIRE,
    key_formats={"ANTHROPIC_API_KEY": key("sk-ant-api03-", Run(URLSAFE, 93), "AA")},
    fake_credentials=lambda root: {"api_key": "emulator-key"},
    covers="POST /v1/messages JSON and event-named SSE; tool_use blocks; input_json_delta cut "
           "every 2-12 chars after an empty one; text_delta runs; ping; padded data lines; "
           "output_format (beta header required) and output_config JSON text; fenced JSON "
           "when the schema is only in the prompt",
    rank=20,
)
