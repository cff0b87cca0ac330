"""Block every outgoing connection during replay: offline means offline."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from typing import Any


class NetworkBlockedError(ConnectionRefusedError):
    """A replayed cell tried to reach the network."""


_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _allowed(sock: socket.socket, address: Any, loopback: bool) -> bool:
    if sock.family == getattr(socket, "AF_UNIX", None):
        return True
    host = address[0] if isinstance(address, tuple) and address else None
    return loopback and host in _LOOPBACK


@contextlib.contextmanager
def block_network(allow_loopback: bool = False,
                  refusal: str | None = None) -> Iterator[None]:
    """Within the block, any socket connect raises NetworkBlockedError.

    UNIX sockets pass; with `allow_loopback`, so does 127.0.0.1 (the in-process emulators):
    an emulator run, or a drifted replay re-answered by an emulator, stays off the network.
    `refusal` (a format of `{address}`) replaces the error's message.
    """
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def _refuse(self: socket.socket, address: Any) -> Any:
        if _allowed(self, address, allow_loopback):
            return original_connect(self, address)
        if refusal is not None:
            raise NetworkBlockedError(refusal.format(address=address))
        if allow_loopback:
            raise NetworkBlockedError(
                f"a run against the local emulators tried to connect to {address!r}: only "
                f"loopback is allowed there")
        raise NetworkBlockedError(
            f"replay tried to connect to {address!r}: the request is not in the cassette and "
            f"the network is blocked; re-record with 'conformance record'")

    def _refuse_ex(self: socket.socket, address: Any) -> Any:
        if _allowed(self, address, allow_loopback):
            return original_connect_ex(self, address)
        _refuse(self, address)

    socket.socket.connect = _refuse  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = _refuse_ex  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]
