"""`conformance scan-secrets`: every key format found, file:line and kind named, never the
secret."""

from __future__ import annotations

import base64
import secrets
import string
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest

from harness.recording.paths import DEFAULT_CASSETTE_DIR, DEFAULT_REPORT_DIR
from harness.secrets import patterns, scan
from harness.secrets.scan import scan_text
from harness.secrets.scrub import REDACTED, scrub_text
from tests.helpers import run_cli

ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "-_"
LOWER_DIGITS = string.ascii_lowercase + string.digits
HEX = "0123456789abcdef"

# One per real format (random-looking, never real keys), and how the scanner names it.
SAMPLES = [
    ("OpenAI API key", "sk-proj-Qm2Lp7Vt3Rk8Wn1Hs6Jc5Fb0Gy4UeT3BlbkFJx9Az"),
    ("OpenAI API key", "sk-Xy7Qm2Lp9Vt3Rk8Wn1Hs6Jc5Fb0Gy4Ue9Tz"),
    ("Anthropic API key", "sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9Dc8Ba7AA"),
    ("AWS access key id", "AKIAQ2W3E4R5T6Y7U8I9"),
    ("AWS access key id", "ASIAZ9X8C7V6B5N4M3L2"),
    ("Google API key", "AIzaSyD4x9Qm2Lp7Vt3Rk8Wn1Hs6Jc5Fb0Gy4Ue"),
    ("Google OAuth access token", "ya29.a0AfB_byC3dE4fG5hI6jK7lM8nO9pQ0rS1tU2v"),
    ("Hugging Face token", "hf_Qm2Lp7Vt3Rk8Wn1Hs6Jc5Fb0Gy4UeXw9Az"),
    ("JSON Web Token", "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJzYUBwIn0.c2lnbmF0dXJlc2ln"),
    ("PEM private key", "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n"
                        "-----END PRIVATE KEY-----"),
    ("AWS SigV4 signature", "AWS4-HMAC-SHA256 Credential=AKIAQ2W3E4R5T6Y7U8I9/20251124/"
                            "us-east-1/bedrock/aws4_request"),
    ("OpenAI organisation id", "org-Ab12Cd34Ef56Gh78Ij90Kl12"),
]
# Keys without a prefix (Azure 32 hex, Mistral 32, Cohere 40): found in an auth position.
AUTH_POSITION = [
    'api-key: 3f9c2b7a1e8d4c6b9a0f5e2d7c1b8a4f',
    '"api_key": "Qm2Lp7Vt3Rk8Wn1Hs6Jc5Fb0Gy4UeXw9AzB"',
    'Authorization: Bearer Xy7Qm2Lp9Vt3Rk8Wn1Hs6Jc5Fb0Gy4Ue9TzQwErTy',
    '"Authorization": "Bearer Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9Dc8B"',
]


@pytest.mark.parametrize("kind,secret", SAMPLES, ids=[f"{k}-{i}" for i, (k, _) in
                                                      enumerate(SAMPLES)])
def test_each_real_key_format_is_found_with_its_kind(kind: str, secret: str) -> None:
    findings = scan_text(f"line one\n  text: 'see {secret} here'\n", "f.yaml")
    assert [(f.path, f.line, f.kind) for f in findings][:1] == [("f.yaml", 2, kind)]
    shown = str(findings[0])
    assert shown.startswith(f"f.yaml:2: {kind} ({secret[:4]}…(") and shown.endswith(" chars))")
    assert secret[4:12] not in shown  # a 4-character hint and the length, never the secret


@pytest.mark.parametrize("line", AUTH_POSITION)
def test_bare_keys_in_auth_positions_are_found(line: str) -> None:
    findings = scan_text(line, "x.json")
    assert [f.kind for f in findings] == ["credential in an auth position"]


def test_a_credential_header_kept_in_a_yaml_cassette_is_found() -> None:
    text = "    headers:\n      api-key:\n      - short-but-real\n      accept:\n      - '*/*'\n"
    findings = scan_text(text, "c.yaml")
    assert [(f.line, f.kind) for f in findings] == [(3, "api-key header kept in a cassette")]


def test_placeholders_and_ordinary_content_are_not_findings() -> None:
    text = ("headers:\n  authorization:\n  - REDACTED\n"
            '{"access_token": "REDACTED", "id": "chatcmpl-Bx12Cd34Ef56Gh78Ij90Kl12Mn34Op", '
            '"model": "gpt-4o-mini-2024-07-18", "system_fingerprint": "fp_29330a9688"}\n'
            "message: Missing credentials: send the Authorization header.\n"
            "api-key: emulator-key\n")
    assert scan_text(text, "ok.yaml") == []


