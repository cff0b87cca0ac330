"""What a worker process does with the emulators, for tests that spawn workers: a module of
its own, so a spawned interpreter imports the emulators and not the test's imports."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from typing import Any


def serve_every_emulator(_: int) -> dict[str, Any]:
    """Every provider's emulator, asked for twice; who answered an unserved route."""
    from harness.emulators.server import emulator_host
    from harness.providers import PROVIDERS

    host = emulator_host()
    first = {p.name: host.url(p.name, p.emulator) for p in PROVIDERS if p.emulator}
    again = {p.name: host.url(p.name, p.emulator) for p in PROVIDERS if p.emulator}
    answered = {}
    for name, root in first.items():
        try:  # an unserved route: the emulator's own JSON error proves it answered
            urllib.request.urlopen(f"{root}/no/such/route", timeout=10)
        except urllib.error.HTTPError as exc:
            answered[name] = exc.code
    return {"pid": os.getpid(), "first": first, "again": again, "started": host.started(),
            "answered": answered}
