"""Google Gemini API, the Gemini 3 generation: each call in a chunk of its own, a separate finish.

Its own entry beside `gemini` (2.5), so that the matrix shows both generations as rows and
each keeps its cassettes: the same litellm route and wire, another model and other chunks.
"""

from harness.emulators import google_genai
from harness.providers.base import Provider
from harness.providers.entries.gemini import PROVIDER as GEMINI_25

PROVIDER = Provider(
    name="gemini3", display="Google (Gemini 3)", model_prefix="gemini/",
    default_model="gemini-3-flash-preview",
    credentials=GEMINI_25.credentials, point_at=GEMINI_25.point_at,
    emulator=lambda: google_genai.make_app(google_genai.GEMINI),
    wire=google_genai.WIRE, key_formats=GEMINI_25.key_formats,
    fake_credentials=GEMINI_25.fake_credentials,
    covers="gemini-3 on v1beta generateContent / streamGenerateContent: each functionCall whole "
           "in a chunk of its own (the first signed, with functionCall.id on gemini-3-flash), "
           "then a separate finish chunk (parts [{text: \"\"}], finishReason STOP, no "
           "finishMessage); text then an empty signed text part finishing; usageMetadata with "
           "thoughtsTokenCount on every chunk; non-streamed parallel calls as parts of one "
           "content with finishMessage",
    rank=42,
)
