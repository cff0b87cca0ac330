"""How fast the harness is, against what it cannot be faster than: one table, one JSON file.

    python -m benchmarks.performance                  # every section (about 10 minutes)
    python -m benchmarks.performance --only replay --only overhead

Sections: `import` (import litellm alone), `replay` (conformance run over every default cell,
against the floor: the import plus bare instructor + litellm replaying the same cassettes),
`overhead` (harness/bare per cell class, alternating rounds), `recording` (every cell
recorded against the emulators with a latency per response, sequential versus concurrent),
`xdist` (pytest suites/ on one worker versus two) and `grid` (conformance grid, 1 × 3 pairs,
warm environment caches). Prints the table and writes it (with every figure behind it) to
reports/benchmark.json, atomically. Figures, never assertions: a missed target is reported.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import traceback
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from benchmarks import sections
from benchmarks.measure import REPO, machine

SECTIONS = ("import", "replay", "overhead", "recording", "xdist", "grid")
TARGETS = {"replay": 1.5, "overhead": 1.25, "recording": 3.0, "xdist": 1.6}


def _s(value: float) -> str:
    return f"{value:.1f} s"


def _row(what: str, value: str, target: str = "", met: bool | None = None) -> list[str]:
    return [what, value, target, "" if met is None else ("met" if met else "MISSED")]


def _replay_rows(d: dict[str, Any]) -> list[list[str]]:
    run, floor = d["run"], d["floor"]
    return [
        _row(f"replay: conformance run, {d['cells']} cells (median of {d['repeats']})",
             f"{_s(run['wall_s'])} wall, {_s(run['cpu_s'])} CPU, "
             f"{run['peak_rss_mb']:.0f} MB peak RSS"),
        _row("replay: floor (import + bare cells)",
             f"{_s(floor['import_wall_s'])} + {_s(floor['cells_wall_s'])} = "
             f"{_s(d['floor_wall_s'])} wall ({_s(floor['import_cpu_s'])} + "
             f"{_s(floor['cells_cpu_s'])} CPU)"),
        _row("replay: run / floor", f"{d['ratio']:.2f}× wall ({d['cpu_ratio']:.2f}× CPU); "
             f"verdicts {'identical' if d['identical_to_committed'] else 'DIFFERENT'}",
             f"≤ {TARGETS['replay']}×",
             d["ratio"] <= TARGETS["replay"] and d["identical_to_committed"]),
    ]


def _overhead_rows(d: dict[str, Any]) -> list[list[str]]:
    rows = []
    for name, c in d["classes"].items():
        wall, cpu = c["wall_ratio"], c["cpu_ratio"]
        rows.append(_row(f"per cell, {name} ({c['cells']} cells × {d['rounds']} rounds)",
                         f"{wall['median']:.2f}× (rounds {wall['min']:.2f}–{wall['max']:.2f}"
                         f"); CPU {cpu['median']:.2f}×; a cell {c['harness_ms']:.1f} ms vs "
                         f"{c['bare_ms']:.1f} ms bare (each side's median round)",
                         f"≤ {TARGETS['overhead']}×",
                         wall["median"] <= TARGETS["overhead"]))
    return rows


def _recording_rows(d: dict[str, Any]) -> list[list[str]]:
    return [_row(f"record: sequential / concurrent (--jobs {d['jobs']} --per-provider "
                 f"{d['per_provider']}, {d['latency_s']} s latency)",
                 f"{_s(d['sequential']['wall_s'])} / {_s(d['concurrent']['wall_s'])} = "
                 f"{d['ratio']:.2f}×; verdicts "
                 f"{'identical' if d['identical_verdicts'] else 'DIFFERENT'}",
                 f"≥ {TARGETS['recording']}×",
                 d["ratio"] >= TARGETS["recording"] and d["identical_verdicts"])]


def _xdist_rows(d: dict[str, Any]) -> list[list[str]]:
    rows = [_row(f"pytest suites/: -n 0 / -n 2 (median of {d['repeats']})",
                 f"{_s(d['n0']['wall_s'])} / {_s(d['n2']['wall_s'])} = {d['ratio']:.2f}×; "
                 f"results {'identical' if d['identical_results'] else 'DIFFERENT'}",
                 f"≥ {TARGETS['xdist']}×", d["ratio"] >= TARGETS["xdist"]
                 and d["identical_results"])]
    if "amdahl_bound" in d:  # reports written before the timeline have no parts
        one, two = d["n0"], d["n2"]
        rows.append(_row(
            "pytest suites/: start + cells + tail (-n 0; -n 2)",
            f"{_s(one['start_s'])} + {_s(one['cells_s'])} + {_s(one['tail_s'])}; "
            f"{_s(two['start_s'])} + {_s(two['cells_s'])} + {_s(two['tail_s'])} "
            f"(cells {d['cells_ratio']:.2f}× faster; at best "
            f"{d['amdahl_bound']:.2f}× with start and tail in each worker)"))
    return rows


def table_rows(results: dict[str, Any]) -> list[list[str]]:
    """The table: one row per figure, with its target and whether it was met."""
    renderers: dict[str, Callable[[dict[str, Any]], list[list[str]]]] = {
        "import": lambda d: [_row("import litellm (alone)", f"{_s(d['wall_s'])} wall, "
                                                            f"{_s(d['cpu_s'])} CPU")],
        "replay": _replay_rows, "overhead": _overhead_rows, "recording": _recording_rows,
        "xdist": _xdist_rows,
        "grid": lambda d: [_row("grid 1 × 3, warm environments", f"{_s(d['wall_s'])} wall")],
    }
    rows = []
    for name, data in results.items():
        if "error" in data:
            rows.append(_row(name, f"failed: {data['error']}", "", False))
        else:
            rows += renderers[name](data)
    return rows


README_MARKERS = ("<!-- benchmark:start -->", "<!-- benchmark:end -->")


def readme_lines(report: dict[str, Any]) -> list[str]:
    """The README's copy of the table, with what it was measured on."""
    m, v = report["machine"], report["versions"]
    compiled = "compiled" if m.get("litellm_compiled") else "not compiled"
    lines = [f"Measured {report['measured_at'][:10]} on {m['cores']} cores, Python {m['python']}"
             f", instructor {v.get('instructor')} + litellm {v.get('litellm')} (litellm's "
             f"bytecode {compiled}; load average {m['load_average'][0]:.2f} before, "
             f"{m['load_average_after'][0]:.2f} after), by `python -m benchmarks.performance`:",
             "", "| measure | value | target | |", "|---|---|---|---|"]
    for row in report["table"]:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return lines


