"""Rows from results, the four report files, declared-versus-observed, and the `matrix` command."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from harness.matrix import rows as matrix_mod
from harness.matrix.declared import (
    DECLARED_BUT_FAILING,
    WORKING_BUT_UNDECLARED,
    declared_capabilities,
    flag,
)
from harness.matrix.rows import build_rows, guide_table, text_width
from harness.matrix.rules import legend_lines
from harness.reports import FILES, report_data, write_all_reports
from harness.reports.html import render_html
from harness.reports.markdown import END, START, render_detailed, render_support
from harness.results import RunResults
from tests.test_support_levels import make_cell, sync_bug

SCENARIOS = ("sync", "async", "nested", "partial_sync", "partial_async", "iterable_sync",
             "iterable_async", "raw_stream")
RUN = {"target": "replay", "started_at": "2026-01-02T00:00:00+00:00",
       "finished_at": "2026-01-02T00:01:00+00:00",
       "versions": {"instructor": "1.17.0", "litellm": "1.83.0"},
       "filters": {"provider": [], "mode": [], "scenario": []}}


def synthetic_results() -> RunResults:
    """openai (all good but the sync bug), mistral (tools raw stream in one delta), azure."""
    cells = []
    for provider in ("mistral", "openai", "azure"):
        for mode in ("tools", "json"):
            for s in SCENARIOS:
                if s in ("partial_sync", "iterable_sync"):
                    cell = sync_bug(provider, mode, s)
                elif provider == "mistral" and mode == "tools" and s == "raw_stream":
                    cell = make_cell(provider, mode, s, raw_deltas=1)
                else:
                    cell = make_cell(provider, mode, s)
                cell.model = f"{provider}/m-{provider}"
                cell.recorded_at = f"2026-01-01T00:0{len(provider) % 10}:00+00:00"
                cells.append(cell)
    cells.append(make_cell("azure", "json_schema", "raw_stream", "error", "litellm",
                           "APIError", "boom | <script>alert(1)</script>"))
    cells[-1].model = "azure/m-azure"
    return RunResults(dict(RUN), {c.cell_id: c for c in cells})


def fake_lookup(model: str) -> tuple[tuple[str, bool | None], ...]:
    """litellm's declarations, made up: azure declares streaming, mistral declares nothing."""
    table = {"openai/m-openai": (True, True, None), "azure/m-azure": (True, False, True),
             "mistral/m-mistral": (None, None, None)}
    values = table.get(model, (None, None, None))
    return tuple(zip(("supports_function_calling", "supports_response_schema",
                      "supports_native_streaming"), values, strict=False))


@pytest.fixture()
def data(tmp_path: Path) -> dict:
    return report_data(synthetic_results(), lookup=fake_lookup)


def test_rows_follow_the_guide_order_with_display_names() -> None:
    rows = build_rows(synthetic_results())
    assert [r.display for r in rows] == ["OpenAI", "Azure", "Mistral"]
    assert guide_table(rows) == [
        "| Provider | Full Streaming | Partial Streaming | Iterable Streaming | Async Support |",
        "|----------|----------------|-------------------|--------------------|---------------|",
        "| OpenAI   | ✅ Full        | ⚠️ Limited        | ⚠️ Limited         | ✅ Full       |",
        "| Azure    | ⚠️ Limited     | ⚠️ Limited        | ⚠️ Limited         | ✅ Full       |",
        "| Mistral  | ⚠️ Limited     | ⚠️ Limited        | ⚠️ Limited         | ✅ Full       |",
    ]


def test_providers_sharing_a_display_name_form_one_row(monkeypatch: pytest.MonkeyPatch) -> None:
    names = {"gemini": ("Google", 40), "vertex": ("Google", 45), "bedrock": ("AWS", 60)}
    monkeypatch.setattr(matrix_mod, "display_of", lambda p: names.get(p, (p, 1000)))
    cells = [make_cell("gemini", "tools", "raw_stream"),
             make_cell("vertex", "tools", "raw_stream", raw_deltas=1),
             make_cell("bedrock", "tools", "raw_stream"), make_cell("acme", "tools", "raw_stream")]
    rows = build_rows(RunResults({}, {c.cell_id: c for c in cells}))
    assert [(r.display, r.providers) for r in rows] == [
        ("Google", ("gemini", "vertex")), ("AWS", ("bedrock",)), ("acme", ("acme",))]
    google = rows[0].verdicts["Full Streaming"]
    assert google.reason == "streams in gemini/tools; payload in a single delta in vertex/tools"


def test_a_provider_with_only_harness_errors_gets_no_row(tmp_path: Path) -> None:
    results = synthetic_results()
    for s in SCENARIOS:  # llamacpp: live-only, no cassettes recorded
        cell = make_cell("llamacpp", "tools", s, "error", "harness", "CassetteMissingError")
        results.cells[cell.cell_id] = cell
    assert [r.display for r in build_rows(results)] == ["OpenAI", "Azure", "Mistral"]
    text = render_support(report_data(results, lookup=fake_lookup))
    display = matrix_mod.display_of("llamacpp")[0]  # whatever the entry calls itself
    assert ("Not shown, no cell measured anything (harness errors such as missing cassettes, "
            f"or skipped): {display}.") in text


