"""Google Vertex AI generateContent: project/location paths, OAuth service-account tokens."""

from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Callable
from typing import Any

from harness.emulators import google_genai, google_oauth
from harness.providers.base import Provider
from harness.secrets.key_formats import key

PROJECT = "emulator-project"
LOCATION = "us-central1"
MODEL = "gemini-2.5-flash"


@functools.lru_cache(maxsize=8)
def _key_file(token_uri: str) -> str:
    """A key file's JSON for `token_uri`; its RSA key is made once per token URI and process
    (making one takes a noticeable fraction of a second)."""
    return json.dumps(google_oauth.service_account_key(
        PROJECT, token_uri, client_email=f"conformance-emulator@{PROJECT}.iam.gserviceaccount.com",
        client_id="100000000000000000001"))


def fake_credentials(root: str) -> dict[str, Any]:
    """A service-account key file's JSON (passed in memory) whose token_uri is on `root`."""
    return {"vertex_credentials": _key_file(f"{root}/token")}


def routing(model: str, location: str) -> Callable[[str], dict[str, Any]]:
    """Routing kwargs for `model` in `location`: litellm posts to `<api_base>:<method>` for a
    custom Vertex api_base."""

    def point_at(root: str) -> dict[str, Any]:
        # The path names the default model: a --model override still reaches this model's URL.
        return {"api_base": f"{root}/v1/projects/{PROJECT}/locations/{location}/publishers/"
                            f"google/models/{model}",
                "vertex_project": PROJECT, "vertex_location": location}

    return point_at


point_at = routing(MODEL, LOCATION)


def drop_token_cache() -> None:
    """Forget litellm's per-process Vertex credentials, so each cell records its own token
    exchange and its cassette replays on its own."""
    from litellm.llms.vertex_ai.vertex_llm_base import VertexBase

    main = importlib.import_module("litellm.main")
    for value in vars(main).values():
        # Some VertexBase subclasses skip its __init__ and never had the cache.
        cache = getattr(value, "_credentials_project_mapping", None)
        if isinstance(value, VertexBase) and isinstance(cache, dict):
            cache.clear()


PROVIDER = Provider(
    name="vertex", display="Google", model_prefix="vertex_ai/", default_model=MODEL,
    credentials=("GOOGLE_APPLICATION_CREDENTIALS", "VERTEXAI_PROJECT", "VERTEXAI_LOCATION"),
    point_at=point_at,
    emulator=lambda: google_genai.make_app(google_genai.VERTEX),
    fake_credentials=fake_credentials,
    wire=google_genai.VERTEX_WIRE,
    # GOOGLE_APPLICATION_CREDENTIALS names a key file: tests make one with google_oauth.
    key_formats={"VERTEXAI_PROJECT": key("planted-project-4711"),
                 "VERTEXAI_LOCATION": key("us-central1")},
    covers="OAuth JWT-bearer token exchange (RS256 signature checked) then v1 "
           "projects/.../publishers/google/models/<m>:generateContent / streamGenerateContent "
           "with Bearer auth; chunks with role before parts, no index, usageMetadata "
           "{trafficType} until the last chunk, createTime; functionCall whole in one chunk; "
           "text in chunks of up to 65 tokens; partialArgs only when "
           "streamFunctionCallArguments is requested",
    rank=45,
    before_cell=drop_token_cache,
)
