"""Pure functions over an exception chain: its causes, instructor's failed attempts, a replay
miss, a transport failure. Low in the house: fault evidence and classification both read them.
"""

from __future__ import annotations

import functools

from harness.errors import HarnessError


def root_cause(exc: BaseException) -> BaseException:
    """Follow explicit causes, then instructor's retry wrapper, to the failure that ended it.

    The explicit cause comes first: instructor raises its retry exception `from` the error
    that really ended the call (a provider's 429 after a first invalid answer), while its
    failed attempts list the earlier ones too.
    """
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        if exc.__cause__ is not None:
            exc = exc.__cause__
            continue
        failed = getattr(exc, "failed_attempts", None)
        if failed:
            last = getattr(failed[-1], "exception", None)
            if isinstance(last, BaseException):
                exc = last
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
        if any(marker in _text(item) for marker in _HARNESS_MARKERS):
            return True
    return False


@functools.lru_cache(maxsize=16)
def _text(exc: BaseException) -> str:
    # An exception's text is asked for by several steps of a cell's verdict, and some are
    # costly to render (instructor's retry exception prints every attempt's completion).
    # Small: a cached exception keeps its traceback's frames alive (one cell's chain fits).
    return str(exc)


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
    "SocketTimeoutError", "CallTimeout",
})


_DROPPED = ("TransferEncodingError", "ClientPayloadError", "ContentLengthError",
            "RemoteProtocolError", "IncompleteRead", "ServerDisconnectedError")


def _harness_own(exc: BaseException) -> bool:
    """A replay miss or the harness's own error: never a transport's failure, whatever the
    libraries wrapped it in."""
    return is_replay_miss(exc) or any(isinstance(item, HarnessError) for item in chain(exc))


def transport_failure(exc: BaseException) -> str | None:
    """Why the connection itself failed ('timeout', 'connection reset', ...), else None."""
    if _harness_own(exc):
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


# A connection that was never made: nothing reached the server. litellm sometimes keeps only
# the transport's text, so its wording counts too (httpx's, aiohttp's and the socket's).
_UNREACHED_TYPES = frozenset({"ConnectError", "ClientConnectorError", "ConnectTimeout",
                              "ConnectTimeoutError", "EndpointConnectionError"})
_UNREACHED_TEXT = ("Connection refused", "Network is unreachable", "No route to host",
                   "Cannot connect to host")


def unreached(exc: BaseException) -> str | None:
    """The transport's own exception when the connection was never made (refused, no route,
    the network down), else None: a reset or a drop after connecting is not this."""
    if _harness_own(exc):
        return None
    for item in reversed(chain(exc)):  # the deepest first: the transport's own exception
        if type(item).__name__ in _UNREACHED_TYPES or any(
                marker in _text(item) for marker in _UNREACHED_TEXT):
            return f"{type(item).__name__}: {_text(item)}"
    return None