def test_streaming_support_md_has_table_legend_and_evidence(data: dict) -> None:
    text = render_support(data)
    table = text.split(START + "\n", 1)[1].split("\n" + END, 1)[0].splitlines()
    assert table == guide_table(build_rows(synthetic_results()))
    assert "\n".join(legend_lines()) in text
    assert ("- **Full Streaming: ⚠️ Limited**: streams in json; payload in a single delta "
            "in tools") in text
    assert ("  - `mistral-tools-raw_stream`: single delta: 1 payload delta over 1 HTTP "
            "stream") in text
    assert "  - `azure-json_schema-raw_stream`: error (litellm): APIError" in text
    assert "Recorded against: unknown (49 cells)" in text  # no cassettes under tmp_path


def test_detailed_md_footnotes_quote_exceptions_and_declared_flags(data: dict) -> None:
    text = render_detailed(data)
    row = next(line for line in text.splitlines()
               if line.startswith("| azure    | json_schema | raw_stream"))
    note = int(re.search(r"\[\^(\d+)\]", row).group(1))
    assert (f"[^{note}]: `azure-json_schema-raw_stream` (cassettes/azure/json_schema/raw_stream"
            f".yaml): APIError: boom \\| <script>alert(1)</script>") in text
    assert "| openai   | tools       | partial_async  | pass" in text
    lines = {row.split("|")[1].strip(): row for row in text.splitlines() if "/m-" in row}
    assert "yes / yes" in lines["openai"] and "unknown / yes" in lines["openai"]
    assert "supports_native_streaming: working but undeclared" in lines["openai"]
    # azure declares no response schema, and its only json_schema cell fails: no flag there.
    assert "supports_response_schema" not in lines["azure"].split("|")[-2]
    assert "supports_native_streaming" not in lines["azure"].split("|")[-2]


def test_declared_flags() -> None:
    assert flag(True, False) == DECLARED_BUT_FAILING
    assert flag(None, True) == flag(False, True) == WORKING_BUT_UNDECLARED
    assert flag(True, True) == flag(None, None) == flag(False, False) == ""


def test_declared_for_an_unmapped_model_is_unknown_and_silent(capfd: pytest.CaptureFixture) -> None:
    assert dict(declared_capabilities("nosuchprovider/nosuchmodel")) == {
        "supports_function_calling": None, "supports_response_schema": None,
        "supports_native_streaming": None}
    assert "Provider List" not in capfd.readouterr().out
    assert dict(declared_capabilities("openai/gpt-4o-mini"))["supports_function_calling"] is True


def test_json_has_the_same_rows_and_evidence(tmp_path: Path) -> None:
    written = write_all_reports(synthetic_results(), tmp_path)
    assert [p.name for p in written] == list(FILES)
    data = json.loads((tmp_path / "streaming-support.json").read_text())
    assert [r["display"] for r in data["rows"]] == ["OpenAI", "Azure", "Mistral"]
    full = data["rows"][2]["columns"]["Full Streaming"]
    assert full["symbol"] == "⚠️ Limited"
    assert {"cell": "mistral-tools-raw_stream",
            "note": "single delta: 1 payload delta over 1 HTTP stream"} in full["evidence"]
    assert data["provenance"]["versions"]["litellm"] == "1.83.0"
    assert data["provenance"]["recorded_from"] == "2026-01-01T00:05:00+00:00"


def test_html_is_self_contained_escaped_and_traceable(data: dict) -> None:
    page = render_html(data)
    assert not re.search(r"(src|href)=\"?(https?:)?//", page)  # nothing fetched from a network
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert 'title="⚠️ Limited: streams in json; payload in a single delta in tools' in page
    assert "cassettes/mistral/tools/raw_stream.yaml" in page
    assert 'id="cell-mistral-tools-raw_stream"' in page
    assert 'href="#cell-mistral-tools-raw_stream"' in page
    assert "instructor 1.17.0, litellm 1.83.0" in page


def test_text_width_counts_emoji_as_two() -> None:
    assert [text_width(s) for s in ("✅ Full", "⚠️ Limited", "❌ None", "OpenAI")] == [7, 10, 7, 6]


def _main(*args: str) -> int:
    from harness.cli import main
    argv = sys.argv
    sys.argv = ["conformance", *args]
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        sys.argv = argv
    return 0


def test_matrix_command_writes_reports_next_to_the_results(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture) -> None:
    synthetic_results().write(tmp_path / "results.json")
    assert _main("matrix", "--results", str(tmp_path / "results.json")) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*FILES, "results.json"])


@pytest.mark.parametrize("content,needle", [
    (None, "no such results file; run 'conformance run' first"),
    ("{not json", "unreadable results file"),
    ('{"results_version": 99, "cells": []}', "results format version 99"),
])
def test_matrix_bad_results_file_exits_2_in_one_line(tmp_path: Path, content: str | None,
                                                     needle: str,
                                                     capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "results.json"
    if content is not None:
        path.write_text(content)
    assert _main("matrix", "--results", str(path)) == 2
    err = "".join(capsys.readouterr().err.split())  # rich wraps anywhere, even in paths
    assert "".join(needle.split()) in err and err.startswith("error:")
