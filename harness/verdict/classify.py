"""Which layer is at fault: pure functions over an exception and what reached the wire."""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from types import TracebackType

from harness.errors import HarnessError

_PACKAGES = ("litellm", "instructor", "pydantic", "pydantic_core", "harness", "vcr", "jiter",
             "openai", "httpx", "aiohttp")


@dataclass(frozen=True)
class Verdict:
    """An outcome and the layer at fault."""

    outcome: str
    layer: str


def _package_of(filename: str) -> str | None:
    parts = filename.replace("\\", "/").split("/")
    if "site-packages" in parts[:-1]:
        # An installed file belongs to the package right after site-packages, not to a
        # sub-folder sharing a layer's name (instructor/v2/providers/openai/ is instructor's).
        top = parts[len(parts) - parts[::-1].index("site-packages")]
        return top if top in _PACKAGES else None
    for part in reversed(parts[:-1]):
        if part in _PACKAGES:
            return part
    return None


def innermost_layer(exc: BaseException) -> str | None:
    """The package of the deepest frame of ours or of a library under test that raised `exc`.

    A pydantic ValidationError is raised by pydantic on data another layer handed it, so the
    frame that called into pydantic is the one at fault.
    """
    tb: TracebackType | None = exc.__traceback__
    frames = [f.f_code.co_filename for f, _ in traceback.walk_tb(tb)]
    layers = [_package_of(f) for f in frames]
    layers = [layer for layer in layers if layer]
    if not layers:
        return None
    if type(exc).__name__ == "ValidationError":
        callers = [l for l in layers if l not in ("pydantic", "pydantic_core")]
        return _normalise(callers[-1]) if callers else "pydantic"
    return _normalise(layers[-1])


def _normalise(layer: str) -> str:
    # openai/httpx/aiohttp are litellm's transport: a fault there is litellm's to own.
    if layer in ("openai", "httpx", "aiohttp"):
        return "litellm"
    if layer in ("pydantic_core",):
        return "pydantic"
    if layer in ("jiter",):
        return "instructor"
    if layer in ("vcr",):
        return "harness"
    return layer


def root_cause(exc: BaseException) -> BaseException:
    """Follow instructor's retry wrapper and explicit causes to the first real failure."""
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        failed = getattr(exc, "failed_attempts", None)
        if failed:
            last = getattr(failed[-1], "exception", None)
            if isinstance(last, BaseException):
                exc = last
                continue
        if exc.__cause__ is not None:
            exc = exc.__cause__
            continue
        break
    return exc


_HARNESS_TYPES = ("CannotOverwriteExistingCassetteException", "NetworkBlockedError")
# litellm re-raises transport errors as its own types, keeping only the text: these markers
# tell a replay miss (the request is not in the cassette) from a provider failure.
_HARNESS_MARKERS = ("Can't play back this request", "Can't overwrite existing cassette",
                    "the network is blocked")


def chain(exc: BaseException) -> list[BaseException]:
    """`exc`, its causes and contexts, and instructor's failed attempts, without repeats."""
    out: list[BaseException] = []
    todo = [exc]
    while todo:
        current = todo.pop()
        if any(current is seen for seen in out):
            continue
        out.append(current)
        for attempt in getattr(current, "failed_attempts", None) or []:
            inner = getattr(attempt, "exception", None)
            if isinstance(inner, BaseException):
                todo.append(inner)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                todo.append(linked)
    return out


def is_replay_miss(exc: BaseException) -> bool:
    """Whether a replay failed because the library sent a request the cassette lacks."""
    for item in chain(exc):
        if type(item).__name__ in _HARNESS_TYPES:
            return True
        if any(marker in str(item) for marker in _HARNESS_MARKERS):
            return True
    return False


