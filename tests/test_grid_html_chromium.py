"""grid.html rendered by real headless Chromium: the coloured grid, its script, its evidence."""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harness.grid.data import write_grid
from harness.grid.html import anchor
from tests.test_grid_reports import data
from tests.test_html_chromium import CHROMIUM, _dump_dom

pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(not Path(CHROMIUM).is_file(),
                       reason="headless Chromium missing: apt-get update && apt-get install -y "
                              "chromium"),
]


class _Grid(HTMLParser):
    """The cells table as rendered: per row, each verdict cell's class, summary, open, panel."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[dict[str, str | bool]]] = {}
        self.row_class: dict[str, str] = {}
        self.count = ""
        self._row: str | None = None
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "span" and a.get("id") == "count":
            self._in = "count"
        elif tag == "tr" and (a.get("id") or "").startswith("cell-"):
            self._row = a["id"] or ""
            self.rows[self._row], self.row_class[self._row] = [], a.get("class") or ""
        elif self._row and tag == "td" and "v" in (a.get("class") or "").split():
            self.rows[self._row].append({"class": a.get("class") or "", "text": "",
                                         "open": False, "panel": ""})
        elif self._row and tag == "details":
            self.rows[self._row][-1]["open"] = "open" in a
        elif self._row and tag == "div" and a.get("class") == "panel":
            self._in = "panel"
        elif self._row and tag == "summary":
            self._in = "text"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("span", "summary", "div"):
            self._in = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, text: str) -> None:
        if self._in == "count":
            self.count += text
        elif self._row and self.rows[self._row] and self._in in ("text", "panel"):
            self.rows[self._row][-1][self._in] += text  # type: ignore[operator]
        elif self._row and self.rows[self._row] and self._in is None:
            cell = self.rows[self._row][-1]
            if not cell["panel"] and not cell["text"]:
                cell["text"] = text.strip()


def _dump(uri: str, profile: Path) -> str:
    """The DOM after the page's script ran (a URL may carry a #fragment, unlike _dump_dom's)."""
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
         "--dump-dom", uri],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Uncaught" not in proc.stderr, proc.stderr[-2000:]
    return proc.stdout


def test_chromium_renders_the_grid_and_opens_the_linked_evidence(tmp_path: Path) -> None:
    write_grid(data(), tmp_path / "out")
    target = anchor("azure-json-async")
    dom = _dump(f"{(tmp_path / 'out' / 'grid.html').as_uri()}#{target}", tmp_path / "profile")
    grid = _Grid()
    grid.feed(dom)
    assert grid.count == "6 of 8 cells differ between pairs"  # the page's script ran
    assert '<body class="only">' in dom  # only the differing cells shown at first
    azure = grid.rows[target]
    assert [c["class"] for c in azure] == ["v pass"] * 4 + ["v fail", "v pass"]
    assert [c["text"] for c in azure] == ["pass"] * 4 + ["fail (litellm)", "pass"]
    assert azure[4]["open"]  # the link to #cell-azure-json-async opened its evidence
    assert "APIError: boom | <script>alert(1)</script>" in str(azure[4]["panel"])  # as text
    assert "instructor 1.17.0 × litellm 1.96.2" in str(azure[4]["panel"])
    assert "cassettes/azure/json/async.yaml" in str(azure[4]["panel"])
    closed = grid.rows[anchor("cohere-json-sync")]
    assert [c["open"] for c in closed] == [False] * 6
    assert grid.row_class[anchor("openai-tools-sync")] == "same"


def test_chromium_runs_the_page_without_a_fragment(tmp_path: Path) -> None:
    write_grid(data(), tmp_path / "out")
    dom = _dump_dom(tmp_path / "out" / "grid.html", tmp_path / "profile")
    assert "6 of 8 cells differ between pairs" in dom
    assert " open" not in dom.split('id="cells"')[1].split("</table>")[0]
