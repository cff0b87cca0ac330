"""The support-level rule, defined once: each column's decision and its legend text side by side."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from harness.results import CellResult
from harness.scenarios import SCENARIOS


class Level(str, Enum):
    """A support level; ordered FULL > LIMITED > NONE; UNMEASURED is outside the order."""

    FULL = "full"
    LIMITED = "limited"
    NONE = "none"
    UNMEASURED = "unmeasured"  # no cell of the column was run (a filtered run)

    @property
    def symbol(self) -> str:
        """The guide's cell text for this level."""
        return SYMBOLS[self]

    @property
    def rank(self) -> int:
        """Higher is better; -1 for UNMEASURED (never compared)."""
        return {"full": 2, "limited": 1, "none": 0}.get(self.value, -1)


# The guide's exact cell texts; UNMEASURED never reaches a regenerated guide (docs refuses it).
SYMBOLS = {Level.FULL: "✅ Full", Level.LIMITED: "⚠️ Limited", Level.NONE: "❌ None",
           Level.UNMEASURED: "➖ Not measured"}


@dataclass(frozen=True)
class Evidence:
    """One cell behind a verdict and what it showed."""

    cell_id: str
    note: str


@dataclass(frozen=True)
class Verdict:
    """A column's level for one row, why, and the cells that decided it."""

    level: Level
    reason: str
    evidence: tuple[Evidence, ...] = ()
    # Cells of this column that measured nothing (skipped, a harness error): the level rests
    # on fewer cells than the run selected, and every report marks it.
    unmeasured: tuple[str, ...] = ()


def _key(cell: CellResult) -> tuple[str, str]:
    # A row may pool several providers (same display name), so a mode is (provider, mode).
    return cell.provider, cell.mode


def _mode_name(key: tuple[str, str], keys: Sequence[tuple[str, str]]) -> str:
    return key[1] if len({k[0] for k in keys}) <= 1 else f"{key[0]}/{key[1]}"


def _fault(cell: CellResult) -> str:
    if cell.outcome == "pass":
        return "pass"
    layer = f" ({cell.layer})" if cell.layer else ""
    return f"{cell.outcome}{layer}" + (f": {cell.exception_type}" if cell.exception_type else "")


def measured(cell: CellResult) -> bool:
    """Whether a cell measured the provider at all."""
    # A skipped cell, or a harness error (missing or drifted cassette), says nothing about
    # the provider; the run itself already exits 1 on harness errors.
    return cell.outcome != "skipped" and cell.layer != "harness"


def _of(cells: Sequence[CellResult], names: Sequence[str]) -> list[CellResult]:
    return [c for c in cells if c.scenario in names and measured(c)]


def _modes_text(keys: Sequence[tuple[str, str]], every: Sequence[tuple[str, str]]) -> str:
    return ", ".join(sorted(_mode_name(k, every) for k in set(keys)))


# --- Full Streaming -----------------------------------------------------------------------

def raw_grade(cell: CellResult) -> str:
    """A raw_stream cell's grade: 'streams', 'single delta', 'faked' (plain HTTP call) or 'no'."""
    if cell.outcome != "pass":  # pass means the streamed deltas joined equal the plain payload
        return "no"
    if not cell.metrics.get("http_streams"):
        return "faked"
    return "streams" if (cell.metrics.get("raw_deltas") or 0) >= 2 else "single delta"


def decide_full(cells: Sequence[CellResult]) -> Verdict:
    """Full Streaming from the raw_stream cells."""
    ran = _of(cells, ("raw_stream",))
    if not ran:
        return Verdict(Level.UNMEASURED, "no raw_stream cell was run")
    supported = [c for c in ran if c.outcome != "unsupported"]
    grades = {c.cell_id: raw_grade(c) for c in supported}
    evidence = tuple(Evidence(c.cell_id, _raw_note(c)) for c in ran)
    keys = [_key(c) for c in ran]
    by_grade = {g: [_key(c) for c in supported if grades[c.cell_id] == g]
                for g in ("streams", "single delta", "faked", "no")}
    if supported and len(by_grade["streams"]) == len(supported):
        return Verdict(Level.FULL, f"every supported mode streams the payload "
                                   f"({_modes_text(by_grade['streams'], keys)})", evidence)
    if len(by_grade["no"]) == len(supported):
        why = "litellm refuses every mode" if not supported else "no mode streams the payload"
        return Verdict(Level.NONE, why, evidence)
    labels = {"streams": "streams", "single delta": "payload in a single delta",
              "faked": "stream faked by litellm", "no": "no streamed payload"}
    parts = [f"{labels[g]} in {_modes_text(keys_, keys)}" for g, keys_ in by_grade.items()
             if keys_]
    return Verdict(Level.LIMITED, "; ".join(parts), evidence)


def _raw_note(cell: CellResult) -> str:
    if cell.outcome != "pass":
        return _fault(cell)
    deltas, streams = cell.metrics.get("raw_deltas", 0), cell.metrics.get("http_streams", 0)
    return (f"{raw_grade(cell)}: {deltas} payload delta{'' if deltas == 1 else 's'} over "
            f"{streams} HTTP stream{'' if streams == 1 else 's'}")


# --- Partial / Iterable Streaming ----------------------------------------------------------

