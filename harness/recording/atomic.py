"""Atomic file writes: a reader sees the old file or the new one, never half of either.

`write_all_atomic` extends that to a set of files: every file is staged to a temporary file
beside its target first, and only when all are staged are they renamed into place; on any
failure the files this call created are removed and the ones it replaced are restored.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path


def _umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    # os.umask can only be read by setting it, which races with other threads creating files.
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(path: Path) -> int:
    """The permissions `path` ends with: an existing file's own, else what open() would give."""
    # mkstemp creates its file 0600: renamed into place, a report or cassette would be
    # unreadable to the group and others whatever the user's umask says.
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _real(path: Path) -> Path:
    """Where a write to `path` lands: through a symbolic link to its target.

    Renaming onto the link itself would replace the link with a regular file and leave the
    file it points to (a page kept elsewhere, a shared report) untouched.
    """
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _stage(path: Path, data: str | bytes) -> str:
    """A temporary file beside `path` holding `data`, flushed to disk; its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    mode = _mode_for(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return tmp


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename."""
    write_all_atomic({path: data})


def _backup(path: Path) -> str | None:
    """A hard link to the file `path` is about to replace, to restore it on failure."""
    if not path.is_file():
        return None
    for _ in range(5):
        backup = str(path.parent / f".{path.name}.{secrets.token_hex(4)}.old")
        try:
            os.link(path, backup)  # never overwrites: a taken name is FileExistsError
            return backup
        except FileExistsError:
            continue
        except OSError:  # a filesystem without hard links: the old file cannot be kept
            return None
    return None


def _undo(done: list[tuple[Path, str | None, bool]]) -> None:
    """Put back what the renames changed: restore replaced files, remove created ones."""
    for path, backup, existed in reversed(done):
        with contextlib.suppress(OSError):
            if backup is not None:
                os.replace(backup, path)
            elif not existed:
                os.unlink(path)


def write_all_atomic(files: Mapping[Path, str | bytes]) -> None:
    """Write every file or none: stage them all, then rename them all into place.

    An OSError names the file it failed on (`filename`); nothing this call wrote is left.
    """
    staged: list[tuple[Path, str]] = []
    done: list[tuple[Path, str | None, bool]] = []
    current = None
    try:
        for given, data in files.items():
            current, path = given, _real(given)
            if path.is_dir():  # os.replace would fail only after every file was staged
                raise IsADirectoryError(21, "Is a directory", str(path))
            staged.append((path, _stage(path, data)))
        for (path, tmp), given in zip(staged, files, strict=True):
            current = given
            existed = path.exists()
            backup = _backup(path)
            os.replace(tmp, path)
            done.append((path, backup, existed))
    except BaseException as exc:
        _undo(done)
        for _, tmp in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        if isinstance(exc, OSError) and current is not None:
            raise OSError(exc.errno, exc.strerror or str(exc), str(current)) from None
        raise
    for _, backup, _ in done:
        if backup is not None:
            with contextlib.suppress(OSError):
                os.unlink(backup)
