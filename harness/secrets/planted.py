"""Realistic fake credentials, in each provider's real key format, for planted-secret tests.

A run against the emulators as a live target, with these in the providers' usual environment
variables, must leave no trace of them (nor of any 8-character piece) in anything it writes.
Random each time: a leak cannot hide behind a value someone allow-listed.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import string
from pathlib import Path

from harness.secrets.variables import is_secret_variable

_ALNUM = string.ascii_letters + string.digits
_B64 = _ALNUM + "+/"
_URLSAFE = _ALNUM + "-_"


def _rand(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


# Key formats as the providers issue them.
_FORMATS = {
    "OPENAI_API_KEY": lambda: "sk-proj-" + _rand(_URLSAFE, 74) + "T3BlbkFJ" + _rand(_URLSAFE, 74),
    "ANTHROPIC_API_KEY": lambda: "sk-ant-api03-" + _rand(_URLSAFE, 93) + "AA",
    # Azure's current 84-character key format (older keys were 32 hex digits).
    "AZURE_API_KEY": lambda: _rand(_ALNUM, 84),
    "MISTRAL_API_KEY": lambda: _rand(_ALNUM, 32),
    "COHERE_API_KEY": lambda: _rand(_ALNUM, 40),
    "GEMINI_API_KEY": lambda: "AIza" + _rand(_URLSAFE, 35),
    "GOOGLE_API_KEY": lambda: "AIza" + _rand(_URLSAFE, 35),
    "HF_TOKEN": lambda: "hf_" + _rand(_ALNUM, 34),
    "HUGGINGFACE_API_KEY": lambda: "hf_" + _rand(_ALNUM, 34),
    "AWS_ACCESS_KEY_ID": lambda: "AKIA" + _rand(string.ascii_uppercase + "234567", 16),
    "AWS_SECRET_ACCESS_KEY": lambda: _rand(_B64, 40),
    "AWS_SESSION_TOKEN": lambda: "IQoJb3JpZ2luX2Vj" + _rand(_B64, 340),
    "GROQ_API_KEY": lambda: "gsk_" + _rand(_ALNUM, 52),
    "XAI_API_KEY": lambda: "xai-" + _rand(_ALNUM, 80),
}
# Routing values: realistic, not secret (they appear in URLs and request bodies).
_ROUTING = {
    "AZURE_API_VERSION": "2024-10-21", "AWS_REGION_NAME": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1", "VERTEXAI_LOCATION": "us-central1",
    "VERTEXAI_PROJECT": "planted-project-4711",
}


def service_account_file(folder: Path, token_uri: str) -> tuple[Path, list[str]]:
    """A Google service-account key file with a fresh RSA key; (path, its secret values).

    The emulator's token endpoint is told to trust the key, as IAM trusts an uploaded key.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    key_id = hashlib.sha1(public_pem).hexdigest()
    try:
        from harness.emulators import google_oauth
        google_oauth.register_key(key_id, public_pem)
    except ImportError:  # no Google emulator: the file is still a valid key file
        pass
    project = _ROUTING["VERTEXAI_PROJECT"]
    info = {"type": "service_account", "project_id": project, "private_key_id": key_id,
            "private_key": private_pem,
            "client_email": f"planted-{_rand(string.ascii_lowercase, 6)}@{project}"
                            f".iam.gserviceaccount.com",
            "client_id": _rand(string.digits, 21), "token_uri": token_uri}
    path = folder / f"service-account-{key_id[:8]}.json"
    path.write_text(json.dumps(info, indent=2), encoding="utf-8")
    body = [line for line in private_pem.splitlines() if "-----" not in line]
    # The random part of the key (its DER header is the same for every RSA key). The key id
    # is a name, not a secret: Google shows it in the console.
    return path, ["".join(body)[64:]]


def plant(variables: list[str], root: str, folder: Path) -> tuple[dict[str, str], list[str]]:
    """(environment to set, secret values planted) for credential `variables`, routed to `root`."""
    env: dict[str, str] = {}
    planted: list[str] = []
    for name in variables:
        if name in env:
            continue
        if name == "GOOGLE_APPLICATION_CREDENTIALS":
            path, values = service_account_file(folder, f"{root}/token")
            env[name] = str(path)
            planted += values
        elif name in _ROUTING:
            env[name] = _ROUTING[name]
        elif not is_secret_variable(name):
            env[name] = root  # *_API_BASE, *_ENDPOINT: the live target itself
        else:
            env[name] = _FORMATS.get(name, lambda: _rand(_ALNUM, 40))()
            planted.append(env[name])
    return env, planted


def fragments(secret: str, size: int = 8) -> set[str]:
    """Every `size`-character piece of `secret` (a leak of any of them is a leak)."""
    return {secret[i:i + size] for i in range(max(1, len(secret) - size + 1))}
