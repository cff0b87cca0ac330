"""grid.json, grid.md and grid.html from a made-up grid; Ctrl-C keeps the finished pairs."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.grid.data import grid_data, write_grid
from harness.grid.html import anchor
from harness.grid.pairs import NOT_RUN, OK, PairOutcome, run_all
from harness.grid.procs import Children, Interrupted
from harness.grid.versions import Pair
from harness.matrix.rows import parse_table
from harness.results import SYMBOL
from tests.test_grid_model import AVAILABLE, I16, I17, L83, L96, L110, grid

META = {"started_at": "2026-01-02T00:00:00+00:00", "finished_at": "2026-01-02T00:05:00+00:00",
        "harness": "0.1.0", "sources": "0123456789abcdef", "python": "cpython-3.11.7-linux",
        "cassettes": "/repo/cassettes", "force": True, "interrupted": False}


def outcomes() -> list[PairOutcome]:
    """The model test's grid, plus a pair that is not installable and one that was forced."""
    out = []
    for pair, results in sorted(grid().items(), key=lambda kv: kv[0].sort_key()):
        out.append(PairOutcome(pair, OK, env_cached=pair.litellm == L83, build_s=12.3,
                               run_s=30.0, exit_code=0, results=results))
    out[-1].forced, out[-1].conflict = True, "Because litellm==1.110.2 depends on x==1 …"
    out[-1].unmet = ("aiohttp>=3.14.3 (installed: 3.13.5)",)
    failing = next(o for o in out if o.pair == Pair(I17, L96))
    failing.results.cells["azure-json-async"].exception_type = "APIError"  # type: ignore[union-attr]
    failing.results.cells["azure-json-async"].message = "boom | <script>alert(1)</script>"  # type: ignore[union-attr]
    out.append(PairOutcome(Pair(I17, "1.83.5"), "not installable",
                           "Because litellm==1.83.5 depends on aiohttp==3.13.5 and "
                           "instructor==1.17.0 depends on aiohttp>=3.14.3, we can conclude "
                           "that instructor==1.17.0 and litellm==1.83.5 are incompatible."))
    return out


def data() -> dict:
    return grid_data(outcomes(), dict(META), AVAILABLE)


def test_the_json_holds_pairs_cells_changes_and_support() -> None:
    d = data()
    assert [p["id"] for p in d["pairs"]][-1] == "instructor-1.17.0_litellm-1.83.5"
    bad = d["pairs"][-1]
    assert (bad["status"], bad["results"], bad["counts"]) == ("not installable", None, {})
    forced = next(p for p in d["pairs"] if p["forced"])
    assert forced["id"] == Pair(I17, L110).id and forced["unmet"] == [
        "aiohttp>=3.14.3 (installed: 3.13.5)"]
    assert forced["results"] == f"pairs/{forced['id']}/results.json"
    cells = {c["id"]: c for c in d["cells"]}
    azure = cells["azure-json-async"]
    assert azure["differs"] and azure["by_pair"][Pair(I17, L96).id]["verdict"] == "fail (litellm)"
    assert azure["by_pair"]["instructor-1.17.0_litellm-1.83.5"] is None
    assert [(c["library"], c["after_version"], c["before_version"], c["other"], c["untested"])
            for c in azure["broke"]] == [("instructor", I17, I16, L96, 0),
                                         ("litellm", L96, L83, I17, 1)]
    assert [(c["library"], c["after_version"]) for c in azure["fixed"]] == [("litellm", L110)]
    assert not cells["openai-tools-sync"]["differs"] and cells["openai-tools-sync"]["broke"] == []
    assert len(d["changes"]) == 16
    assert [r["display"] for r in d["support"]] == ["OpenAI", "Azure", "Google", "Cohere",
                                                    "AWS", "Mistral"]
    json.dumps(d)  # JSON-ready