def partial_incremental(cell: CellResult) -> bool:
    """A passing create_partial cell whose partials really arrived one by one."""
    # A stream litellm fakes from a plain HTTP call arrives all at once, however it is chunked.
    return (cell.outcome == "pass" and cell.metrics.get("incremental") is True
            and not cell.metrics.get("faked_stream"))


def iterable_incremental(cell: CellResult) -> bool:
    """A passing create_iterable cell whose first item came before the stream ended."""
    # A payload in one delta yields every item at once even if a bare finish chunk follows.
    return (cell.outcome == "pass" and cell.metrics.get("first_before_last_chunk") is True
            and (cell.metrics.get("payload_deltas") or 0) >= 2
            and not cell.metrics.get("faked_stream"))


def _stream_column(cells: Sequence[CellResult], sync: str, async_: str, call: str,
                   incremental: Callable[[CellResult], bool]) -> Verdict:
    ran = _of(cells, (sync, async_))
    if not ran:
        return Verdict(Level.UNMEASURED, f"no {call} cell was run")
    evidence = tuple(Evidence(c.cell_id, _fault(c) + (", incremental" if incremental(c) else
                                                      ", not incremental" if c.outcome == "pass"
                                                      else ""))
                     for c in ran)
    supported = [c for c in ran if c.outcome != "unsupported"]
    passing = [c for c in supported if c.outcome == "pass"]
    if not passing:
        why = "litellm refuses every mode" if not supported else f"{call} never passes"
        return Verdict(Level.NONE, why, evidence)
    keys = [_key(c) for c in ran]
    good = {(_key(c), c.scenario) for c in supported if incremental(c)}
    both = [k for k in keys if (k, sync) in good and (k, async_) in good]
    failing = [c for c in supported if c.outcome != "pass"]
    if both and not failing:
        return Verdict(Level.FULL, f"incremental in sync and async ({_modes_text(both, keys)}), "
                                   f"correct in every supported mode", evidence)
    passed = {c.scenario for c in passing}
    parts = ["only async passes"] if sync not in passed else (
        ["only sync passes"] if async_ not in passed else [])
    if not good:
        parts.append("never incremental")
    elif not both and len(passed) == 2:
        parts.append("no mode is incremental in both sync and async")
    flat = [c for c in passing if not incremental(c)] if good else []
    for what, group in (("fails", failing), ("is not incremental", flat)):
        for name in (sync, async_):
            hit = [_key(c) for c in group if c.scenario == name]
            if hit:
                parts.append(f"{name} {what} in {_modes_text(hit, keys)}")
    return Verdict(Level.LIMITED, "; ".join(parts), evidence)


def decide_partial(cells: Sequence[CellResult]) -> Verdict:
    """Partial Streaming from the create_partial cells."""
    return _stream_column(cells, "partial_sync", "partial_async", "create_partial",
                          partial_incremental)


def decide_iterable(cells: Sequence[CellResult]) -> Verdict:
    """Iterable Streaming from the create_iterable cells."""
    return _stream_column(cells, "iterable_sync", "iterable_async", "create_iterable",
                          iterable_incremental)


# --- Async Support ------------------------------------------------------------------------

def twin_pairs() -> list[tuple[str, str]]:
    """(sync scenario, async scenario) pairs from the scenario registry."""
    return [(s.twin, s.name) for s in SCENARIOS if s.is_async and s.twin]


def sync_only_failure(cell: CellResult) -> bool:
    """A sync cell that failed only in the sync API (the harness's sync-iterator contract check)."""
    # That check fires when the *sync* client returns a non-iterator: async cannot share it.
    return (cell.outcome != "pass" and cell.exception_type == "ContractViolation"
            and (cell.message or "").startswith("sync "))


def decide_async(cells: Sequence[CellResult]) -> Verdict:
    """Async Support: every async scenario passes wherever its sync twin works."""
    by_id = {(c.provider, c.mode, c.scenario): c for c in cells if measured(c)}
    pairs = twin_pairs()
    ran = [c for c in by_id.values() if c.scenario in {a for _, a in pairs}]
    if not ran:
        return Verdict(Level.UNMEASURED, "no async cell was run")
    expected: list[CellResult] = []
    for a in ran:
        twin = by_id.get((a.provider, a.mode, next(s for s, x in pairs if x == a.scenario)))
        if twin is not None and (twin.outcome == "pass" or sync_only_failure(twin)):
            expected.append(a)
    missing = [a for a in expected if a.outcome != "pass"]
    counted = {a.cell_id for a in expected}
    evidence = tuple(Evidence(a.cell_id, _fault(a) + ("" if a.cell_id in counted else
                                                      "; not counted: its sync twin does not pass"))
                     for a in sorted(ran, key=lambda c: c.cell_id))
    if not any(a.outcome == "pass" for a in ran):
        return Verdict(Level.NONE, "no async scenario passes", evidence)
    if not missing:
        return Verdict(Level.FULL, f"all {len(expected)} async cells pass where their sync twin "
                                   f"works", evidence)
    names = ", ".join(sorted(a.cell_id for a in missing))
    return Verdict(Level.LIMITED, f"{len(missing)} of {len(expected)} async cells fail where "
                                  f"their sync twin works: {names}", evidence)
