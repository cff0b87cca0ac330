"""Provider registry."""

from __future__ import annotations

from harness.errors import UnknownNameError
from harness.providers.base import Provider
from harness.providers.catalog import PROVIDERS

_BY_NAME: dict[str, Provider] = {p.name: p for p in PROVIDERS}
assert len(_BY_NAME) == len(PROVIDERS), "duplicate provider name"


def get_provider(name: str) -> Provider:
    """The provider called `name`, or an error listing the valid ones."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownNameError("provider", name, _BY_NAME) from None


def all_providers() -> list[str]:
    """Every provider name, in registry order."""
    return [p.name for p in PROVIDERS]


__all__ = ["PROVIDERS", "Provider", "all_providers", "get_provider"]
