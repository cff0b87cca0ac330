"""Block every outgoing connection during replay: offline means offline."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from typing import Any


class NetworkBlockedError(ConnectionRefusedError):
    """A replayed cell tried to reach the network."""


@contextlib.contextmanager
def block_network() -> Iterator[None]:
    """Within the block, any socket connect raises NetworkBlockedError (UNIX sockets excepted)."""
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def _refuse(self: socket.socket, address: Any) -> Any:
        if self.family == getattr(socket, "AF_UNIX", None):
            return original_connect(self, address)
        raise NetworkBlockedError(
            f"replay tried to connect to {address!r}: the request is not in the cassette and "
            f"the network is blocked; re-record with 'conformance record'")

    def _refuse_ex(self: socket.socket, address: Any) -> Any:
        if self.family == getattr(socket, "AF_UNIX", None):
            return original_connect_ex(self, address)
        _refuse(self, address)

    socket.socket.connect = _refuse  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = _refuse_ex  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]
