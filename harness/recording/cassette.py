"""The one cassette reader, and the state of the cassette a cell is replaying or recording.

Every reader of a cassette file (the replay's provenance peek, vcrpy's load, the check of a
cassette a record mode keeps) goes through `read_cassette`; reports never open cassettes: what
they need of one is stored on the cell's result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import CassetteCorruptError
from harness.recording import serializer as fmt
from harness.wire import WireFamily

# The last cassette read, by (path, mtime, size): a replayed cell reads its cassette's
# provenance to build the call, then vcrpy loads the same file; parsing the YAML and
# converting it are the bulk of loading a cassette, so each is done once.
_PARSED: dict[str, tuple[tuple[int, int], Any]] = {}
_CONVERTED: dict[str, tuple[tuple[int, int], tuple[dict[str, Any], dict[str, Any]]]] = {}


def read_cassette(path: Path, fix: str = "delete it and re-record with 'conformance record'"
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(vcrpy's cassette dict, provenance) of a cassette file; CassetteCorruptError if bad.

    `fix` ends each error line: what the user should do about a bad file.
    """
    try:
        stat = path.stat()
        key = (stat.st_mtime_ns, stat.st_size)
        converted = _CONVERTED.get(str(path))
        if converted is not None and converted[0] == key:
            return converted[1]  # read-only for every caller: vcrpy copies what it keeps
        cached = _PARSED.get(str(path))
        if cached is None or cached[0] != key:
            text = path.read_text(encoding="utf-8")
            _PARSED.clear()
            _PARSED[str(path)] = cached = (key, fmt.load_yaml(text, str(path)))
    except UnicodeDecodeError:
        raise CassetteCorruptError(f"{path}: not UTF-8 text (binary garbage?); {fix}") from None
    except OSError as exc:
        raise CassetteCorruptError(f"{path}: unreadable cassette ({exc.strerror}); fix its "
                                   f"permissions or {fix}") from None
    result = fmt.from_document(cached[1], str(path), fix)
    _CONVERTED.clear()
    _CONVERTED[str(path)] = (key, result)
    return result


@dataclass
class CellCassette:
    """One cell's cassette: how it is loaded, saved and matched, and what it says of itself."""

    path: Path
    # Recorded afresh: the old file is not loaded, and is replaced atomically on save.
    fresh: bool = False
    # Never saved: a transient failure to retry, a dry run, an interrupted cell.
    discard: bool = False
    # Provenance to write on save (recording), and the provenance of the file loaded (replay).
    pending: dict[str, Any] = field(default_factory=dict)
    loaded: dict[str, Any] | None = None
    # Credentials of the run: redacted wherever they appear, whatever the position.
    secrets: set[str] = field(default_factory=set)
    # The cell's wire family: which request keys the matcher compares, where the model sits.
    wire: WireFamily | None = None
    # Every request the library presented for matching, scrubbed: a drift's evidence.
    presented: list[Any] = field(default_factory=list)

    def provenance(self) -> dict[str, Any]:
        """The provenance of the loaded file, read once (before vcrpy loads it, if need be)."""
        if self.loaded is None:
            self.loaded = read_cassette(self.path)[1] if self.path.is_file() else {}
        return self.loaded