def update_readme(page: Path, report: dict[str, Any]) -> None:
    """Rewrite the table between the README's benchmark markers (atomically)."""
    from harness.reports.docs_page import read_page, rewrite, write_page

    change = rewrite(read_page(page), readme_lines(report), None, README_MARKERS)
    if change.new_text != change.old_text:
        write_page(page, change.new_text)


def run_sections(chosen: list[str], args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Each chosen section's figures, or its error (the others still run)."""
    calls: dict[str, Callable[[], dict[str, Any]]] = {
        "import": lambda: sections.import_litellm(work),
        "replay": lambda: sections.replay(work, args.repeats),
        "overhead": lambda: sections.overhead(work, args.rounds),
        "recording": lambda: sections.recording(work, args.latency, args.jobs,
                                                args.per_provider),
        "xdist": lambda: sections.xdist(work, args.repeats),
        "grid": lambda: sections.grid(work),
    }
    out: dict[str, Any] = {}
    for name in chosen:
        print(f"measuring {name}…", file=sys.stderr, flush=True)
        try:
            out[name] = calls[name]()
        except Exception as exc:  # one broken section must not hide the others' figures
            traceback.print_exc(file=sys.stderr)
            out[name] = {"error": " ".join(str(exc).split())[:300]}
        out[name]["measured_at"] = _now()
    return out


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _earlier(path: Path) -> dict[str, Any]:
    """The sections of an earlier report at `path` (kept when only some are measured now)."""
    try:
        found = json.loads(path.read_text(encoding="utf-8")).get("sections", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {k: v for k, v in found.items() if k in SECTIONS and isinstance(v, dict)} \
        if isinstance(found, dict) else {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=SECTIONS,
                        help="measure only this section (repeatable; default: all)")
    parser.add_argument("--rounds", type=int, default=5, help="overhead rounds")
    parser.add_argument("--repeats", type=int, default=2,
                        help="replay and xdist: times each side is measured (medians)")
    parser.add_argument("--latency", type=float, default=0.3,
                        help="recording: seconds each emulator waits before each answer "
                             "(below any real provider's: a small structured call takes them "
                             "0.5 to 3 s)")
    parser.add_argument("--jobs", type=int, default=8, help="recording: worker processes")
    parser.add_argument("--per-provider", type=int, default=2,
                        help="recording: calls in flight per provider")
    parser.add_argument("--out", type=Path, default=REPO / "reports" / "benchmark.json")
    parser.add_argument("--readme", default=str(REPO / "README.md"),
                        help="the page whose benchmark markers get the table ('' for none)")
    parser.add_argument("--render", action="store_true",
                        help="measure nothing: render the table again from --out's figures")
    args = parser.parse_args()
    if args.render:
        return _render(args)
    if min(args.rounds, args.repeats, args.jobs, args.per_provider) < 1 or args.latency < 0:
        print("error: --rounds, --repeats, --jobs and --per-provider must be at least 1 and "
              "--latency not negative", file=sys.stderr)
        return 2
    from harness.versions import library_versions

    started = machine()
    with tempfile.TemporaryDirectory(prefix="conformance-benchmark-") as folder:
        measured = run_sections(args.only or list(SECTIONS), args, Path(folder))
    # --only: the other sections keep their earlier figures (each says when it was measured).
    earlier = _earlier(args.out) if args.only else {}
    results = {name: measured.get(name, earlier.get(name)) for name in SECTIONS
               if name in measured or name in earlier}
    report = {"benchmark_version": 1, "measured_at": _now(),
              "machine": {**started, "load_average_after": list(machine()["load_average"])},
              "versions": library_versions(), "table": [], "sections": results}
    return _write(report, args)


def _render(args: argparse.Namespace) -> int:
    try:
        report = json.loads(args.out.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"error: cannot read {args.out} ({exc}); measure first: python -m "
              f"benchmarks.performance", file=sys.stderr)
        return 2
    return _write(report, args)


def _write(report: dict[str, Any], args: argparse.Namespace) -> int:
    """The table from the report's sections: printed, in the report (atomically), in the
    README."""
    from tabulate import tabulate

    from harness.recording.atomic import write_atomic

    report["table"] = table_rows(report["sections"])
    print(tabulate(report["table"], headers=["measure", "value", "target", ""],
                   tablefmt="github"))
    write_atomic(args.out, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    if args.readme:
        update_readme(Path(args.readme), report)
        print(f"rewrote the table in {args.readme}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
