"""Which failing cells make a reproduction, and writing one: script plus a markdown summary."""

from __future__ import annotations

import json
import platform
import tempfile
from pathlib import Path
from typing import Any

from harness.expectations import EXPECTATIONS, Expected, known_failure
from harness.modes import get_mode
from harness.providers import get_provider
from harness.recording.atomic import write_all_atomic
from harness.recording.cassette import read_cassette
from harness.repro.script import call_code, exchanges, render
from harness.results import CellResult, RunResults
from harness.scenarios import get_scenario

LIBRARY_LAYERS = ("instructor", "litellm", "pydantic")
# Simplest wires first: the reproduction a maintainer reads is the one with the least around it.
_PREFERENCE = ("openai", "anthropic", "mistral", "cohere", "bedrock", "azure", "huggingface",
               "gemini")


def _rank(provider: str) -> int:
    # A class only a provider outside the preference shows (the Responses API's) still gets one.
    return _PREFERENCE.index(provider) if provider in _PREFERENCE else len(_PREFERENCE)


def classes(results: RunResults) -> list[tuple[Expected, CellResult]]:
    """One representative failing cell per known library failure the results show. A script
    reproduces an exception: a `fail` (a call that returned, judged wrong, e.g. a re-ask that
    took one attempt more) has none to show, so it makes no reproduction."""
    found: dict[str, list[CellResult]] = {}
    for cell in results.cells.values():
        entry = known_failure(cell, EXPECTATIONS)
        if entry is not None and entry.layer in LIBRARY_LAYERS and entry.outcome != "fail":
            found.setdefault(entry.name, []).append(cell)
    ranked = []
    seen: set[tuple[str, str, str, str]] = set()
    for entry in EXPECTATIONS:
        cells = found.get(entry.name, [])
        # Entries split only by the releases they hold for are one bug: one reproduction.
        bug = (entry.reason, entry.layer, entry.exception, entry.message)
        if cells and bug not in seen:
            seen.add(bug)
            best = min(cells, key=lambda c: (_rank(c.provider), c.cell_id))
            ranked.append((entry, best))
    return ranked


def _slug(cell: CellResult) -> str:
    return cell.cell_id.replace("-", "_")


def script_for(cell: CellResult, cassette: Path, title: str) -> str:
    """The standalone script reproducing `cell` from its cassette."""
    vcr_dict, provenance = read_cassette(cassette)
    pairs = [(i["request"], i["response"]) for i in vcr_dict["interactions"]]
    provider, scenario = get_provider(cell.provider), get_scenario(cell.scenario)
    root = "__ROOT__"
    kwargs = {**provider.extra_kwargs, **provenance.get("call", {}), **provider.point_at(root),
              **provider.fake_credentials(root), "num_retries": 0}
    versions = provenance.get("versions", {})
    fields = {
        "title": title, "cell": cell.cell_id, "cassette": cell.cassette,
        "recorded": ", ".join(f"{k} {v}" for k, v in versions.items()
                              if k in ("instructor", "litellm")) or "unknown versions",
        "filename": f"{_slug(cell)}.py", "exchanges": exchanges(pairs),
        "kwargs": json.dumps(kwargs),
        "call": call_code(scenario.kind, scenario.is_async, get_mode(cell.mode).mode.name,
                          provenance.get("model") or cell.model, scenario.conversation(),
                          scenario.response_model.__name__)}
    return render(fields, scenario.response_model)


def summary_for(cell: CellResult, entry: Expected, script: str) -> str:
    """A markdown summary ready to paste into an upstream issue."""
    versions = cell.versions
    call = script[script.index("client = instructor"):script.index("try:")].strip()
    first = (cell.message or "").splitlines()[0] if cell.message else ""
    return "\n".join([
        f"## {entry.name}", "",
        f"**Versions**: instructor {versions.get('instructor', '?')}, litellm "
        f"{versions.get('litellm', '?')}, pydantic {versions.get('pydantic', '?')}, Python "
        f"{versions.get('python', platform.python_version())}.", "",
        f"**What happens** ({cell.cell_id}, layer at fault: {entry.layer}): "
        f"`{cell.exception_type}: {first[:300]}`", "",
        f"**Why**: {entry.reason}.", "",
        f"**Reproduce**: `python {_slug(cell)}.py` with only instructor and litellm installed. "
        f"The script serves the provider's recorded answer on 127.0.0.1 (standard library), "
        f"then makes this call:", "", "```python", call, "```", ""])


def write(results: RunResults, out: Path, cassette_root: Path,
          only: list[str] | None = None) -> list[Path]:
    """Scripts and summaries for every failing library class (or the cells named)."""
    chosen = classes(results)
    if only:
        chosen = [(e, c) for e, c in chosen if c.cell_id in only] + [
            (known_failure(results.cells[cid], EXPECTATIONS) or _unknown(results.cells[cid]),
             results.cells[cid]) for cid in only
            if cid in results.cells and cid not in {c.cell_id for _, c in chosen}]
    files: dict[Path, str] = {}
    for entry, cell in chosen:
        with tempfile.TemporaryDirectory(prefix="conformance-repro-") as scratch:
            cassette = cassette_root / cell.cassette
            if cell.drift and cell.drift.get("resolution") == "re-answered":
                # The failure came from the emulator's answer to today's request, not from
                # the recording: serve that answer.
                cassette = _re_record(cell, cassette, Path(scratch))
            script = script_for(cell, cassette, entry.name)
        files[out / f"{_slug(cell)}.py"] = script
        files[out / f"{_slug(cell)}.md"] = summary_for(cell, entry, script)
    write_all_atomic(files)
    return list(files)


def _re_record(cell: CellResult, recorded: Path, folder: Path) -> Path:
    """The cell recorded afresh against its emulator, with the installed libraries."""
    from harness.cells import Cell
    from harness.run.runner import Runner
    from harness.run.settings import RunSettings

    model = read_cassette(recorded)[1].get("model") or cell.model
    runner = Runner(RunSettings(target="emulator", cassette_dir=folder, model=model))
    try:
        runner.run_cell(Cell(cell.provider, cell.mode, cell.scenario))
    finally:
        runner.close()
    return folder / cell.provider / cell.mode / f"{cell.scenario}.yaml"


def _unknown(cell: CellResult) -> Any:
    return Expected(cell.cell_id, "a failure no expectation names", (cell.cell_id,),
                    cell.outcome, cell.layer or "unknown", cell.exception_type or "", "")
