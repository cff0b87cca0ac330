"""One environment per pair, built with uv into the cache: resolved together, or with --force."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from harness.grid.cache import EnvSpec, spec_for
from harness.grid.procs import Children, Finished, child_env
from harness.grid.reqs import installed_versions, requirements_of, site_packages, unmet_of
from harness.grid.versions import GridInputError, Pair
from harness.recording.atomic import write_atomic

NOT_INSTALLABLE = "not installable"
BUILD_FAILED = "build failed"
Uv = Callable[[list[str]], Finished]


class BuildError(Exception):
    """A pair without an environment: its status (not installable, build failed), one line why."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass(frozen=True)
class Env:
    """A ready environment: where, what it holds, whether it was forced, what it lacks."""

    path: Path
    spec: EnvSpec
    unmet: tuple[str, ...] = ()
    cached: bool = False
    conflict: str = ""  # a forced pair: the resolver's reason it is not installable

    @property
    def forced(self) -> bool:
        """Installed despite conflicting requirements (--force)."""
        return self.spec.strategy == "forced"

    @property
    def python(self) -> Path:
        """The environment's interpreter."""
        return python_of(self.path / "venv")


def python_of(venv: Path) -> Path:
    """A virtual environment's interpreter."""
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def uv_binary() -> str:
    """The uv executable: the `uv` package's, else one on PATH."""
    try:
        from uv import find_uv_bin
        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found:
            return found
    raise GridInputError("uv is not installed, and the grid builds its environments with it; "
                         "install it: pip install uv")


def uv_runner(children: Children) -> Uv:
    """Run uv as a tracked child, without colour or progress (its output becomes a reason)."""
    binary = uv_binary()
    env = child_env({"NO_COLOR": "1", "UV_NO_PROGRESS": "1"},
                    drop=("VIRTUAL_ENV", "PYTHONPATH", "CONDA_PREFIX"))
    return lambda args: children.run([binary, *args], env=env)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def failure_reason(output: str) -> str:
    """uv's failure in one line: the resolver's first 'Because …' sentence, else its error."""
    lines = [_ANSI.sub("", line).strip() for line in output.splitlines()]
    lines = [line.lstrip("╰─▶ ").strip() for line in lines if line.strip()]
    for line in lines:
        if "Because " in line:
            return _clip(line[line.index("Because "):])
    errors = [i for i, line in enumerate(lines) if line.startswith("error:")]
    if not errors:
        return _clip(lines[-1] if lines else "uv failed without a message")
    first = errors[-1]
    causes = [line.removeprefix("Caused by:").strip() for line in lines[first + 1:]
              if line.startswith("Caused by:")]
    return _clip(": ".join([lines[first].removeprefix("error:").strip(), *causes]))


def _clip(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _check(done: Finished) -> None:
    if done.code != 0:
        conflict = "No solution found" in done.output
        raise BuildError(NOT_INSTALLABLE if conflict else BUILD_FAILED,
                         failure_reason(done.output))


# Every install compiles what it installs (uv does not by default, pip does): a process in an
# environment without bytecode compiles each module it imports, every time, when it may not
# write bytecode (PYTHONDONTWRITEBYTECODE, common in CI images): `import litellm` took 7.7 s
# instead of 4.1 s here, in each pair's run.
COMPILE = "--compile-bytecode"


def _install_resolved(spec: EnvSpec, venv: Path, uv: Uv) -> tuple[str, ...]:
    _check(uv(["pip", "install", COMPILE, "--python", str(python_of(venv)),
               f"instructor=={spec.instructor}", f"litellm=={spec.litellm}",
               *spec.requirements]))
    return ()


def _install_forced(spec: EnvSpec, venv: Path, uv: Uv) -> tuple[str, ...]:
    """litellm with its dependencies, then instructor alone, then what instructor still lacks.

    litellm's pins win: instructor's requirements already met are kept, those in conflict are
    returned as unmet (the report lists them), and the missing ones are installed under
    constraints that hold every installed version where it is.
    """
    python = str(python_of(venv))
    _check(uv(["pip", "install", COMPILE, "--python", python, f"litellm=={spec.litellm}",
               *spec.requirements]))
    _check(uv(["pip", "install", COMPILE, "--python", python, "--no-deps",
               f"instructor=={spec.instructor}"]))
    site = site_packages(venv)
    have = installed_versions(site)
    unmet, missing = unmet_of(requirements_of(site, "instructor"), have)
    if missing:
        constraints = venv.parent / "constraints.txt"
        constraints.write_text("".join(f"{n}=={v}\n" for n, v in sorted(have.items())))
        done = uv(["pip", "install", COMPILE, "--python", python, "-c", str(constraints),
                   *missing])
        if done.code != 0:
            why = failure_reason(done.output)
            unmet += [f"{m} (not installed: {why})" for m in missing]
    return tuple(unmet)


def load_env(folder: Path, spec: EnvSpec) -> Env | None:
    """The cached environment for `spec`, when complete (its env.json is written last)."""
    try:
        data = json.loads((folder / "env.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("key") != spec.key() or not python_of(folder / "venv").exists():
        return None
    return Env(folder, spec, tuple(data.get("unmet", ())), True, data.get("conflict", ""))


def _build(spec: EnvSpec, root: Path, uv: Uv, python: str, conflict: str = "") -> Env:
    """Build in a temporary folder and rename it into place: a half-built env is never used."""
    final = root / spec.dir_name()
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".building-{spec.pair.id}-", dir=root))
    try:
        _check(uv(["venv", "--quiet", "--relocatable", "--python", python, str(tmp / "venv")]))
        install = _install_forced if spec.strategy == "forced" else _install_resolved
        unmet = install(spec, tmp / "venv", uv)
        have = installed_versions(site_packages(tmp / "venv"))
        for name in ("instructor", "litellm"):
            if have.get(name) != spec.pair.version(name):
                raise BuildError(BUILD_FAILED, f"uv installed {name} {have.get(name)} instead "
                                               f"of {spec.pair.version(name)}")
        write_atomic(tmp / "env.json", json.dumps({
            "key": spec.key(), "spec": asdict(spec), "unmet": list(unmet),
            "conflict": conflict, "installed": dict(sorted(have.items())),
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}, indent=2))
        if load_env(final, spec) is None:  # else a concurrent grid built it first: use that
            shutil.rmtree(final, ignore_errors=True)
            os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Env(final, spec, unmet, False, conflict)


def ensure_env(pair: Pair, requirements: list[str], root: Path, uv: Uv, force: bool,
               python: str = sys.executable) -> Env:
    """`pair`'s environment: from the cache, else built; a conflicting pair only with `force`."""
    resolved = spec_for(pair, requirements)
    forced = spec_for(pair, requirements, "forced")
    for spec in (resolved, forced) if force else (resolved,):
        cached = load_env(root / spec.dir_name(), spec)
        if cached is not None:
            return cached
    try:
        return _build(resolved, root, uv, python)
    except BuildError as exc:
        if not force or exc.status != NOT_INSTALLABLE:
            raise
        return _build(forced, root, uv, python, conflict=exc.reason)
