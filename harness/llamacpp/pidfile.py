"""The managed llama-server's PID file, and checking and ending the process it names."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from harness.recording.atomic import write_atomic


@dataclass(frozen=True)
class PidRecord:
    """What start_server writes so another process can find or stop the server."""

    pid: int
    port: int
    host: str
    alias: str
    log: str
    binary: str
    model: str
    argv: list[str] = field(default_factory=list)
    started_at: float = 0.0


@contextmanager
def pid_file_lock(path: Path) -> Iterator[None]:
    """Serialise check-then-start, so two callers never both launch a server for one cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(path.name + ".lock").open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # released when the file closes
        yield


def write_pid_file(path: Path, record: PidRecord) -> None:
    """Write the PID file atomically, so a reader never sees a half-written record."""
    write_atomic(path, json.dumps(asdict(record), indent=2) + "\n")


def read_pid_file(path: Path) -> PidRecord | None:
    """The recorded server, or None when the file is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return PidRecord(**data)
    except (OSError, ValueError, TypeError):
        # A corrupt file cannot name a process we could safely signal; treat it as absent.
        return None


def clear_pid_file(path: Path, pid: int) -> None:
    """Remove the PID file, but only if it still records `pid` (a newer server may own it)."""
    record = read_pid_file(path)
    if record is None or record.pid == pid:
        path.unlink(missing_ok=True)


def _proc_state(pid: int) -> str | None:
    """The one-letter state from /proc/<pid>/stat, or None off Linux / when gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is parenthesised and may contain spaces; the state follows the last ')'.
    return stat.rpartition(")")[2].split()[0]


def pid_alive(pid: int, expect_binary: Path | None = None) -> bool:
    """Whether `pid` runs (zombies count as gone) and, if given, runs `expect_binary`."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else; the binary check below decides
    if _proc_state(pid) in ("Z", "X"):
        return False
    if expect_binary is None:
        return True
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        # No /proc (macOS): fall back to trusting the PID, as most tools do.
        return not Path("/proc").is_dir()
    # PIDs are reused: a stale file may point at an unrelated process, which we must not kill.
    # argv[1] covers a script run through its #! interpreter (as the tests' stand-in is).
    names = {Path(a.decode(errors="replace")).name for a in args[:2]}
    return expect_binary.name in names


def _wait_gone(pid: int, proc: subprocess.Popen[bytes] | None, timeout_s: float) -> bool:
    """Wait up to `timeout_s` for `pid` to exit (reaping it if it is our child)."""
    if proc is not None:
        try:
            proc.wait(timeout=timeout_s)
            return True
        except subprocess.TimeoutExpired:
            return False
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.1)
    return not pid_alive(pid)


def terminate(pid: int, proc: subprocess.Popen[bytes] | None, timeout_s: float) -> bool:
    """SIGTERM `pid`, wait, then SIGKILL and wait; True once it is gone."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return True
        if _wait_gone(pid, proc, timeout_s):
            return True
    return False
