"""Realistic fake credentials, in each provider's real key format, for planted-secret tests.

A run against the emulators as a live target, with these in the providers' usual environment
variables, must leave no trace of them (nor of any 8-character piece) in anything it writes.
The formats come from the provider entries (Provider.key_formats): this module sits below the
providers and emulators and knows none of them. A service-account key file is made by the
tests' helper with the Google emulator's key maker (harness.emulators.google_oauth).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from harness.secrets.key_formats import KeyFormat
from harness.secrets.variables import is_secret_variable


class MissingKeyFormatError(ValueError):
    """A secret credential variable whose provider states no key format."""


def plant(variables: Sequence[str], formats: Mapping[str, KeyFormat],
          root: str) -> tuple[dict[str, str], list[str]]:
    """(environment to set, secret values planted) for credential `variables`, routed to `root`.

    A variable with a format gets a fresh value in it (a secret one is also planted); a
    routing variable without one (*_API_BASE, *_ENDPOINT) gets the live target's root.
    """
    env: dict[str, str] = {}
    planted: list[str] = []
    for name in dict.fromkeys(variables):
        fmt = formats.get(name)
        if fmt is not None:
            env[name] = fmt.make()
            if is_secret_variable(name):
                planted.append(env[name])
        elif not is_secret_variable(name):
            env[name] = root
        else:
            raise MissingKeyFormatError(f"{name}: no key format; state it in the provider "
                                        f"entry's key_formats")
    return env, planted


def fragments(secret: str, size: int = 8) -> set[str]:
    """Every `size`-character piece of `secret` (a leak of any of them is a leak)."""
    return {secret[i:i + size] for i in range(max(1, len(secret) - size + 1))}
