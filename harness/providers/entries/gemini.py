"""Google Gemini API (AI Studio): generateContent with an API key."""

from harness.emulators import google_genai
from harness.providers.base import Provider
from harness.secrets.key_formats import URLSAFE, Run, key

PROVIDER = Provider(
    name="gemini", display="Google", model_prefix="gemini/", default_model="gemini-2.5-flash",
    credentials=("GEMINI_API_KEY",),
    # litellm appends /models/<model>:<method> (and ?alt=sse) to a custom api_base.
    point_at=lambda root: {"api_base": f"{root}/v1beta"},
    emulator=lambda: google_genai.make_app(google_genai.GEMINI),
    wire=google_genai.WIRE,
    key_formats={"GEMINI_API_KEY": key("AIza", Run(URLSAFE, 35))},
    # Sent as the x-goog-api-key header, which cassettes never keep.
    fake_credentials=lambda root: {"api_key": "emulator-key"},
    covers="v1beta generateContent / streamGenerateContent (alt=sse with CRLF CRLF separators, "
           "or a JSON array without it); functionCall whole in one chunk, parallel calls as "
           "parts of it, first call signed, finishReason STOP + finishMessage; text in chunks of "
           "up to 39 tokens (JSON compact with responseSchema, else indented); usageMetadata "
           "with thoughtsTokenCount on every chunk; modelVersion, responseId",
    rank=40,
)
