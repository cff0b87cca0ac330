"""The chunk probe reads litellm internals: a litellm without them degrades with a note."""

from __future__ import annotations

import pytest

from harness.cells import Cell
from harness.run.runner import Runner, RunSettings
from harness.scenarios import probe


def test_a_missing_stream_wrapper_is_a_note_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(probe, "_wrapper_class",
                        lambda: "litellm has no CustomStreamWrapper where the probe looks for it")
    runner = Runner(RunSettings(target="replay"))
    try:
        result = runner.run_cell(Cell("openai", "tools", "partial_async"))
    finally:
        runner.close()
    # The cell still runs and is judged on what the user sees; only chunk counts are missing.
    assert result.outcome == "pass", result.message
    assert result.metrics["llm_chunks"] == 0
    assert ("stream chunks not counted: litellm has no CustomStreamWrapper where the probe "
            "looks for it") in result.notes


def test_the_real_wrapper_is_found_and_counted() -> None:
    assert not isinstance(probe._wrapper_class(), str)
    runner = Runner(RunSettings(target="replay"))
    try:
        result = runner.run_cell(Cell("openai", "tools", "partial_async"))
    finally:
        runner.close()
    assert result.metrics["llm_chunks"] > 5 and not any("not counted" in n for n in result.notes)
