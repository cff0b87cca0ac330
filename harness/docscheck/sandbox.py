"""The world a page's blocks run in: emulators behind every model name, no outside network,
placeholder credentials, a scratch folder, an empty stdin, the page as `sys.argv[0]`."""

from __future__ import annotations

import contextlib
import io
import ipaddress
import os
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness.docscheck.routing import emulator_root, routed_to_emulators
from harness.providers import PROVIDERS
from harness.recording.netguard import NetworkBlockedError, block_network

REFUSED = ("outside network refused: the block tried to {what}; docs-check reaches only the "
           "local emulators on 127.0.0.1")
PLACEHOLDER = "docs-check-placeholder"
_SECRET_SUFFIXES = ("_KEY", "_TOKEN", "_KEY_ID")
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _is_loopback_or_numeric(host: Any) -> bool:
    if host is None or host in _LOOPBACK:
        return True
    text = host.decode() if isinstance(host, bytes) else str(host)
    try:
        ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return False
    return True  # a numeric address needs no lookup; connecting to it is checked


@contextlib.contextmanager
def outside_network_refused() -> Iterator[None]:
    """Refuse every connection (and name lookup) that does not stay on loopback."""
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback_or_numeric(host):
            raise NetworkBlockedError(REFUSED.format(what=f"look up {host!r}"))
        return real_getaddrinfo(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
    try:
        with block_network(allow_loopback=True,
                           refusal=REFUSED.format(what="connect to {address!r}")):
            yield
    finally:
        socket.getaddrinfo = real_getaddrinfo


def run_environment() -> dict[str, str | None]:
    """The variables set (None: removed) for the run.

    No real credential reaches a block: every provider's secret variable holds a placeholder
    and its other credential variables are unset; the official OpenAI and Anthropic SDKs,
    built straight from the environment, reach their emulators.
    """
    env: dict[str, str | None] = {}
    for provider in PROVIDERS:
        for name in provider.credentials:
            env[name] = PLACEHOLDER if name.endswith(_SECRET_SUFFIXES) else None
    openai, anthropic = emulator_root("openai"), emulator_root("anthropic")
    env.update({"OPENAI_API_KEY": PLACEHOLDER, "OPENAI_BASE_URL": f"{openai}/v1",
                "OPENAI_API_BASE": f"{openai}/v1", "ANTHROPIC_API_KEY": PLACEHOLDER,
                "ANTHROPIC_BASE_URL": anthropic, "ANTHROPIC_API_BASE": anthropic})
    return env


@contextlib.contextmanager
def environment(values: dict[str, str | None]) -> Iterator[None]:
    """Set (or unset, for None) the variables inside the block; restore them after."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def scratch_process(page: Path) -> Iterator[Path]:
    """A fresh working folder, the page as argv[0] and an empty stdin; all restored after."""
    cwd, argv, stdin = os.getcwd(), sys.argv, sys.stdin
    with tempfile.TemporaryDirectory(prefix="docs-check-") as folder:
        try:
            os.chdir(folder)
            sys.argv, sys.stdin = [str(page)], io.StringIO("")
            yield Path(folder)
        finally:
            os.chdir(cwd)
            sys.argv, sys.stdin = argv, stdin


@contextlib.contextmanager
def sandbox(page: Path) -> Iterator[Path]:
    """Everything above at once; yields the scratch folder blocks run in."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(environment(run_environment()))
        stack.enter_context(routed_to_emulators())
        stack.enter_context(outside_network_refused())
        yield stack.enter_context(scratch_process(page))
