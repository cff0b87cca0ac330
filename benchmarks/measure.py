"""Timing a command in a child process: wall time, CPU time and peak RSS, its own figures.

CPU and RSS come from the kernel's accounting of the child (os.wait4): user + system time of
the child and every descendant it reaped (workers, the forkserver's children), and the
largest resident set among them. The machine may be shared: its load average is recorded
before and after, so a reader can tell a quiet measurement from a busy one.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Timing:
    """One command's run."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    code: int

    def to_dict(self) -> dict[str, Any]:
        """Rounded for the report."""
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


def environment() -> dict[str, str]:
    """The children's environment: litellm reads its cost map from the package, never the
    network (no machine here reaches one), as the README asks."""
    return {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "PYTHONUNBUFFERED": "1"}


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_stat(pid: str) -> tuple[int, float, float] | None:
    """(parent pid, own CPU seconds, peak RSS MB) of a live process, from /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    peak = next((int(line.split()[1]) for line in status.splitlines()
                 if line.startswith("VmHWM:")), 0)
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK, peak / 1024


class _Tree:
    """Samples the child's process tree: descendants the child never reaps (a forkserver and
    its workers outlive the run's bookkeeping) are missing from the kernel's account of it."""

    def __init__(self, root: int) -> None:
        self.root, self.rss = root, 0.0
        self.cpu: dict[str, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.stop.wait(0.2):
            found = {pid: s for pid in os.listdir("/proc") if pid.isdigit()
                     and (s := _proc_stat(pid)) is not None}
            tree, grew = {str(self.root)}, True
            while grew:
                more = {pid for pid, s in found.items() if str(s[0]) in tree} - tree
                tree |= more
                grew = bool(more)
            for pid in tree & set(found):
                self.cpu[pid] = max(self.cpu.get(pid, 0.0), found[pid][1])
                self.rss = max(self.rss, found[pid][2])

    def finish(self) -> tuple[float, float]:
        self.stop.set()
        self.thread.join()
        return sum(self.cpu.values()), self.rss


def timed(args: list[str], log: Path, cwd: Path = REPO,
          env: dict[str, str] | None = None) -> Timing:
    """Run `args` (stdout and stderr to `log`, `env` added to the environment) and measure it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        start = time.perf_counter()
        child = subprocess.Popen(args, cwd=cwd, env={**environment(), **(env or {})},
                                 stdout=out,
                                 stderr=subprocess.STDOUT)
        tree = _Tree(child.pid) if Path("/proc/self/stat").exists() else None
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    sampled_cpu, sampled_rss = tree.finish() if tree else (0.0, 0.0)
    child.returncode = os.waitstatus_to_exitcode(status)
    # The kernel's figures are exact for what the child reaped; the samples (every 0.2 s,
    # each process's own time) count what it did not. The larger is the nearer the truth.
    return Timing(wall, max(usage.ru_utime + usage.ru_stime, sampled_cpu),
                  max(usage.ru_maxrss / 1024, sampled_rss), child.returncode)


def python(*args: str) -> list[str]:
    """This interpreter with `args` (the harness runs as `python -m harness.cli`)."""
    return [sys.executable, *args]


def json_output(args: list[str], log: Path) -> tuple[Timing, Any]:
    """Run a command that prints one JSON document last on stdout; (timing, document)."""
    found = timed(args, log)
    lines = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
             if line.startswith("{")]
    if found.code != 0 or not lines:
        raise RuntimeError(f"{' '.join(args[1:])} failed (exit {found.code}); see {log}")
    return found, json.loads(lines[-1])


def bytecode() -> dict[str, bool]:
    """Whether litellm's modules are compiled in this environment, and whether its children may
    write bytecode: an install without it (uv's default; pip compiles) under
    PYTHONDONTWRITEBYTECODE compiles litellm from source in every process, which about doubles
    `import litellm` (measured here: 7.7 s against 4.1 s)."""
    import importlib.util

    spec = importlib.util.find_spec("litellm")
    origin = Path(spec.origin) if spec and spec.origin else None
    compiled = bool(origin and any((origin.parent / "__pycache__").glob("__init__.*.pyc")))
    return {"litellm_compiled": compiled,
            "writes_bytecode": not os.environ.get("PYTHONDONTWRITEBYTECODE")}


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {"cores": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "load_average": list(os.getloadavg()),
            **bytecode()}


def tail(log: Path, lines: int = 3) -> str:
    """The last lines of a child's output, for a failure's reason."""
    text = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return " | ".join(text[-lines:])
