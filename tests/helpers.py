"""Test helpers: the emulators as a live target (with planted keys), and the CLI in-process."""

from __future__ import annotations

import contextlib
import io
import json
import secrets
import string
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from harness.emulators import google_oauth
from harness.emulators.server import emulator_host
from harness.providers import get_provider
from harness.run.targets import base_url_var
from harness.scenarios import SCENARIOS, configure
from harness.scenarios.registry import BUILTIN
from harness.secrets.planted import plant

SERVICE_ACCOUNT_VARIABLE = "GOOGLE_APPLICATION_CREDENTIALS"  # names a key file, not a key


def _random(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def service_account_file(folder: Path, token_uri: str, project: str) -> tuple[Path, list[str]]:
    """A Google service-account key file the emulator trusts; (path, its secret values)."""
    info = google_oauth.service_account_key(
        project, token_uri,
        client_email=f"planted-{_random(string.ascii_lowercase, 6)}@{project}"
                     f".iam.gserviceaccount.com",
        client_id=_random(string.digits, 21))
    path = folder / f"service-account-{info['private_key_id'][:8]}.json"
    path.write_text(json.dumps(info, indent=2), encoding="utf-8")
    body = [line for line in info["private_key"].splitlines() if "-----" not in line]
    # The random part of the key (its DER header is the same for every RSA key). The key id
    # is a name, not a secret: Google shows it in the console.
    return path, ["".join(body)[64:]]


def emulator_as_live(names: list[str], folder: Path) -> tuple[dict[str, str], list[str]]:
    """(environment, planted secrets) pointing a live run of `names` at the local emulators.

    Each provider's real credential variables get realistic fake keys in the formats its entry
    states, and CONFORMANCE_<P>_BASE_URL its emulator's root: real HTTP, real auth headers,
    fake keys.
    """
    env: dict[str, str] = {}
    planted: list[str] = []
    for name in names:
        provider = get_provider(name)
        if provider.emulator is None:
            continue
        root = emulator_host().url(name, provider.emulator)
        variables = [v for v in provider.credentials if v != SERVICE_ACCOUNT_VARIABLE]
        values, new_secrets = plant(variables, provider.key_formats, root)
        if SERVICE_ACCOUNT_VARIABLE in provider.credentials:
            path, key_secrets = service_account_file(
                folder, f"{root}/token", values.get("VERTEXAI_PROJECT", "planted-project"))
            values[SERVICE_ACCOUNT_VARIABLE] = str(path)
            new_secrets += key_secrets
        env.update(values)
        env[base_url_var(name)] = root
        planted += new_secrets
    return env, planted


@dataclass
class CliOutcome:
    """What a command printed and its exit code."""

    code: int
    stdout: str
    stderr: str


def run_cli(*args: str) -> CliOutcome:
    """Run `conformance ARGS` in this process (no interpreter start-up), as main() does."""
    from harness.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["conformance", *args]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = argv
    return CliOutcome(code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def scenarios_loaded(*modules: str) -> Iterator[None]:
    """The scenario registry with `modules` loaded beside the built-in pack, then as it was
    found (the suites' cells, collected in the same process, need the project's)."""
    before = SCENARIOS.modules
    configure(modules)
    try:
        yield
    finally:
        configure(tuple(m for m in before if m != BUILTIN), builtin=BUILTIN in before)
