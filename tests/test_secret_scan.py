"""`conformance scan-secrets`: every key format found, file:line and kind named, never the
secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.recording.paths import DEFAULT_CASSETTE_DIR, DEFAULT_REPORT_DIR
from harness.secrets.scan import scan_text
from tests.helpers import run_cli

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
