"""Shards: --shard i/n splits a selection by cell id, deterministically, disjoint and covering."""

from __future__ import annotations

import random

import pytest

from harness.baseline import selected
from harness.cells import Cell, in_shard, parse_shard, select_cells, shard_cells
from harness.errors import HarnessError
from harness.results import CellResult
from tests.helpers import run_cli

CELLS = select_cells()


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7])
def test_the_shards_of_the_real_matrix_are_disjoint_and_cover_it(count: int) -> None:
    shards = [shard_cells(CELLS, (i, count)) for i in range(1, count + 1)]
    ids = [c.cell_id for shard in shards for c in shard]
    assert sorted(ids) == sorted(c.cell_id for c in CELLS)  # covering, each cell once
    assert len(ids) == len(set(ids))  # disjoint
    if count > 1:
        assert all(shard for shard in shards)  # none left empty on the real matrix


def test_a_shard_is_the_same_whatever_order_the_cells_come_in() -> None:
    shuffled = list(CELLS)
    random.Random(7).shuffle(shuffled)
    for i in (1, 2, 3):
        assert {c.cell_id for c in shard_cells(shuffled, (i, 3))} == \
            {c.cell_id for c in shard_cells(CELLS, (i, 3))}


def test_a_shard_keeps_the_selection_order() -> None:
    shard = shard_cells(CELLS, (2, 3))
    positions = [CELLS.index(c) for c in shard]
    assert positions == sorted(positions)


def test_membership_depends_on_the_cell_id_alone() -> None:
    # A cell added to the matrix moves no other cell to another shard.
    grown = [*CELLS, Cell("openai", "tools", "a_new_scenario")]
    for i in (1, 2, 3, 4):
        before = {c.cell_id for c in shard_cells(CELLS, (i, 4))}
        after = {c.cell_id for c in shard_cells(grown, (i, 4)) if c.scenario != "a_new_scenario"}
        assert before == after
    assert sum(in_shard("openai-tools-a_new_scenario", (i, 4)) for i in (1, 2, 3, 4)) == 1


def test_no_shard_is_the_whole_selection() -> None:
    assert shard_cells(CELLS, None) == CELLS
    assert shard_cells(CELLS, (1, 1)) == CELLS


@pytest.mark.parametrize("text", ["0/2", "3/2", "a/b", "1", "1/0", "-1/2", "1/2/3", "", "/2"])
def test_a_bad_shard_is_one_line_naming_the_option(text: str) -> None:
    with pytest.raises(HarnessError, match=r"--shard .* is not a shard; write i/n"):
        parse_shard(text)


def test_parse_shard_reads_i_of_n() -> None:
    assert parse_shard("2/4") == (2, 4)
    assert parse_shard(" 1/1 ") == (1, 1)


@pytest.mark.parametrize("command", ["run", "record"])
def test_the_commands_refuse_a_bad_shard_with_exit_2(command: str) -> None:
    outcome = run_cli(command, "--shard", "5/4")
    assert outcome.code == 2
    assert "--shard '5/4' is not a shard" in outcome.stderr
    assert len(outcome.stderr.strip().splitlines()) == 1


def test_a_shard_filter_selects_only_its_cells_for_a_gate() -> None:
    # A shard run compared with --expect or --baseline answers for its own cells only.
    cell = CellResult("openai", "tools", "sync", "pass")
    owner = next(i for i in (1, 2, 3) if in_shard(cell.cell_id, (i, 3)))
    assert selected(cell, {"shard": [f"{owner}/3"]})
    assert not selected(cell, {"shard": [f"{owner % 3 + 1}/3"]})
    assert not selected(cell, {"shard": [f"{owner}/3"], "provider": ["anthropic"]})


def test_the_readme_workflow_shards_by_its_matrix_and_merges_every_part() -> None:
    import re
    from pathlib import Path

    import yaml

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```yaml\n(# \.github/workflows/conformance-scale-out\.yml.*?)```",
                      readme, re.S)
    assert found is not None
    jobs = yaml.safe_load(found.group(1))["jobs"]
    for name in ("record", "grid"):
        shards = jobs[name]["strategy"]["matrix"]["shard"]
        runs = " ".join(step.get("run", "") for step in jobs[name]["steps"])
        assert f"--shard ${{{{ matrix.shard }}}}/{len(shards)}" in runs
        assert shards == list(range(1, len(shards) + 1))  # every shard, once
    merge = " ".join(step.get("run", "") for step in jobs["merge"]["steps"])
    assert "conformance merge reports parts/record-*/shard-reports" in merge
    assert "conformance merge grid parts/grid-*" in merge
    assert jobs["merge"]["needs"] == ["record", "grid"]


def test_the_suites_collect_only_their_shard() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]

    def collected(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "suites/", "--collect-only", "-q", "-p",
             "no:cacheprovider", *extra], cwd=repo, capture_output=True, text=True,
            timeout=300, env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"})

    def ids(found: subprocess.CompletedProcess[str]) -> list[str]:
        return sorted(line.split("[", 1)[1].rstrip("]") for line in found.stdout.splitlines()
                      if "::test_cell[" in line)

    every = ids(collected())
    shard = ids(collected("--conformance-shard", "2/3"))
    assert every and shard == [c for c in every if in_shard(c, (2, 3))]
    bad = collected("--conformance-shard", "x")
    assert bad.returncode == 4  # a usage error, before anything is collected
    assert "--conformance-shard 'x' is not a shard" in bad.stderr
