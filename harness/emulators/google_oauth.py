"""Google's OAuth 2.0 token endpoint for service accounts (RFC 7523 JWT bearer grant).

google-auth POSTs `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`
(form-encoded) to the key file's `token_uri` and expects {access_token, expires_in,
token_type}. Like Google, the endpoint checks the grant type, the JWT's claims and its RS256
signature against the public key registered for the key id (`kid`); the harness registers the
public half of the locally generated fake service-account key with `register_key`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
from typing import Any

from aiohttp import web

from harness.emulators import common
from harness.wire import WireFamily

TOKEN_PATH = "/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# google-auth signs every service-account assertion for Google's own token URI, whatever the
# key file's token_uri says; Google checks `aud` against it.
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
ISSUED_TOKENS = web.AppKey("issued_tokens", set)
_EXPIRES_IN = 3599  # what Google answers for a fresh service-account token
# Google's token endpoint headers, in a fixed order so re-recordings diff cleanly.
_TOKEN_HEADERS = {"Content-Type": "application/json; charset=utf-8",
                  "Cache-Control": "no-cache, no-store, max-age=0, must-revalidate",
                  "Pragma": "no-cache", "Expires": "Mon, 01 Jan 1990 00:00:00 GMT",
                  "Vary": "Origin, X-Origin, Referer", "Server": "scaffolding on HTTPServer2",
                  "X-XSS-Protection": "0", "X-Frame-Options": "SAMEORIGIN",
                  "X-Content-Type-Options": "nosniff"}
# The token answer: the first exchange of every Vertex cassette.
WIRE = WireFamily("google-oauth", success_keys=frozenset({"access_token"}))
# Public keys "registered in IAM", by key id: PEM bytes.
_KEYS: dict[str, bytes] = {}


def register_key(key_id: str, public_pem: bytes) -> None:
    """Trust `public_pem` for JWTs whose header names `key_id` (IAM's key registration)."""
    _KEYS[key_id] = public_pem


def service_account_key(project: str, token_uri: str, client_email: str,
                        client_id: str) -> dict[str, str]:
    """A service-account key file's JSON with a fresh RSA key this endpoint trusts.

    The key is made here (never a real one) and its public half registered, as IAM trusts a
    key uploaded to an account; `token_uri` points the client at this emulator.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    key_id = hashlib.sha1(public_pem).hexdigest()
    register_key(key_id, public_pem)
    return {"type": "service_account", "project_id": project, "private_key_id": key_id,
            "private_key": private_pem, "client_email": client_email, "client_id": client_id,
            "token_uri": token_uri}


def _b64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _error(description: str, error: str = "invalid_grant") -> web.Response:
    # Google's token endpoint answers 400 with a flat OAuth error object.
    return web.json_response({"error": error, "error_description": description}, status=400)


def _verify(token: str, audiences: tuple[str, ...]) -> str | None:
    """Why the JWT assertion is refused, or None when Google would accept it."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        head_b64, claims_b64, sig_b64 = token.split(".")
        header = json.loads(_b64url(head_b64))
        claims = json.loads(_b64url(claims_b64))
        signature = _b64url(sig_b64)
    except (ValueError, binascii.Error):
        return "Invalid JWT: malformed assertion."
    if header.get("alg") != "RS256":
        return "Invalid JWT: unsupported algorithm."
    pem = _KEYS.get(str(header.get("kid")))
    if pem is None:
        return "Invalid JWT Signature."
    public_key: Any = serialization.load_pem_public_key(pem)  # an RSA key: we registered it
    try:
        public_key.verify(signature, f"{head_b64}.{claims_b64}".encode(), padding.PKCS1v15(),
                          hashes.SHA256())
    except InvalidSignature:
        return "Invalid JWT Signature."
    now = time.time()
    if not claims.get("iss") or not claims.get("scope"):
        return "Invalid JWT: missing iss or scope claim."
    if claims.get("aud") not in audiences:
        return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe."
    if not (claims.get("iat", 0) - 300 <= now <= claims.get("exp", 0) + 300):
        return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe."
    return None


async def token(request: web.Request) -> web.Response:
    """POST /token: exchange a signed JWT assertion for an access token."""
    form = await request.post()
    if form.get("grant_type") != JWT_BEARER:
        return _error("Invalid grant_type.", "unsupported_grant_type")
    assertion = str(form.get("assertion") or "")
    # Also accepted: the URL this request reached (a client that signs for its token_uri).
    problem = _verify(assertion, (GOOGLE_TOKEN_URI, str(request.url.with_query(None))))
    if problem:
        return _error(problem)
    access_token = "emulator-access-" + common.stable_id(assertion, 40)
    request.app[ISSUED_TOKENS].add(access_token)
    body: dict[str, Any] = {"access_token": access_token, "expires_in": _EXPIRES_IN,
                            "token_type": "Bearer"}
    return web.Response(text=json.dumps(body, indent=2), headers=_TOKEN_HEADERS)


def add_routes(app: web.Application) -> None:
    """Serve the token endpoint on `app` and keep the tokens it issues in app[ISSUED_TOKENS]."""
    app[ISSUED_TOKENS] = set()
    app.router.add_post(TOKEN_PATH, token)


def bearer_ok(request: web.Request) -> bool:
    """Whether the request carries an access token this app's token endpoint issued."""
    header = request.headers.get("Authorization", "")
    return header.startswith("Bearer ") and header[7:] in request.app[ISSUED_TOKENS]
