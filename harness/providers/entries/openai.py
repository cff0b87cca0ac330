"""OpenAI chat completions."""

from harness.emulators import openai_chat
from harness.providers.base import Provider
from harness.secrets.key_formats import URLSAFE, Run, key

PROVIDER = Provider(
    name="openai", display="OpenAI", model_prefix="openai/", default_model="gpt-4o-mini",
    credentials=("OPENAI_API_KEY",),
    point_at=lambda root: {"api_base": f"{root}/v1"},
    emulator=lambda: openai_chat.make_app(openai_chat.OPENAI),
    wire=openai_chat.WIRE,
    # A project key: "sk-proj-", its random halves around the fixed "T3BlbkFJ".
    key_formats={"OPENAI_API_KEY": key("sk-proj-", Run(URLSAFE, 74), "T3BlbkFJ",
                                       Run(URLSAFE, 74))},
    fake_credentials=lambda root: {"api_key": "emulator-key"},
    covers="chat completions JSON and SSE; tool arguments in token-sized deltas after a first "
           "chunk with id/type/name and empty arguments; usage chunk when include_usage; [DONE]",
    rank=10,
)
