"""Atomic writes land where a plain write would, with the permissions a plain write would give."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.recording.atomic import write_atomic
from harness.reports.markdown import END, START
from tests.helpers import run_cli
from tests.test_matrix_reports import synthetic_results


@pytest.fixture()
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_write_to_a_symlink_goes_through_it(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "page.md"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "page.md"
    link.symlink_to(Path("elsewhere") / "page.md")
    write_atomic(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(Path("elsewhere") / "page.md")
    assert target.read_text() == "new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["page.md"]  # no temp left


def test_docs_on_a_symlinked_page_keeps_the_link(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    synthetic_results().write(results)
    target = tmp_path / "docs" / "guide.md"
    target.parent.mkdir()
    target.write_text(f"# Guide\n\n{START}\nold\n{END}\n")
    link = tmp_path / "guide.md"
    link.symlink_to(target)
    outcome = run_cli("docs", str(link), "--results", str(results))
    assert outcome.code == 0, outcome.stderr
    assert link.is_symlink() and link.resolve() == target
    assert "| Provider" in target.read_text() and "\nold\n" not in target.read_text()


@pytest.mark.parametrize("mask,expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)],
                         ids=["umask-022", "umask-077", "umask-002"])
def test_a_new_file_gets_the_umask_mode(tmp_path: Path, umask: None, mask: int,
                                        expected: int) -> None:
    os.umask(mask)
    path = tmp_path / "new.json"
    write_atomic(path, "{}")
    plain = tmp_path / "plain.json"
    plain.write_text("{}")
    assert _mode(path) == expected == _mode(plain)


@pytest.mark.parametrize("mode", [0o640, 0o600, 0o755, 0o444], ids=oct)
def test_a_replaced_file_keeps_its_mode(tmp_path: Path, umask: None, mode: int) -> None:
    path = tmp_path / "kept.md"
    path.write_text("old")
    path.chmod(mode)
    write_atomic(path, "new")
    assert path.read_text() == "new" and _mode(path) == mode


def test_the_target_of_a_symlink_keeps_its_mode(tmp_path: Path, umask: None) -> None:
    target = tmp_path / "target.md"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "link.md"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert _mode(target) == 0o640 and link.is_symlink()
