"""Real streaming timing of a live OpenAI-compatible server (the local llama.cpp provider).

Runs each scenario straight through instructor + litellm with NO cassette recorder in the way
(vcrpy buffers whole responses while recording, which hides streaming timing), and reports
latency per scenario, time to first partial/item, stream chunks and tokens/s. Writes
reports/llamacpp-timing.json (atomically) and prints a table. Figures, never assertions.

    conformance llamacpp start
    export CONFORMANCE_LLAMACPP_BASE_URL=...   # as printed
    python benchmarks/live_timing.py [--mode json_schema] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tabulate import tabulate

from harness.modes import get_mode
from harness.providers import get_provider
from harness.recording.atomic import write_atomic
from harness.recording.paths import DEFAULT_REPORT_DIR
from harness.scenarios import SCENARIOS
from harness.scenarios.base import Observation
from harness.scenarios.execute import run_scenario


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", default="llamacpp")
    parser.add_argument("--mode", default="json_schema")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT_DIR / "llamacpp-timing.json")
    args = parser.parse_args()
    provider = get_provider(args.provider)
    base = os.environ.get(f"CONFORMANCE_{provider.name.upper()}_BASE_URL")
    if not base:
        print(f"set CONFORMANCE_{provider.name.upper()}_BASE_URL (conformance llamacpp start "
              f"prints it)", file=sys.stderr)
        return 2
    kwargs = {**provider.extra_kwargs, **provider.point_at(base), "max_retries": 0}
    loop = asyncio.new_event_loop()
    rows, data = [], []
    for scenario in SCENARIOS:
        if scenario.name.endswith("_sync") and scenario.kind != "create":
            continue  # instructor 1.17's sync streaming is broken (see expectations.py)
        runs: list[dict[str, Any]] = []
        for _ in range(args.repeat):
            obs = Observation()
            start = time.perf_counter()
            error = None
            try:
                run_scenario(scenario, get_mode(args.mode).mode, provider.model_string(),
                             {k: v for k, v in kwargs.items() if k != "max_retries"}, loop, obs)
            except Exception as exc:
                error = type(exc).__name__
            elapsed = time.perf_counter() - start
            runs.append({"latency_s": elapsed, "first_s": obs.seconds_at_yield[0]
                         if obs.seconds_at_yield else None, "chunks": obs.chunks_total,
                         "error": error})
        latency = statistics.median(r["latency_s"] for r in runs)
        firsts = [r["first_s"] for r in runs if r["first_s"] is not None]
        first = statistics.median(firsts) if firsts else None
        chunks = statistics.median(r["chunks"] for r in runs)
        # llama.cpp streams one token per chunk: chunks after the first over the time between.
        rate = (chunks - 1) / (latency - first) if first and chunks > 1 and latency > first \
            else None
        entry = {"scenario": scenario.name, "mode": args.mode, "runs": args.repeat,
                 "median_latency_s": round(latency, 3),
                 "median_first_partial_s": round(first, 3) if first else None,
                 "median_stream_chunks": chunks,
                 "stream_tokens_per_s": round(rate, 1) if rate else None,
                 "errors": [r["error"] for r in runs if r["error"]]}
        data.append(entry)
        rows.append([scenario.name, entry["median_latency_s"], entry["median_first_partial_s"],
                     chunks, entry["stream_tokens_per_s"], ",".join(entry["errors"]) or "-"])
    loop.close()
    print(tabulate(rows, headers=["scenario", "latency s", "first partial s", "chunks",
                                  "tokens/s", "errors"], tablefmt="github"))
    write_atomic(args.out, json.dumps({
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "provider": provider.name, "model": provider.model_string(),
        "machine_cores": os.cpu_count(),
        "scenarios": data}, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
