"""Discovers the provider entries: every module in `entries/` that defines PROVIDER."""

from __future__ import annotations

import importlib
import pkgutil

from harness.providers import entries
from harness.providers.base import Provider


def _discover() -> tuple[Provider, ...]:
    found = []
    for info in pkgutil.iter_modules(entries.__path__):
        module = importlib.import_module(f"{entries.__name__}.{info.name}")
        provider = getattr(module, "PROVIDER", None)
        if isinstance(provider, Provider):
            found.append(provider)
    return tuple(sorted(found, key=lambda p: (p.rank, p.name)))


PROVIDERS: tuple[Provider, ...] = _discover()
