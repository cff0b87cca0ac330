"""Reports are written all or none, checked before a run, and never broken by a bad timing file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from harness.errors import HarnessError
from harness.recording import atomic
from harness.reports import FILES, write_all_reports
from tests.helpers import run_cli
from tests.test_matrix_reports import synthetic_results

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "reports" / "results.json"
TIMING_FILE = "llamacpp-timing.json"  # written by benchmarks/live_timing.py


def _everything(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("name", FILES)
def test_matrix_refuses_a_report_name_taken_by_a_folder(tmp_path: Path, name: str) -> None:
    (tmp_path / name).mkdir()
    outcome = run_cli("matrix", "--results", str(COMMITTED), "--out", str(tmp_path))
    assert (outcome.code, outcome.stderr.splitlines()) == (2, [
        f"error: cannot write reports to {tmp_path}: {name} is a directory; remove it or pass "
        f"another folder with --out"]), outcome.stderr
    assert _everything(tmp_path) == [name]


def test_matrix_into_a_folder_it_cannot_create(tmp_path: Path) -> None:
    blocker = tmp_path / "file"  # a folder below a regular file: unwritable even for root
    blocker.write_text("")
    outcome = run_cli("matrix", "--results", str(COMMITTED), "--out", str(blocker / "out"))
    assert (outcome.code, outcome.stderr.splitlines()) == (2, [
        f"error: cannot write reports to {blocker / 'out'}: Not a directory; pass a writable "
        f"folder with --out"]), outcome.stderr
    assert _everything(tmp_path) == ["file"]


def test_matrix_into_a_read_only_folder_when_not_root(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes through read-only permissions; the file-blocker test covers it")
    folder = tmp_path / "out"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        outcome = run_cli("matrix", "--results", str(COMMITTED), "--out", str(folder))
        assert outcome.code == 2 and outcome.stderr.splitlines() == [
            f"error: cannot write reports to {folder}: Permission denied; pass a writable "
            f"folder with --out"], outcome.stderr
    finally:
        folder.chmod(0o700)


def test_run_checks_its_report_names_before_running(tmp_path: Path) -> None:
    (tmp_path / "streaming-support.html").mkdir()
    outcome = run_cli("run", "-p", "openai", "-m", "tools", "-s", "sync", "--out", str(tmp_path))
    assert (outcome.code, outcome.stderr.splitlines()) == (2, [
        f"error: cannot write reports to {tmp_path}: streaming-support.html is a directory; "
        f"remove it or pass another folder with --out"]), outcome.stderr
    assert _everything(tmp_path) == ["streaming-support.html"]  # no results.json: nothing ran


def test_a_failing_report_write_leaves_the_old_reports_whole(tmp_path: Path) -> None:
    # Past the command's checks (the folder changed under it): the set is all or none.
    for name in FILES:
        (tmp_path / name).write_text(f"old {name}")
    (tmp_path / FILES[2]).unlink()
    (tmp_path / FILES[2]).mkdir()
    with pytest.raises(HarnessError) as caught:
        write_all_reports(synthetic_results(), tmp_path)
    assert str(caught.value) == (
        f"cannot write reports to {tmp_path}: {FILES[2]}: Is a directory; no report was "
        f"written; pass a writable folder with --out")
    assert _everything(tmp_path) == sorted(FILES)
    assert [(tmp_path / n).read_text() for n in FILES if n != FILES[2]] == [
        f"old {n}" for n in FILES if n != FILES[2]]


def test_a_rename_failing_half_way_restores_what_it_replaced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = tmp_path / "a.md"
    old.write_text("old a")
    files = {old: "new a", tmp_path / "b.md": "new b", tmp_path / "c.md": "new c"}
    real_replace, calls = os.replace, []

    def replace(src: str, dst: str | Path) -> None:
        calls.append(dst)
        if len(calls) == 3:
            raise PermissionError(13, "Permission denied")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(PermissionError) as caught:
        atomic.write_all_atomic(files)
    assert caught.value.filename == str(tmp_path / "c.md")
    assert _everything(tmp_path) == ["a.md"] and old.read_text() == "old a"


def test_write_all_atomic_writes_every_file(tmp_path: Path) -> None:
    files = {tmp_path / "a.md": "A", tmp_path / "sub" / "b.bin": b"\x00B"}
    (tmp_path / "a.md").write_text("old")
    atomic.write_all_atomic(files)
    assert (tmp_path / "a.md").read_text() == "A"
    assert (tmp_path / "sub" / "b.bin").read_bytes() == b"\x00B"
    assert _everything(tmp_path) == ["a.md", "sub", "sub/b.bin"]  # no temp file, no backup


GOOD_ROW = {"scenario": "sync", "mode": "json_schema", "runs": 3, "median_latency_s": 0.6,
            "median_first_partial_s": None, "median_stream_chunks": 0,
            "stream_tokens_per_s": None, "errors": []}


@pytest.mark.parametrize("content", [
    '{"scenarios": []}', "[]", "null", '"text"', '{"scenarios": "sync"}', '{"scenarios": [1]}',
    '{"scenarios": [{"scenario": "sync"}]}',
    json.dumps({"scenarios": [{**GOOD_ROW, "errors": "ValidationError"}]}),
    json.dumps({"scenarios": [{**GOOD_ROW, "errors": [1]}]}),
    json.dumps({"scenarios": [{**GOOD_ROW, "median_latency_s": "slow"}]}),
    json.dumps({"scenarios": [{**GOOD_ROW, "stream_tokens_per_s": [1]}]}),
    json.dumps({"scenarios": [{**GOOD_ROW, "mode": None}]}),
    '{"scenarios": [', "\xff",
], ids=["empty-list", "list", "null", "string", "scenarios-string", "row-number",
        "row-incomplete", "errors-string", "errors-numbers", "latency-string", "rate-list",
        "mode-null", "truncated", "not-utf8"])
def test_a_malformed_timing_file_leaves_the_section_out(tmp_path: Path, content: str) -> None:
    (tmp_path / TIMING_FILE).write_bytes(content.encode("latin-1"))
    written = write_all_reports(synthetic_results(), tmp_path)
    assert [p.name for p in written] == list(FILES)
    assert "Live streaming timing" not in (tmp_path / FILES[0]).read_text()


def test_a_well_formed_timing_file_still_gives_its_section(tmp_path: Path) -> None:
    bench = {"provider": 5, "measured_at": "2026-01-01", "scenarios": [
        GOOD_ROW, {**GOOD_ROW, "scenario": "partial_async", "median_first_partial_s": 0.09,
                   "stream_tokens_per_s": 46.6, "errors": ["ValidationError"]}]}
    (tmp_path / TIMING_FILE).write_text(json.dumps(bench))
    write_all_reports(synthetic_results(), tmp_path)
    text = (tmp_path / FILES[0]).read_text()
    assert "## Live streaming timing (?, measured 2026-01-01 by" in text
    assert "Medians of 3 runs." in text
    assert "| partial_async | json_schema |" in text and "46.6" in text
