"""litellm's declared capabilities per model, against what the cells observed."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from harness.matrix.levels import measured, raw_grade
from harness.results import CellResult, RunResults

# Declared key -> what observation stands for it.
CAPABILITIES: dict[str, str] = {
    "supports_function_calling": "a `tools` mode cell passes",
    "supports_response_schema": "a `json_schema` mode cell passes",
    "supports_native_streaming": "a `raw_stream` cell streams (≥ 2 deltas, real HTTP stream)",
}
DECLARED_BUT_FAILING = "declared but failing"
WORKING_BUT_UNDECLARED = "working but undeclared"


# Flags looked up by a process that has litellm loaded (a parallel run's worker), so the
# process writing the reports need not import litellm only for them.
_KNOWN: dict[str, tuple[tuple[str, bool | None], ...]] = {}


def remember(found: dict[str, tuple[tuple[str, bool | None], ...]]) -> None:
    """Take `found` (model -> declared_capabilities(model), computed elsewhere) as known."""
    _KNOWN.update(found)


@cache
def declared_capabilities(model: str) -> tuple[tuple[str, bool | None], ...]:
    """litellm.get_model_info's flags for `model`; None where unknown (or the model is unmapped)."""
    if model in _KNOWN:
        return _KNOWN[model]
    import litellm
    litellm.suppress_debug_info = True
    info: dict[str, object] = {}
    try:
        # get_model_info prints a provider list for unmapped models: keep reports' output clean.
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            info = dict(litellm.get_model_info(model))
    except Exception:  # unmapped model, or a provider litellm cannot parse
        pass
    flags = {key: info.get(key) for key in CAPABILITIES}
    return tuple((key, value if isinstance(value, bool) else None)
                 for key, value in flags.items())


def _observed_by(key: str, cell: CellResult) -> bool | None:
    """Whether `cell` shows `key` working (True), failing (False) or says nothing (None)."""
    if not measured(cell):
        return None
    if key == "supports_function_calling":
        return cell.outcome == "pass" if cell.mode == "tools" else None
    if key == "supports_response_schema":
        return cell.outcome == "pass" if cell.mode == "json_schema" else None
    if cell.scenario != "raw_stream":
        return None
    return cell.outcome != "unsupported" and raw_grade(cell) == "streams"


def observed_capabilities(cells: Sequence[CellResult]) -> dict[str, bool | None]:
    """Per key: True if any cell shows it working, False if cells measured it and none did."""
    out: dict[str, bool | None] = {}
    for key in CAPABILITIES:
        seen = [v for v in (_observed_by(key, c) for c in cells) if v is not None]
        out[key] = any(seen) if seen else None
    return out


def flag(declared: bool | None, observed: bool | None) -> str:
    """The mismatch between a declaration and an observation, or ''."""
    if declared is True and observed is False:
        return DECLARED_BUT_FAILING
    if declared is not True and observed is True:
        return WORKING_BUT_UNDECLARED
    return ""


@dataclass(frozen=True)
class Capability:
    """One (provider, model) × capability comparison."""

    provider: str
    model: str
    key: str
    declared: bool | None
    observed: bool | None
    flag: str
    evidence: tuple[str, ...]


Lookup = Callable[[str], tuple[tuple[str, "bool | None"], ...]]


def compare(results: RunResults, lookup: Lookup = declared_capabilities) -> list[Capability]:
    """Declared versus observed for every (provider, model) in the results."""
    groups: dict[tuple[str, str], list[CellResult]] = {}
    for cell in results.cells.values():
        groups.setdefault((cell.provider, cell.model), []).append(cell)
    out = []
    for (provider, model), cells in sorted(groups.items()):
        declared = dict(lookup(model)) if model else {k: None for k in CAPABILITIES}
        observed = observed_capabilities(cells)
        for key in CAPABILITIES:
            ids = tuple(sorted(c.cell_id for c in cells if _observed_by(key, c) is not None))
            out.append(Capability(provider, model, key, declared.get(key), observed[key],
                                  flag(declared.get(key), observed[key]), ids))
    return out


def yes_no(value: bool | None) -> str:
    """'yes', 'no' or 'unknown'."""
    return "unknown" if value is None else ("yes" if value else "no")
