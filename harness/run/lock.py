"""One run at a time per reports folder: a second run would destroy the first's journal."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from harness.errors import HarnessError


def lock_path(folder: Path) -> Path:
    """The lock of `folder`: kept outside it, so a reports folder holds only reports."""
    key = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:24]
    return Path(tempfile.gettempdir()) / "conformance-locks" / f"{key}.lock"


@contextlib.contextmanager
def reports_lock(folder: Path) -> Iterator[None]:
    """Hold `folder` for this run; a run already holding it is a one-line error, not a race.

    The lock is the kernel's (flock): a run that is killed releases it with its process.
    """
    path = lock_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
        os.close(fd)
        raise HarnessError(f"another conformance run (pid {holder}) is writing to {folder}: "
                           f"wait for it to end, or pass another --out") from None
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
