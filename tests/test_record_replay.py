"""Record against the emulator, replay offline: identical results, clear errors, no network."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cells import Cell
from harness.run.runner import Runner, RunSettings

_VOLATILE = ("duration_s", "finished_at", "recorded_at")


def _stable(result) -> dict:
    data = result.to_dict()
    for key in _VOLATILE:
        data.pop(key)
    data["metrics"] = {k: v for k, v in data["metrics"].items() if not k.endswith("_s")}
    return data


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cassettes")
    runner = Runner(RunSettings(target="emulator", cassette_dir=folder))
    for cell in (Cell("openai", "tools", "partial_async"), Cell("mistral", "json", "sync"),
                 Cell("azure", "md_json", "iterable_async")):
        assert runner.run_cell(cell).outcome == "pass"
    runner.close()
    return folder


def test_replay_twice_gives_identical_results(recorded: Path) -> None:
    cells = [Cell("openai", "tools", "partial_async"), Cell("mistral", "json", "sync"),
             Cell("azure", "md_json", "iterable_async")]
    runs = []
    for _ in range(2):
        runner = Runner(RunSettings(target="replay", cassette_dir=recorded))
        runs.append([_stable(runner.run_cell(c)) for c in cells])
        runner.close()
    assert runs[0] == runs[1]
    partial = runs[0][0]
    assert partial["outcome"] == "pass" and partial["target"] == "replay"
    assert partial["metrics"]["http_streams"] == 1
    assert partial["metrics"]["partials"] >= 3 and partial["metrics"]["incremental"] is True
    assert partial["sent"][0]["tools"] == ["PartialUserProfile"]
    assert runs[0][2]["metrics"]["items"] == 3


def test_cassette_carries_provenance_and_no_credentials(recorded: Path) -> None:
    text = (recorded / "openai" / "tools" / "partial_async.yaml").read_text()
    assert "harness_cassette_version: 1" in text
    for needle in ("target: emulator", "provider: openai", "mode: tools",
                   "scenario: partial_async", "instructor:", "litellm:", "recorded_at:"):
        assert needle in text
    assert "emulator-key" not in text and "127.0.0.1" not in text
    assert "authorization" not in text.lower()


def test_missing_cassette_names_the_record_command(tmp_path: Path) -> None:
    from pydantic import BaseModel

    from harness.scenarios import SCENARIOS, scenario

    class Pen(BaseModel):
        colour: str

    # A scenario of the project's own: no cassette of it ships with the package.
    own = scenario("own_pen", model=Pen, prompt="Extract: a red pen", expected={"colour": "red"})
    try:
        runner = Runner(RunSettings(target="replay", cassette_dir=tmp_path))
        result = runner.run_cell(Cell("openai", "json", "own_pen"))
        runner.close()
    finally:
        SCENARIOS.forget(own)
    assert (result.outcome, result.layer, result.exception_type) == (
        "error", "harness", "CassetteMissingError")
    assert "run 'conformance record --provider openai --mode json --scenario own_pen'" in \
        result.message


def test_the_guide_pack_replays_from_the_cassettes_it_ships(tmp_path: Path) -> None:
    runner = Runner(RunSettings(target="replay", cassette_dir=tmp_path / "empty"))
    result = runner.run_cell(Cell("openai", "json", "nested"))
    runner.close()
    assert result.outcome == "pass", result.message
    assert result.cassette == "harness/packs/guide/cassettes/openai/json/nested.yaml"


@pytest.mark.parametrize("content,expected", [
    ("interactions: [\n  - {", "corrupt cassette"),
    ("harness_cassette_version: 7\ninteractions: []\n", "format version 7"),
])
def test_corrupt_cassette_is_a_harness_error_for_that_cell(tmp_path: Path, content: str,
                                                           expected: str) -> None:
    path = tmp_path / "openai" / "json" / "sync.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(content)
    runner = Runner(RunSettings(target="replay", cassette_dir=tmp_path))
    result = runner.run_cell(Cell("openai", "json", "sync"))
    runner.close()
    assert (result.outcome, result.layer) == ("error", "harness")
    assert expected in result.message


def test_binary_garbage_cassette(tmp_path: Path) -> None:
    path = tmp_path / "openai" / "json" / "sync.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xff\xfe\x00garbage")
    runner = Runner(RunSettings(target="replay", cassette_dir=tmp_path))
    result = runner.run_cell(Cell("openai", "json", "sync"))
    runner.close()
    assert (result.outcome, result.layer) == ("error", "harness")
    assert "not UTF-8" in result.message


def _misplaced(recorded: Path, tmp_path: Path, relabel: bool) -> Path:
    """mistral/json/sync's cassette put in mistral/tools/sync's place (provenance relabelled)."""
    text = (recorded / "mistral" / "json" / "sync.yaml").read_text()
    if relabel:
        text = text.replace("\n  mode: json\n", "\n  mode: tools\n", 1)
    target = tmp_path / "mistral" / "tools" / "sync.yaml"
    target.parent.mkdir(parents=True)
    target.write_text(text)
    return tmp_path


def test_a_cassette_of_another_cell_is_refused(recorded: Path, tmp_path: Path) -> None:
    runner = Runner(RunSettings(target="replay", cassette_dir=_misplaced(recorded, tmp_path,
                                                                          relabel=False)))
    result = runner.run_cell(Cell("mistral", "tools", "sync"))
    runner.close()
    assert (result.outcome, result.layer, result.exception_type) == (
        "error", "harness", "CassetteCorruptError")
    assert result.message.endswith("sync.yaml was recorded for mistral/json/sync, not "
                                   "mistral/tools/sync: re-record it with 'conformance record "
                                   "--provider mistral --mode tools --scenario sync'")


def test_a_request_the_cassette_lacks_is_refused_not_sent(recorded: Path, tmp_path: Path) -> None:
    # Strict replay: the replayed request differs from the recording and must not leak.
    runner = Runner(RunSettings(target="replay", strict_replay=True,
                                cassette_dir=_misplaced(recorded, tmp_path, relabel=True)))
    result = runner.run_cell(Cell("mistral", "tools", "sync"))
    runner.close()
    assert (result.outcome, result.layer, result.exception_type) == (
        "error", "harness", "RequestDrift")
    assert result.drift is not None
    # (litellm >= 1.96 also sends mistral's tool_choice: one more added key.)
    assert {"tools added", "response_format removed"} <= set(result.drift["changes"])
    assert "litellm no longer sends response_format" in result.drift["explanation"]
    assert result.metrics["http_requests"] == 0  # nothing left the process
