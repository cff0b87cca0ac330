"""Streaming-support reports: markdown, JSON and self-contained HTML, all from one report data."""

from __future__ import annotations

from pathlib import Path

from harness.recording.atomic import write_atomic
from harness.reports.html import render_html
from harness.reports.json_report import render_json, report_data
from harness.reports.markdown import render_detailed, render_support
from harness.results import RunResults

FILES = ("streaming-support.md", "detailed.md", "streaming-support.json",
         "streaming-support.html")


def write_all_reports(results: RunResults, out_dir: Path,
                      baseline: RunResults | None = None) -> list[Path]:
    """Write every streaming-support report under `out_dir`; returns their paths."""
    data = report_data(results, baseline)
    support = render_support(data) + _benchmark_section(out_dir / "llamacpp-timing.json")
    texts = dict(zip(FILES, (support, render_detailed(data), render_json(data),
                             render_html(data)), strict=False))
    paths = []
    for name, text in texts.items():
        write_atomic(out_dir / name, text)
        paths.append(out_dir / name)
    return paths


def _benchmark_section(path: Path) -> str:
    """The live provider's real streaming timing (benchmarks/live_timing.py), when measured."""
    import json

    from tabulate import tabulate

    try:
        bench = json.loads(path.read_text(encoding="utf-8"))
        rows = [[s["scenario"], s["mode"], s["median_latency_s"],
                 s["median_first_partial_s"] if s["median_first_partial_s"] is not None else "",
                 s["stream_tokens_per_s"] or "", ", ".join(s["errors"]) or "-"]
                for s in bench["scenarios"]]
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    return ("\n## Live streaming timing (" + bench.get("provider", "?") + ", measured "
            + bench.get("measured_at", "?") + " by benchmarks/live_timing.py)\n\n"
            "The one provider whose streaming timing is real (emulators and replays are "
            "instant). Medians of " + str(bench["scenarios"][0].get("runs", "?")) + " runs.\n\n"
            + tabulate(rows, headers=["scenario", "mode", "latency s", "first partial s",
                                      "tokens/s", "errors"], tablefmt="github") + "\n")


__all__ = ["FILES", "report_data", "write_all_reports"]