def test_cli_fails_on_a_secret_with_file_line_and_kind_and_never_prints_it(
        tmp_path: Path) -> None:
    secret = "sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9Dc8Ba7AA"
    (tmp_path / "clean.yaml").write_text("a: 1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "leak.json").write_text('{\n  "x": 1,\n  "note": "' + secret + '"\n}\n')
    outcome = run_cli("scan-secrets", str(tmp_path))
    assert outcome.code == 1
    assert outcome.stdout.strip() == (f"{tmp_path / 'sub' / 'leak.json'}:3: Anthropic API key "
                                      f"(sk-a…({len(secret)} chars))")
    assert secret[4:12] not in outcome.stdout + outcome.stderr
    assert "1 credential-like string(s) in 2 files" in outcome.stderr


def test_cli_exits_2_on_a_missing_path(tmp_path: Path) -> None:
    outcome = run_cli("scan-secrets", str(tmp_path / "nope"))
    assert outcome.code == 2
    assert "no such file or folder to scan" in outcome.stderr


def test_the_repository_cassettes_and_reports_are_clean() -> None:
    outcome = run_cli("scan-secrets")
    assert outcome.code == 0, outcome.stdout
    assert outcome.stdout == ""
    assert "clean:" in outcome.stderr
    assert DEFAULT_CASSETTE_DIR.is_dir() and DEFAULT_REPORT_DIR.is_dir()


# --- Every file whole, however large ---------------------------------------------------------

def test_a_key_at_the_end_of_a_file_over_50_mb_is_found(tmp_path: Path) -> None:
    # The scanner once stopped at 50 MB and called such a file clean.
    key = "sk-ant-api03-" + _random(URLSAFE, 93) + "AA"
    filler = (b"2026-01-01T00:00:00Z INFO request finished in 12 ms with status 200; " * 15
              )[:1023] + b"\n"
    lines = (54 << 20) // len(filler)
    big = tmp_path / "big.log"
    with big.open("wb") as handle:
        handle.write(filler * lines)
        handle.write(f'{{"note": "{key}"}}\n'.encode())
    assert big.stat().st_size > 54_000_000
    outcome = run_cli("scan-secrets", str(big))
    assert outcome.code == 1, outcome.stderr
    assert outcome.stdout.strip() == (f"{big}:{lines + 1}: Anthropic API key "
                                      f"(sk-a…({len(key)} chars))")


def test_a_key_across_the_edge_of_a_long_line_window_is_found_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "_WINDOW", 256)
    monkeypatch.setattr(scan, "_OVERLAP", 128)
    key = "hf_" + _random(ALNUM, 34)
    found = []
    for cut in range(1, len(key)):  # the window edge inside the key, at every position
        path = tmp_path / f"line{cut}.txt"
        path.write_text("x " * ((512 - cut) // 2) + " " * (cut % 2) + key + " y" * 300 + "\n"
                        + "second line " + key + "\n")
        findings, _ = scan.scan_paths([path])
        found.append([(f.line, f.hint) for f in findings])
    assert all(lines == [(1, patterns.mask(key)), (2, patterns.mask(key))] for lines in found)


# --- Key formats the scrubber and the scanner share -----------------------------------------

def _random(alphabet: str, size: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(size))


def _sas_signature() -> str:
    return quote(base64.b64encode(secrets.token_bytes(32)).decode(), safe="")


# Fresh keys in each provider's real format, made for each test run: never real keys.
NEW_FORMATS: list[tuple[str, Callable[[], str]]] = [
    ("Perplexity API key", lambda: "pplx-" + _random(ALNUM, 48)),
    ("Cerebras API key", lambda: "csk-" + _random(LOWER_DIGITS, 48)),
    ("Fireworks API key", lambda: "fw_" + _random(ALNUM, 24)),
    ("Stripe secret key", lambda: "sk_live_" + _random(ALNUM, 99)),
    ("Stripe secret key", lambda: "rk_live_" + _random(ALNUM, 24)),
    ("GitLab token", lambda: "glpat-" + _random(URLSAFE, 20)),
    ("Google OAuth refresh token", lambda: "1//0" + _random(URLSAFE, 99)),
    ("Groq API key", lambda: "gsk_" + _random(ALNUM, 52)),
    ("OpenRouter API key", lambda: "sk-or-v1-" + _random(HEX, 64)),
    ("DeepSeek API key", lambda: "sk-" + _random(HEX, 32)),
    ("xAI API key", lambda: "xai-" + _random(ALNUM, 80)),
    ("Together API key", lambda: "tgp_v1_" + _random(URLSAFE, 43)),
]


@pytest.mark.parametrize("kind,make", NEW_FORMATS, ids=[f"{k}-{i}" for i, (k, _) in
                                                       enumerate(NEW_FORMATS)])
@pytest.mark.parametrize("context", ["text: 'see {} here'", '{{"detail": "{}"}}',
                                     "Authorization: Bearer {}", "url?q={}&alt=sse"])
def test_each_new_key_format_is_found_and_scrubbed(kind: str, make: Callable[[], str],
                                                  context: str) -> None:
    key = make()
    text = context.format(key)
    findings = scan_text(f"line one\n{text}\n", "f.yaml")
    assert [(f.line, f.kind) for f in findings][:1] == [(2, kind)], findings
    assert key[4:12] not in str(findings[0])
    scrubbed = scrub_text(text)
    assert key not in scrubbed and REDACTED in scrubbed


def test_an_azure_sas_signature_is_found_and_scrubbed_leaving_the_url() -> None:
    signature = _sas_signature()
    url = (f"https://acct.blob.core.windows.net/c/b.json?sv=2022-11-02&ss=b&srt=co&sp=r"
           f"&se=2026-01-01T00%3A00%3A00Z&sig={signature}")
    findings = scan_text(f"uri: {url}\n", "c.yaml")
    assert [f.kind for f in findings] == ["Azure SAS signature"]
    assert scrub_text(url) == url.replace(signature, REDACTED)


CREDENTIAL_FIELDS = [
    ('"custom_api_key": "{}"', lambda: _random(ALNUM, 32)),
    ("db_password: {}", lambda: _random(ALNUM, 24)),
    ("X-Service-Token: {}", lambda: _random(ALNUM, 40)),
    ("https://h.example/v1?auth_token={}&alt=sse", lambda: _random(HEX, 40)),
    ('client_credential = "{}"', lambda: base64.b64encode(secrets.token_bytes(33)).decode()),
    ('{{"deployment": {{"accessKey": "{}"}}}}', lambda: _random(ALNUM, 30)),
    ("WEBHOOK_SECRET={}", lambda: _random(HEX, 64)),
]


@pytest.mark.parametrize("template,make", CREDENTIAL_FIELDS,
                         ids=[t.split("{")[0][:24] or "json" for t, _ in CREDENTIAL_FIELDS])
def test_a_random_value_in_a_credential_named_field_is_found_and_scrubbed(
        template: str, make: Callable[[], str]) -> None:
    value = make()
    text = template.format(value)
    findings = scan_text(text, "x.json")
    assert len(findings) == 1 and findings[0].hint == patterns.mask(value), findings
    scrubbed = scrub_text(text)
    assert value not in scrubbed and scrubbed == text.replace(value, REDACTED)


def test_a_random_value_under_a_credential_named_yaml_key_is_found() -> None:
    value = _random(ALNUM, 32)
    text = f"    headers:\n      x-custom-secret:\n      - {value}\n      accept:\n      - '*/*'\n"
    findings = scan_text(text, "c.yaml")
    assert [(f.line, f.kind, f.hint) for f in findings] == [
        (3, patterns.FIELD_KIND, patterns.mask(value))]


@pytest.mark.parametrize("text", [
    '"request_id": "{uuid}"', "x-request-id: {uuid}", '"id": "chatcmpl-{alnum}"',
    '"db_password_hint": "correct-horse-battery-staple"',
    '"secret_name": "prod-openai-secret-2024"',
    '"token_type": "Bearer"', '"max_tokens": 1024, "prompt_tokens": 118',
    "x-ratelimit-remaining-tokens: 149984", '"model": "claude-sonnet-4-5-20250929"',
    '"api_key_source": "projects/my-project-123/secrets/openai-key"',
    '"token": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1"', "api-key: REDACTED",
    '"auth_uri": "https://accounts.google.com/o/oauth2/auth"',
    '"modelVersion": "gemini-2.5-flash", "responseId": "{alnum}"',
])
def test_ordinary_values_and_request_ids_are_not_findings(text: str) -> None:
    line = text.format(uuid=uuid.uuid4(), alnum=_random(ALNUM, 29))
    assert scan_text(line, "ok.json") == []
    assert scrub_text(line) == line