def test_the_markdown(tmp_path: Path) -> None:
    write_grid(data(), tmp_path)
    md = (tmp_path / "grid.md").read_text()
    tables = [parse_table([line for line in part.splitlines() if line.startswith("|")])
              for part in md.split("\n## ")]
    assert ["`azure-json-async`", "instructor 1.17.0 (after 1.16.0, with litellm 1.96.2; "
            "consecutive releases): fail (litellm); litellm 1.96.2 (after 1.83.0, with "
            "instructor 1.17.0; 1 release between untested): fail (litellm)",
            "litellm 1.110.2 (after 1.96.2, with instructor 1.17.0; consecutive releases): "
            "pass", ""] in tables[2]
    assert ["`bedrock-json-sync`", "litellm 1.110.2 (after 1.96.2, with instructor 1.16.0; "
            "consecutive releases): error (litellm)", "", "litellm 1.96.2 (after 1.83.0, with "
            "instructor 1.16.0; 1 release between untested): toolConfig removed (re-answered)"
            ] in tables[2]
    assert ("- `cohere-json-sync`: changed, error (litellm) → error (harness) in litellm 1.96.2 "
            "(after 1.83.0, with instructor 1.16.0; 1 release between untested)") in md
    assert tables[1][-1][:3] == ["1.17.0", "1.83.5", "not installable"]
    assert tables[1][2][-1] == ("2 cells ended in a harness error (no recorded request matched, "
                                "or no cassette); 1 cell sent a request that drifted from the "
                                "recording")
    assert "FORCED despite conflicting requirements (Because litellm==1.110.2" in md
    assert "unmet: aiohttp>=3.14.3 (installed: 3.13.5)" in md
    assert "1.17.0 / 1.83.5" not in md.split("## Streaming support")[1]  # no column, no run
    assert ["`azure-json-async` (differs)", "pass", "pass", "pass", "pass", "fail (litellm)",
            "pass"] in tables[5]
    # mistral's tools raw stream is a harness error on newer litellm: starred, fewer cells
    assert ["Mistral", "Full Streaming", "✅ Full", "✅ Full\\*", "✅ Full\\*", "✅ Full",
            "✅ Full\\*", "✅ Full\\*"] in tables[4]
    assert "\\* computed from fewer cells: some of the column's cells measured nothing" in md
    assert ["`bedrock-json-sync` (differs)", "pass", "pass [drift: toolConfig removed "
            "(re-answered)]", "error (litellm) [drift: toolConfig removed (re-answered)]",
            "pass", "pass [drift: toolConfig removed (re-answered)]", "error (litellm) [drift: "
            "toolConfig removed (re-answered)]"] in tables[5]
    assert json.loads((tmp_path / "grid.json").read_text())["grid_version"] == 1


def test_the_html_is_self_contained_escaped_and_without_emoji(tmp_path: Path) -> None:
    write_grid(data(), tmp_path)
    page = (tmp_path / "grid.html").read_text()
    assert "<script>alert(1)</script>" not in page
    assert "boom | &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "http://" not in page and "https://" not in page and "src=" not in page
    assert not any(symbol.split()[0] in page for symbol in SYMBOL.values())
    assert f'<tr id="{anchor("azure-json-async")}" class="differs">' in page
    assert '<td class="bad">not installable</td>' in page
    assert '<td class="forced">ok (forced)</td>' in page
    assert ('<td class="full starred" title="every supported mode streams the payload (json); '
            'computed from fewer cells, 1 not measured: mistral-tools-raw_stream">Full*</td>'
            ) in page
    assert ('<p class="drift">request drifted: toolConfig removed (re-answered) (litellm no '
            'longer sends json mode as a forced tool)</p>') in page
    assert '<td class="v pass drifted"><details><summary>pass (drifted)</summary>' in page


def test_a_grid_where_no_pair_ran(tmp_path: Path) -> None:
    write_grid(grid_data(outcomes()[-1:], dict(META)), tmp_path)
    assert "No pair ran: nothing to compare." in (tmp_path / "grid.md").read_text()
    assert "No pair ran" in (tmp_path / "grid.html").read_text()


def _ctrl_c_to_the_process() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def _ctrl_c_to_this_pool_thread() -> None:
    # The kernel may hand a process's SIGINT to any thread not blocking it (it does so when
    # the main thread has another signal pending); Python raises it in the main thread only.
    signal.pthread_kill(threading.get_ident(), signal.SIGINT)


@pytest.mark.usefixtures("ctrl_c_raises")
@pytest.mark.parametrize("ctrl_c", [_ctrl_c_to_the_process, _ctrl_c_to_this_pool_thread])
def test_ctrl_c_keeps_the_finished_pairs(ctrl_c: Callable[[], None]) -> None:
    pairs = [Pair(I16, L83), Pair(I16, L96), Pair(I16, L110)]
    children = Children()
    seen: list[str] = []

    def job(pair: Pair) -> PairOutcome:
        if pair == pairs[1]:
            ctrl_c()  # the user's Ctrl-C, while this pair runs
            # The running pairs are told to stop at once, not when one of them ends.
            assert children.stopping.wait(5)
            raise Interrupted
        return PairOutcome(pair, OK)

    found, interrupted = run_all(pairs, job, 1, children, lambda o: seen.append(o.pair.id))
    assert interrupted and seen == [pairs[0].id]
    assert [(o.pair, o.status) for o in found] == [(pairs[0], OK), (pairs[1], "interrupted"),
                                                   (pairs[2], NOT_RUN)]
    assert found[2].reason == "not started: interrupted (Ctrl-C)"


def test_one_failing_pair_does_not_stop_the_others() -> None:
    pairs = [Pair(I16, L83), Pair(I16, L96)]

    def job(pair: Pair) -> PairOutcome:
        if pair == pairs[0]:
            raise RuntimeError("disk full")
        return PairOutcome(pair, OK)

    found, interrupted = run_all(pairs, job, 2, Children(), lambda o: None)
    assert not interrupted
    assert [(o.status, o.reason) for o in found] == [("run failed", "RuntimeError: disk full"),
                                                     (OK, "")]
