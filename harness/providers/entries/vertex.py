"""Google Vertex AI generateContent: project/location paths, OAuth service-account tokens."""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
from typing import Any

from harness.emulators import google_genai, google_oauth
from harness.providers.base import Provider

PROJECT = "emulator-project"
LOCATION = "us-central1"
MODEL = "gemini-2.5-flash"


@functools.lru_cache(maxsize=1)
def _key_pair() -> tuple[str, str]:
    """(key id, private PEM) of an RSA key made here, once per process; never a real key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    key_id = hashlib.sha1(public_pem).hexdigest()
    # The emulator's token endpoint trusts it, as IAM trusts a key uploaded to an account.
    google_oauth.register_key(key_id, public_pem)
    return key_id, private_pem


def fake_credentials(root: str) -> dict[str, Any]:
    """A service-account key file's JSON (passed in memory) whose token_uri is on `root`."""
    key_id, private_pem = _key_pair()
    info = {"type": "service_account", "project_id": PROJECT, "private_key_id": key_id,
            "private_key": private_pem,
            "client_email": f"conformance-emulator@{PROJECT}.iam.gserviceaccount.com",
            "client_id": "100000000000000000001", "token_uri": f"{root}/token"}
    return {"vertex_credentials": json.dumps(info)}


def point_at(root: str) -> dict[str, Any]:
    """Routing kwargs: litellm posts to `<api_base>:<method>` for a custom Vertex api_base."""
    # The path names the default model: a --model override still reaches this model's URL.
    return {"api_base": f"{root}/v1/projects/{PROJECT}/locations/{LOCATION}/publishers/google/"
                        f"models/{MODEL}",
            "vertex_project": PROJECT, "vertex_location": LOCATION}


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
    covers="OAuth JWT-bearer token exchange (RS256 signature checked) then v1 "
           "projects/.../publishers/google/models/<m>:generateContent / streamGenerateContent "
           "with Bearer auth; chunks with role before parts, no index, usageMetadata "
           "{trafficType} until the last chunk, createTime; functionCall whole in one chunk; "
           "text in chunks of up to 65 tokens; partialArgs only when "
           "streamFunctionCallArguments is requested",
    rank=45,
    before_cell=drop_token_cache,
)
