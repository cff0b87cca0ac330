"""Streaming-support reports: markdown, JSON and self-contained HTML, all from one report data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.recording.atomic import write_all_atomic
from harness.reports.html import render_html
from harness.reports.json_report import render_json, report_data
from harness.reports.markdown import render_detailed, render_support
from harness.results import RunResults

FILES = ("streaming-support.md", "detailed.md", "streaming-support.json",
         "streaming-support.html")
TIMING_FILE = "llamacpp-timing.json"
_TIMING_MAX_BYTES = 1 << 20  # a benchmark summary is a few KiB


def write_results(results: RunResults, out_dir: Path, baseline: RunResults | None = None) -> None:
    """What a run leaves in its report folder: results.json, results.md and every
    streaming-support report, each written atomically."""
    from harness.recording.atomic import write_atomic
    from harness.reports.results_table import render_markdown

    results.write(out_dir / "results.json")
    write_atomic(out_dir / "results.md", render_markdown(results))
    write_all_reports(results, out_dir, baseline=baseline)


def write_all_reports(results: RunResults, out_dir: Path,
                      baseline: RunResults | None = None) -> list[Path]:
    """Write every streaming-support report under `out_dir`, all or none; their paths.

    Every report is rendered before any is written, then the set is written atomically: a
    folder that cannot take one of them (read-only, a name taken by a folder) is one line
    and leaves the reports as they were, never two old and two new.
    """
    data = report_data(results, baseline)
    support = render_support(data) + _benchmark_section(out_dir / TIMING_FILE)
    texts = dict(zip(FILES, (support, render_detailed(data), render_json(data),
                             render_html(data)), strict=True))
    paths = {out_dir / name: text for name, text in texts.items()}
    try:
        write_all_atomic(paths)
    except OSError as exc:
        where = f"{Path(exc.filename).name}: " if exc.filename else ""
        raise HarnessError(f"cannot write reports to {out_dir}: {where}{exc.strerror or exc}; "
                           f"no report was written; pass a writable folder with --out") from None
    return list(paths)


def _timing_rows(bench: Any) -> list[list[Any]] | None:
    """The timing table's rows, or None unless the file has the shape the benchmark writes."""
    scenarios = bench.get("scenarios") if isinstance(bench, dict) else None
    if not isinstance(scenarios, list) or not scenarios:
        return None
    rows = []
    for s in scenarios:
        if not isinstance(s, dict):
            return None
        first, rate, errors = (s.get("median_first_partial_s"), s.get("stream_tokens_per_s"),
                               s.get("errors"))
        numbers = (s.get("median_latency_s"), first, rate)
        if not all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
                   for v in numbers) or s.get("median_latency_s") is None:
            return None
        if not isinstance(errors, list) or not all(isinstance(e, str) for e in errors):
            return None
        if not isinstance(s.get("scenario"), str) or not isinstance(s.get("mode"), str):
            return None
        rows.append([s["scenario"], s["mode"], s["median_latency_s"],
                     first if first is not None else "", rate or "", ", ".join(errors) or "-"])
    return rows


def _benchmark_section(path: Path) -> str:
    """The live provider's real streaming timing (benchmarks/live_timing.py), when measured.

    The file is whatever lies in the report folder: anything but the benchmark's own shape
    (empty, truncated, another tool's JSON) leaves the section out rather than the report.
    """
    import json

    from tabulate import tabulate

    from harness.recording.bounded import BoundedReadError, read_bounded

    try:
        bench = json.loads(read_bounded(path, _TIMING_MAX_BYTES).decode("utf-8"))
    except (OSError, BoundedReadError, ValueError):
        return ""
    rows = _timing_rows(bench)
    if rows is None:
        return ""
    texts = {key: bench.get(key) if isinstance(bench.get(key), str) else "?"
             for key in ("provider", "measured_at")}
    runs = bench["scenarios"][0].get("runs")
    runs_text = str(runs) if isinstance(runs, int) and not isinstance(runs, bool) else "?"
    return ("\n## Live streaming timing (" + texts["provider"] + ", measured "
            + texts["measured_at"] + " by benchmarks/live_timing.py)\n\n"
            "The one provider whose streaming timing is real (emulators and replays are "
            "instant). Medians of " + runs_text + " runs.\n\n"
            + tabulate(rows, headers=["scenario", "mode", "latency s", "first partial s",
                                      "tokens/s", "errors"], tablefmt="github") + "\n")


__all__ = ["FILES", "TIMING_FILE", "report_data", "write_all_reports", "write_results"]
