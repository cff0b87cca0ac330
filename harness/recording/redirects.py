"""No HTTP client follows a redirect while the harness records or runs live.

httpx strips only `Authorization` when it follows a redirect to another origin, and aiohttp
keeps custom headers too: an Anthropic `x-api-key` would reach whatever host a 307 names.
Within `no_redirects()` both clients hand the 3xx answer back instead; the recorder keeps it
(with its Location, so the other host stays visible) and the verdict reports it as the
provider's error (harness.verdict.traffic).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any


def _forcing(original: Callable[..., Any], name: str) -> Callable[..., Any]:
    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs[name] = False
        return original(self, *args, **kwargs)
    return wrapper


@contextlib.contextmanager
def no_redirects() -> Iterator[None]:
    """Within the block, httpx and aiohttp return redirects instead of following them."""
    import aiohttp
    import httpx

    patched = [(httpx.Client, "send", "follow_redirects"),
               (httpx.AsyncClient, "send", "follow_redirects"),
               (aiohttp.ClientSession, "_request", "allow_redirects")]
    originals = [(cls, attr, getattr(cls, attr)) for cls, attr, _ in patched]
    for (cls, attr, flag), (_, _, original) in zip(patched, originals, strict=True):
        setattr(cls, attr, _forcing(original, flag))
    try:
        yield
    finally:
        for cls, attr, original in originals:
            setattr(cls, attr, original)
