"""Test helpers: the emulators as a live target, and the CLI run in this process."""

from __future__ import annotations

import contextlib
import io
import sys
from dataclasses import dataclass
from pathlib import Path

from harness.emulators.server import emulator_host
from harness.providers import get_provider
from harness.run.targets import base_url_var
from harness.secrets.planted import plant


def emulator_as_live(names: list[str], folder: Path) -> tuple[dict[str, str], list[str]]:
    """(environment, planted secrets) pointing a live run of `names` at the local emulators.

    Each provider's real credential variables get realistic fake keys, and
    CONFORMANCE_<P>_BASE_URL its emulator's root: real HTTP, real auth headers, fake keys.
    """
    env: dict[str, str] = {}
    planted: list[str] = []
    for name in names:
        provider = get_provider(name)
        if provider.emulator is None:
            continue
        root = emulator_host().url(name, provider.emulator)
        values, secrets = plant(list(provider.credentials), root, folder)
        env.update(values)
        env[base_url_var(name)] = root
        planted += secrets
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
