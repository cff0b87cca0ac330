"""The run journal: one JSON line per finished cell, appended as each ends (crash-safe).

The first line describes the run. A killed run leaves every finished cell in the journal;
`--resume` reads it back and runs only the cells it lacks. A last line cut by the kill is
ignored; any other unreadable line is an error naming the file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from harness.errors import ResultsFileError
from harness.recording.atomic import write_atomic
from harness.results import CellResult
from harness.secrets.record import scrub_record

JOURNAL_VERSION = 1
JOURNAL_NAME = "results.journal.jsonl"


def journal_path(out_dir: Path) -> Path:
    """The journal beside results.json."""
    return out_dir / JOURNAL_NAME


def start(path: Path, run: dict[str, Any]) -> None:
    """Begin a new journal (atomically replacing an old one) with the run's description."""
    write_atomic(path, json.dumps({"journal_version": JOURNAL_VERSION, "run": scrub_record(run)},
                                  ensure_ascii=False) + "\n")


def append(path: Path, result: CellResult, durable: bool = True) -> None:
    """Append one finished cell as a single write, so a kill never leaves half of it.

    `durable` also waits for the disk: a recorded or live cell cost real calls; a replayed
    one is repeated in a second, so a replay does not pay an fsync per cell.
    """
    line = (json.dumps(result.to_dict(), ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)


def load(path: Path) -> tuple[dict[str, Any], dict[str, CellResult]]:
    """(run description, finished cells by id) from a journal; clear errors when unusable."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ResultsFileError(f"{path}: no journal to resume; run without --resume") from None
    except OSError as exc:
        raise ResultsFileError(f"{path}: unreadable journal ({exc.strerror}); "
                               f"run without --resume") from None
    lines = raw.split(b"\n")
    complete, tail = lines[:-1], lines[-1]  # the tail is empty unless a write was cut
    try:
        header = json.loads(complete[0]) if complete else None
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("journal_version") != JOURNAL_VERSION:
        version = header.get("journal_version") if isinstance(header, dict) else None
        raise ResultsFileError(
            f"{path}: journal format version {version!r}, this harness reads {JOURNAL_VERSION}; "
            f"run without --resume to start over")
    from harness.results_schema import check_cell

    cells: dict[str, CellResult] = {}
    for number, line in enumerate(complete[1:], 2):
        try:
            cell = check_cell(json.loads(line))  # the results file's schema, record by record
        except (ValueError, TypeError):
            raise ResultsFileError(f"{path}:{number}: corrupt journal line; run without "
                                   f"--resume to start over") from None
        cells[cell.cell_id] = cell
    del tail  # a line cut by a kill: that cell is simply run again
    return header.get("run", {}), cells
