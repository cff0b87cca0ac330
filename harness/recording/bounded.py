"""Reading a file a user named, safely: a regular file only, and never more than a limit.

A path on the command line may name anything: /dev/zero or /dev/urandom (endless), a FIFO
(blocks forever on open), a directory, or a multi-gigabyte file. Reading one of those whole
ends in MemoryError or a hang after minutes, not in one line naming the problem.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO"),
          (stat.S_ISSOCK, "a socket"))


class BoundedReadError(ValueError):
    """Not a regular file, or larger than allowed; the message says which, without the path."""


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def size_text(size: int) -> str:
    """A byte count as people read it: '64 MiB', '512 KiB', '12 bytes'."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them, else BoundedReadError.

    OSError (no such file, permission denied) is left to the caller, who knows what to say.
    """
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever. It
    # changes nothing for a regular file. The checks run on the open descriptor, so the file
    # cannot be swapped between the check and the read.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise BoundedReadError(f"{_kind(info.st_mode)}, not a regular file")
        if info.st_size > limit:
            raise BoundedReadError(f"{size_text(info.st_size)}, over the {size_text(limit)} "
                                   f"limit")
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        data = handle.read(limit + 1)  # it may have grown since fstat: never read past the cap
    if len(data) > limit:
        raise BoundedReadError(f"over the {size_text(limit)} limit")
    return data
