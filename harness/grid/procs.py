"""Child processes of a grid (uv, each pair's replay), tracked so a Ctrl-C can end them all."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


class Interrupted(Exception):
    """The grid is stopping (Ctrl-C): no new process is started."""


@dataclass(frozen=True)
class Finished:
    """A finished child: its exit code and its output (stdout and stderr interleaved)."""

    code: int
    output: str


class Children:
    """Starts processes from worker threads; `stop()` ends every live one and refuses more."""

    def __init__(self) -> None:
        self._live: dict[int, subprocess.Popen[str]] = {}
        self._lock = threading.Lock()
        self.stopping = threading.Event()

    def run(self, args: Sequence[str], env: Mapping[str, str] | None = None,
            cwd: Path | None = None, log: Path | None = None) -> Finished:
        """Run `args` to the end; its output is returned (and written to `log` when given)."""
        with self._lock:
            if self.stopping.is_set():
                raise Interrupted
            proc = subprocess.Popen(list(args), env=dict(env) if env is not None else None,
                                    cwd=cwd, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    text=True, encoding="utf-8", errors="replace")
            self._live[proc.pid] = proc
        try:
            output, _ = proc.communicate()
        finally:
            with self._lock:
                self._live.pop(proc.pid, None)
        if log is not None:
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text(output, encoding="utf-8")
        if self.stopping.is_set():
            raise Interrupted
        return Finished(proc.returncode, output)

    def stop(self) -> None:
        """Refuse new processes and terminate the live ones (each by its own id)."""
        with self._lock:
            self.stopping.set()
            live = list(self._live.values())
        for proc in live:
            if proc.poll() is None:
                proc.terminate()
        for proc in live:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def child_env(extra: Mapping[str, str], drop: Sequence[str] = ()) -> dict[str, str]:
    """This process's environment with `extra` set and `drop` removed."""
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(extra)
    return env