# Exceptions only a transport raises (httpx, aiohttp, sockets, the OpenAI SDK's connection
# errors): the connection failed, whatever the library wrapped it in. litellm's own
# APIConnectionError is not here: litellm also raises it for its own parsing bugs.
_TRANSPORT_TYPES = frozenset({
    "ConnectError", "ConnectTimeout", "ReadTimeout", "WriteTimeout", "PoolTimeout", "ReadError",
    "WriteError", "RemoteProtocolError", "ServerDisconnectedError", "ClientConnectionError",
    "ClientOSError", "ClientPayloadError", "ClientConnectorError", "ServerTimeoutError",
    "ConnectionResetError", "ConnectionAbortedError", "BrokenPipeError", "IncompleteRead",
    "EndpointConnectionError", "ReadTimeoutError", "ConnectTimeoutError", "APITimeoutError",
    "TimeoutError", "Timeout", "TransferEncodingError", "ContentLengthError",
    "SocketTimeoutError",
})


_DROPPED = ("TransferEncodingError", "ClientPayloadError", "ContentLengthError",
            "RemoteProtocolError", "IncompleteRead", "ServerDisconnectedError")


def transport_failure(exc: BaseException) -> str | None:
    """Why the connection itself failed ('timeout', 'connection reset', ...), else None."""
    if is_replay_miss(exc) or any(isinstance(item, HarnessError) for item in chain(exc)):
        return None
    names = [type(item).__name__ for item in chain(exc)
             if type(item).__name__ in _TRANSPORT_TYPES
             or (type(item).__module__.startswith("openai")
                 and type(item).__name__ == "APIConnectionError")]
    if not names:
        return None
    deepest = names[-1]  # the transport's own exception, under the libraries' wrappers
    if "Timeout" in deepest or any("Timeout" in n for n in names):
        return f"timeout ({deepest})"
    if deepest in _DROPPED:
        return f"connection dropped mid-response ({deepest})"
    if "Reset" in deepest or "Aborted" in deepest or deepest == "BrokenPipeError":
        return f"connection reset ({deepest})"
    return f"connection failure ({deepest})"


def classify(exc: BaseException, *, http_requests: int, error_status: int | None) -> Verdict:
    """Outcome and layer for a cell that raised `exc`.

    - Harness errors (missing cassette, drift from the recording) are the harness's.
    - An HTTP status >= 400 from the provider is a provider-side error.
    - A failed connection (reset, timeout, dropped stream) is a provider-side error.
    - litellm raising before sending anything is litellm refusing the mode: `unsupported`.
    - Otherwise the deepest frame of a known layer is at fault.
    """
    if any(isinstance(item, HarnessError) for item in chain(exc)) or is_replay_miss(exc):
        return Verdict("error", "harness")
    if error_status is not None and error_status >= 400:
        return Verdict("error", "provider")
    if transport_failure(exc):  # a reset, a timeout, a dropped stream: never `unsupported`
        return Verdict("error", "provider")
    cause = root_cause(exc)
    cause_name = type(cause).__name__
    declared = getattr(cause, "layer", None) or getattr(exc, "layer", None)
    if isinstance(declared, str):
        return Verdict("error", declared)  # a contract check named the layer itself
    if cause_name in ("Timeout", "APIConnectionError", "RateLimitError",
                      "ServiceUnavailableError", "InternalServerError"):
        return Verdict("error", "provider")
    layer = innermost_layer(cause) or innermost_layer(exc) or "unknown"
    if http_requests == 0 and layer == "litellm" and cause_name in (
            "UnsupportedParamsError", "BadRequestError", "APIError", "Exception", "ValueError"):
        return Verdict("unsupported", "litellm")
    return Verdict("error", layer)


_INSTALL_PATH = re.compile(r"""[^\s"'(]*/(site-packages|lib/python3\.\d+)/""")


def describe(exc: BaseException) -> tuple[str, str]:
    """(exception type, message) of the root cause, for reports.

    Install locations inside quoted tracebacks are shortened ('site-packages/litellm/...'), so
    the same failure reads the same on every machine and results diff cleanly.
    """
    cause = root_cause(exc)
    message = _INSTALL_PATH.sub(lambda m: m.group(1).split("/")[0] + "/",
                                str(cause).strip() or repr(cause))
    return type(cause).__name__, message[:2000]
