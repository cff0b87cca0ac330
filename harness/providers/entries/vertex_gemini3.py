"""Google Vertex AI, the Gemini 3 generation: each call in a chunk of its own, finishing on the
last (Vertex sends no separate finish chunk), on the global location."""

from harness.emulators import google_genai
from harness.providers.base import Provider
from harness.providers.entries.vertex import PROVIDER as VERTEX_25
from harness.providers.entries.vertex import routing
from harness.secrets.key_formats import key

MODEL = "gemini-3-flash-preview"

PROVIDER = Provider(
    name="vertex_gemini3", display="Google (Gemini 3)", model_prefix="vertex_ai/",
    default_model=MODEL, credentials=VERTEX_25.credentials,
    # Gemini 3 previews are served on the global location (as the recording's path shows).
    point_at=routing(MODEL, "global"),
    emulator=lambda: google_genai.make_app(google_genai.VERTEX),
    fake_credentials=VERTEX_25.fake_credentials, wire=google_genai.VERTEX_WIRE,
    key_formats={"VERTEXAI_PROJECT": key("planted-project-4711"),
                 "VERTEXAI_LOCATION": key("global")},
    covers="gemini-3 on Vertex (OAuth token exchange, Bearer auth, locations/global): each "
           "functionCall whole in a chunk of its own, the first signed, finishReason and the "
           "full usageMetadata on the last (no separate finish chunk, as Vertex's gemini-3 "
           "text and partialArgs streams end); text ending on its signed chunk; usageMetadata "
           "{trafficType} until the last chunk",
    rank=47,
    before_cell=VERTEX_25.before_cell,
)
