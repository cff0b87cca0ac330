"""Streaming-support reports: markdown, JSON and self-contained HTML, all from one report data."""

from __future__ import annotations

from pathlib import Path

from ..recording.atomic import write_atomic
from ..results import RunResults
from .html import render_html
from .json_report import render_json, report_data
from .markdown import render_detailed, render_support

FILES = ("streaming-support.md", "detailed.md", "streaming-support.json",
         "streaming-support.html")


def write_all_reports(results: RunResults, out_dir: Path,
                      baseline: RunResults | None = None) -> list[Path]:
    """Write every streaming-support report under `out_dir`; returns their paths."""
    data = report_data(results, baseline)
    texts = dict(zip(FILES, (render_support(data), render_detailed(data), render_json(data),
                             render_html(data))))
    paths = []
    for name, text in texts.items():
        write_atomic(out_dir / name, text)
        paths.append(out_dir / name)
    return paths


__all__ = ["FILES", "write_all_reports", "report_data"]
