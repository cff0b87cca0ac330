"""Starting, finding and stopping the local llama-server (one per cache directory)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from harness.errors import HarnessError
from harness.llamacpp.command import HOST, MODEL_ALIAS, default_threads, server_argv
from harness.llamacpp.paths import CachePaths, cache_paths
from harness.llamacpp.pidfile import (
    PidRecord,
    clear_pid_file,
    pid_alive,
    pid_file_lock,
    read_pid_file,
    terminate,
    write_pid_file,
)

_SETUP_HINT = "run 'conformance llamacpp setup'"
_BIND_FAILURE = "couldn't bind HTTP server socket"


class ServerNotInstalledError(HarnessError):
    """The llama-server binary or the model has not been set up yet."""


class ServerStartError(HarnessError):
    """llama-server exited or never became healthy; the message carries its log tail."""


class ServerAlreadyRunningError(HarnessError):
    """A live llama-server is already recorded in this cache's PID file."""


@dataclass
class RunningServer:
    """A llama-server process listening on loopback; usable as a context manager."""

    pid: int
    port: int
    log_path: Path
    host: str = HOST
    alias: str = MODEL_ALIAS
    # Only set in the process that launched it: lets stop() reap the child (no zombie).
    _proc: subprocess.Popen[bytes] | None = field(default=None, repr=False, compare=False)

    @property
    def root_url(self) -> str:
        """`http://127.0.0.1:<port>` (for /health, /props, /slots)."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL, `http://127.0.0.1:<port>/v1`."""
        return f"{self.root_url}/v1"

    def is_alive(self) -> bool:
        """Whether the process still runs."""
        if self._proc is not None:
            return self._proc.poll() is None
        return pid_alive(self.pid)

    def stop(self, timeout_s: float = 10.0) -> bool:
        """Stop this server (SIGTERM, then SIGKILL); True if a process was signalled."""
        return stop_server(self, timeout_s=timeout_s)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def _free_port() -> int:
    """An unused loopback port, chosen by the kernel."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def log_tail(path: Path, lines: int = 30) -> str:
    """The last `lines` lines of a log file ('' if it does not exist)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _health_status(url: str) -> int | None:
    """HTTP status of GET `url`, or None when nothing answers yet."""
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return exc.code  # 503 while the model is loading
    except (urllib.error.URLError, OSError):
        return None


def running_server() -> RunningServer | None:
    """The live server recorded in the PID file, if any (a stale PID file is removed)."""
    paths = cache_paths()
    record = read_pid_file(paths.pid_file)
    if record is None:
        return None
    if not pid_alive(record.pid, expect_binary=paths.server_binary):
        clear_pid_file(paths.pid_file, record.pid)
        return None
    return RunningServer(pid=record.pid, port=record.port, log_path=Path(record.log),
                         host=record.host, alias=record.alias)


def _wait_healthy(server: RunningServer, proc: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Poll /health until 200; raise ServerStartError if the process exits or time runs out."""
    deadline = time.monotonic() + timeout_s
    url = f"{server.root_url}/health"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerStartError(
                f"llama-server exited with code {proc.returncode} before becoming healthy "
                f"(port {server.port}); log {server.log_path}:\n{log_tail(server.log_path)}")
        if _health_status(url) == 200:
            return
        time.sleep(0.25)
    raise ServerStartError(
        f"llama-server did not answer 200 on {url} within {timeout_s:.0f}s; "
        f"log {server.log_path}:\n{log_tail(server.log_path)}")


def start_server(port: int | None = None, ctx_size: int = 4096, *, threads: int | None = None,
                 n_predict: int = 256, parallel: int = 1, startup_timeout_s: float = 120.0,
                 extra_args: Sequence[str] = ()) -> RunningServer:
    """Start llama-server on loopback, wait until /health is 200, and record its PID file."""
    paths = cache_paths()
    threads = threads or default_threads()
    for needed in (paths.server_binary, paths.model):
        if not needed.is_file():
            raise ServerNotInstalledError(f"{needed} is missing; {_SETUP_HINT}")
    with pid_file_lock(paths.pid_file):
        live = running_server()
        if live is not None:
            raise ServerAlreadyRunningError(
                f"llama-server already running (pid={live.pid}, port={live.port}, "
                f"base_url={live.base_url!r}); stop it with harness.llamacpp.stop_server()")
        # A kernel-chosen port can be taken between probe and bind; retry with a fresh one.
        attempts = 3 if port is None else 1
        for attempt in range(attempts):
            chosen = port if port is not None else _free_port()
            try:
                return _launch(paths, chosen, ctx_size, threads, n_predict, parallel,
                               startup_timeout_s, extra_args)
            except ServerStartError:
                if attempt + 1 < attempts and _BIND_FAILURE in log_tail(paths.server_log, 200):
                    continue
                raise
        raise AssertionError("unreachable")


def _launch(paths: CachePaths, port: int, ctx_size: int, threads: int, n_predict: int,
            parallel: int, startup_timeout_s: float, extra_args: Sequence[str]) -> RunningServer:
    """Spawn one llama-server on `port` and wait for it; on any failure leave nothing behind."""
    argv = server_argv(paths, port, ctx_size, threads, n_predict, parallel, extra_args)
    # llama-server also reads LLAMA_ARG_* variables; drop them so the flags above are the truth.
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLAMA_ARG_")}
    paths.server_log.parent.mkdir(parents=True, exist_ok=True)
    with paths.server_log.open("wb") as log:
        # A new session: a Ctrl-C aimed at the harness must not kill the server mid-response;
        # the harness stops it explicitly (and stop_server handles an orphan via the PID file).
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
    server = RunningServer(pid=proc.pid, port=port, log_path=paths.server_log, _proc=proc)
    try:
        write_pid_file(paths.pid_file, PidRecord(
            pid=proc.pid, port=port, host=HOST, alias=MODEL_ALIAS, log=str(paths.server_log),
            binary=str(paths.server_binary), model=str(paths.model), argv=argv,
            started_at=time.time()))
        _wait_healthy(server, proc, startup_timeout_s)
    except BaseException:
        stop_server(server)
        raise
    return server


def stop_server(server: RunningServer | None = None, timeout_s: float = 10.0) -> bool:
    """Stop `server`, or the one in the PID file; True if a live process was signalled."""
    paths = cache_paths()
    if server is None:
        record = read_pid_file(paths.pid_file)
        if record is None:
            return False
        pid, proc = record.pid, None
    else:
        pid, proc = server.pid, server._proc
    # Check identity before signalling: a stale PID file's number may now be another process.
    alive = (proc.poll() is None) if proc is not None else pid_alive(
        pid, expect_binary=paths.server_binary)
    if alive:
        terminate(pid, proc, timeout_s)
    elif proc is not None:
        proc.wait()  # already exited: reap it
    clear_pid_file(paths.pid_file, pid)
    return alive


@dataclass
class LlamaServer:
    """`with LlamaServer() as server:` starts llama-server on entry and stops it on exit."""

    port: int | None = None
    ctx_size: int = 4096
    threads: int | None = None
    n_predict: int = 256
    parallel: int = 1
    startup_timeout_s: float = 120.0
    extra_args: Sequence[str] = ()
    server: RunningServer | None = field(default=None, init=False)

    def __enter__(self) -> RunningServer:
        self.server = start_server(self.port, self.ctx_size, threads=self.threads,
                                   n_predict=self.n_predict, parallel=self.parallel,
                                   startup_timeout_s=self.startup_timeout_s,
                                   extra_args=self.extra_args)
        return self.server

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
