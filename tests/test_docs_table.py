"""`conformance docs`: the table is rewritten in place, every other byte stays, --check gates."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from harness.matrix.rows import build_rows, guide_table
from harness.reports.docs_page import DocsTableError, rewrite
from harness.reports.markdown import END, START
from tests.test_matrix_reports import _main, synthetic_results
from tests.wire_samples import GUIDE, require_shared

HEADING = "Provider-Specific Streaming Support"
OLD_TABLE = """\
| Provider | Full Streaming | Partial Streaming | Iterable Streaming | Async Support |
|----------|---------------|-------------------|-------------------|---------------|
| OpenAI   | ✅ Full       | ✅ Full           | ✅ Full           | ✅ Full       |
| Anthropic| ✅ Full       | ✅ Full           | ✅ Full           | ✅ Full       |
| Azure    | ✅ Full       | ✅ Full           | ✅ Full           | ✅ Full       |
| Google   | ✅ Full       | ⚠️ Limited        | ✅ Full           | ✅ Full       |
| Cohere   | ❌ None       | ❌ None           | ✅ Full           | ✅ Full       |
| AWS      | ⚠️ Limited    | ⚠️ Limited        | ✅ Full           | ✅ Full       |
| Mistral  | ❌ None       | ❌ None           | ✅ Full           | ✅ Full       |
"""
# The guide's section, verbatim around the table, plus a fenced block whose '#' lines and
# pipe lines must not be taken for a heading or a table.
BEFORE = """\
```python
print(user)  # User with nested Address objects
```

```python
# Provider-Specific Streaming Support
| not | a table |
|-----|---------|
```

## Streaming Support and Limitations

LiteLLM's streaming capabilities vary by provider. Here's a comprehensive breakdown:

### Provider-Specific Streaming Support

"""
AFTER = """
### Partial Streaming Example

| Another | table |
|---------|-------|
| stays   | as is |

## Iterable Example
"""
PAGE = BEFORE + OLD_TABLE + AFTER


@pytest.fixture()
def measured() -> list[str]:
    return guide_table(build_rows(synthetic_results()))


def test_heading_mode_replaces_only_the_table(measured: list[str]) -> None:
    change = rewrite(PAGE, measured, HEADING)
    assert not change.same and change.span.found_by == "heading"
    assert change.new_text == BEFORE + "\n".join(measured) + "\n" + AFTER


def test_markers_mode_replaces_between_markers(measured: list[str]) -> None:
    page = f"# T\n\nintro\n{START}\n| Provider | x |\n|---|---|\n| Old | y |\n{END}\ntail\n"
    change = rewrite(page, measured, None)
    assert change.new_text == (f"# T\n\nintro\n{START}\n" + "\n".join(measured) + f"\n{END}\n"
                               "tail\n")
    assert change.span.found_by == "markers"


def test_crlf_and_a_missing_final_newline_are_kept(measured: list[str]) -> None:
    page = (BEFORE + OLD_TABLE).replace("\n", "\r\n").rstrip("\r\n")
    change = rewrite(page, measured, HEADING)
    assert change.new_text == BEFORE.replace("\n", "\r\n") + "\r\n".join(measured)


def test_same_content_with_other_padding_is_up_to_date(measured: list[str]) -> None:
    squeezed = ["|" + "|".join(c.strip() for c in line.strip("|").split("|")) + "|"
                for line in measured]
    page = BEFORE + "\n".join(squeezed) + "\n" + AFTER
    change = rewrite(page, measured, HEADING)
    assert change.same and change.new_text == page


@pytest.mark.parametrize("page,heading,needle", [
    (PAGE, None, "no <!-- conformance:streaming-support:start --> markers"),
    (PAGE, "No Such Heading", "no heading 'No Such Heading'"),
    ("### Provider-Specific Streaming Support\ntext\n### Next\n| a |\n|---|\n", HEADING,
     "no markdown table under the heading"),
    (f"{START}\n| a |\n", None, "found 1 start and 0 end markers"),
])
def test_no_place_for_the_table_is_an_error(page: str, heading: str | None, needle: str) -> None:
    with pytest.raises(DocsTableError, match=needle):
        rewrite(page, ["| a |", "|---|"], heading)


@pytest.fixture()
def results_file(tmp_path: Path) -> Path:
    path = tmp_path / "results.json"
    synthetic_results().write(path)
    return path


def test_check_exits_1_with_diff_and_fix_then_0_after_docs(tmp_path: Path, results_file: Path,
                                                          capsys: pytest.CaptureFixture) -> None:
    page = tmp_path / "guide.md"
    page.write_bytes(PAGE.encode())
    page.chmod(0o644)
    args = ["docs", str(page), "--results", str(results_file), "--heading", HEADING]
    assert _main(*args, "--check") == 1
    out = capsys.readouterr().out
    old_row = "| Mistral  | ❌ None       | ❌ None           | ✅ Full           | ✅ Full       |"
    new_row = "| Mistral  | ⚠️ Limited     | ⚠️ Limited        | ⚠️ Limited         | ✅ Full       |"
    assert f"-{old_row}\n" in out and f"+{new_row}\n" in out
    assert "Rows without measured cells (would be removed): Anthropic, Google, Cohere, AWS" in out
    assert (f"Fix it with: conformance docs {page} --results {results_file} --heading "
            f"'{HEADING}'") in out
    assert page.read_bytes() == PAGE.encode()  # --check changes nothing
    assert _main(*args) == 0
    assert os.stat(page).st_mode & 0o777 == 0o644
    assert page.read_text() == BEFORE + "\n".join(guide_table(build_rows(synthetic_results()))) \
        + "\n" + AFTER
    capsys.readouterr()
    assert _main(*args, "--check") == 0
    assert "is up to date" in capsys.readouterr().out


def test_docs_refuses_a_filtered_run(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    results = synthetic_results()
    results.cells = {k: v for k, v in results.cells.items() if v.scenario == "raw_stream"}
    results.write(tmp_path / "r.json")
    page = tmp_path / "guide.md"
    page.write_text(PAGE)
    assert _main("docs", str(page), "--results", str(tmp_path / "r.json"), "--heading",
                 HEADING) == 2
    assert "run'conformancerun'without--mode/--scenariofilters" in "".join(
        capsys.readouterr().err.split())
    assert page.read_text() == PAGE


def test_the_real_guide_keeps_every_other_byte(tmp_path: Path, measured: list[str]) -> None:
    copy = tmp_path / "litellm-guide.md"
    shutil.copyfile(require_shared(GUIDE, "the guide"), copy)
    original = copy.read_bytes().decode()
    new = rewrite(original, measured, HEADING).new_text
    start = original.index(OLD_TABLE)
    assert new == original[:start] + "\n".join(measured) + "\n" + original[start + len(OLD_TABLE):]


def test_a_fence_line_with_an_info_string_does_not_close_a_fence(measured: list[str]) -> None:
    page = ("```\ncode\n```python\n### Provider-Specific Streaming Support\n| a |\n|---|\n```\n"
            "### Provider-Specific Streaming Support\n\n| real |\n|---|\n")
    change = rewrite(page, measured, HEADING)
    assert change.old_table == ["| real |", "|---|"]
    assert change.new_text.startswith(page[:page.index("| real |")])
