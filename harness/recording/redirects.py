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

Redirect = tuple[int, str, str]  # (status, the request's URL, the Location it named)


def _note(seen: list[Redirect], response: Any, url: Any) -> None:
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    if isinstance(status, int) and 300 <= status < 400:
        location = str(response.headers.get("location", ""))
        seen.append((status, str(getattr(response, "url", None) or url), location))


def _sync(original: Callable[..., Any], seen: list[Redirect]) -> Callable[..., Any]:
    @functools.wraps(original)
    def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs["follow_redirects"] = False
        response = original(self, request, *args, **kwargs)
        _note(seen, response, request.url)
        return response
    return send


def _async(original: Callable[..., Any], flag: str, seen: list[Redirect]) -> Callable[..., Any]:
    @functools.wraps(original)
    async def send(self: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs[flag] = False
        response = await original(self, *args, **kwargs)
        _note(seen, response, args[1] if len(args) > 1 else getattr(args[0], "url", ""))
        return response
    return send


@contextlib.contextmanager
def no_redirects(seen: list[Redirect]) -> Iterator[None]:
    """Within the block, httpx and aiohttp return redirects instead of following them; each
    redirect answered is noted in `seen`."""
    import aiohttp
    import httpx

    patched = [(httpx.Client, "send", _sync(httpx.Client.send, seen)),
               (httpx.AsyncClient, "send",
                _async(httpx.AsyncClient.send, "follow_redirects", seen)),
               (aiohttp.ClientSession, "_request",
                _async(aiohttp.ClientSession._request, "allow_redirects", seen))]
    originals = [(cls, attr, getattr(cls, attr)) for cls, attr, _ in patched]
    for cls, attr, wrapper in patched:
        setattr(cls, attr, wrapper)
    try:
        yield
    finally:
        for cls, attr, original in originals:
            setattr(cls, attr, original)
