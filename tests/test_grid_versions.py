"""The grid's version handling: parsing, refusals, nearest releases, PyPI's list and its cache."""

from __future__ import annotations

import json
import urllib.error
from pathlib import Path

import pytest

from harness.grid import pypi
from harness.grid.versions import (
    GridInputError,
    Pair,
    Releases,
    between,
    make_pairs,
    nearest,
    parse_versions,
    resolve,
)
from tests.grid_fakes import LITELLM, fake_pypi, pypi_json

RELEASES = Releases("litellm", tuple(LITELLM), {"1.83.14": "broken wheel"})


def test_parse_splits_commas_and_repeats_and_drops_duplicates() -> None:
    assert parse_versions("litellm", ["1.83.0, 1.96.2", "1.110.2,1.83.0", "1.96.2.0"]) == [
        "1.83.0", "1.96.2", "1.110.2"]


@pytest.mark.parametrize("values,needle", [
    (["1.83.x"], "--litellm '1.83.x' is not a version; pass released versions separated by "
                 "commas, e.g. --litellm 1.83.0"),
    ([" , "], "--litellm is empty; pass one or more released versions"),
])
def test_parse_rejects_what_is_not_a_version(values: list[str], needle: str) -> None:
    with pytest.raises(GridInputError, match="^" + needle.replace(".", r"\.")):
        parse_versions("litellm", values)


@pytest.mark.parametrize("text", ["1.82.7", "1.82.8", "1.82.7.0", "1.83.0,1.82.8"])
def test_the_compromised_litellm_releases_are_refused_by_name(text: str) -> None:
    with pytest.raises(GridInputError) as info:
        parse_versions("litellm", [text])
    message = str(info.value)
    assert "\n" not in message
    assert "is refused: yanked after a supply-chain compromise" in message
    assert "never installed, even with --force; use 1.82.6 or 1.83.0" in message


def test_nearest_names_the_release_below_and_above() -> None:
    available = RELEASES.available()
    assert "1.83.14" not in available and "1.110.0rc1" not in available  # yanked, pre-release
    assert nearest("1.83.15", available) == ["1.83.5", "1.84.0"]
    assert nearest("1.79", available) == ["1.80.0"]
    assert nearest("9.0", available) == ["1.110.2"]


def test_resolve_spells_versions_as_the_index_does() -> None:
    assert resolve(["1.83", "1.110.2"], RELEASES) == ["1.83.0", "1.110.2"]


def test_an_unknown_version_names_the_nearest_released_ones() -> None:
    with pytest.raises(GridInputError) as info:
        resolve(["1.83.0", "1.97.0"], RELEASES)
    assert str(info.value) == ("unknown litellm version 1.97.0; nearest released: 1.96.2, "
                               "1.110.2 (all: https://pypi.org/project/litellm/#history)")


def test_a_yanked_version_is_an_error_with_its_reason() -> None:
    with pytest.raises(GridInputError, match=r"^litellm 1\.83\.14 was yanked from PyPI "
                                             r"\(broken wheel\); nearest released: 1\.83\.5, "
                                             r"1\.84\.0$"):
        resolve(["1.83.14"], RELEASES)


def test_pairs_in_release_order_and_between() -> None:
    pairs = make_pairs(["1.17.0", "1.16.0"], ["1.110.2", "1.96.2"])
    assert [p.id for p in pairs] == [
        "instructor-1.16.0_litellm-1.96.2", "instructor-1.16.0_litellm-1.110.2",
        "instructor-1.17.0_litellm-1.96.2", "instructor-1.17.0_litellm-1.110.2"]
    assert Pair("1.17.0", "1.96.2").label == "instructor 1.17.0 × litellm 1.96.2"
    assert between("1.83.0", "1.96.2", RELEASES.available()) == 2  # 1.83.5, 1.84.0


def test_pypi_list_is_parsed_and_cached_briefly(tmp_path: Path) -> None:
    calls: list[str] = []

    def fetch(url: str) -> bytes:
        calls.append(url)
        return fake_pypi(url)

    first = pypi.releases("litellm", tmp_path, fetch, now=lambda: 1000.0)
    assert calls == ["https://pypi.org/pypi/litellm/json"]
    assert "0.0.1" not in first.versions  # a release without files cannot be installed
    assert first.yanked == {"1.83.14": "broken wheel"}
    again = pypi.releases("litellm", tmp_path, fetch, now=lambda: 1000.0 + 60)
    assert len(calls) == 1 and again.versions == first.versions
    pypi.releases("litellm", tmp_path, fetch, now=lambda: 1000.0 + pypi.FRESH_SECONDS + 1)
    assert len(calls) == 2


def _offline(url: str) -> bytes:
    raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")


def test_offline_without_a_cached_list_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(GridInputError) as info:
        pypi.releases("instructor", tmp_path, _offline)
    assert str(info.value) == ("cannot reach PyPI to check the instructor versions ([Errno -3] "
                               "Temporary failure in name resolution); the grid installs from "
                               "PyPI, so connect to the network and retry")


def test_offline_with_a_stale_list_uses_it_and_says_so(tmp_path: Path) -> None:
    pypi.releases("instructor", tmp_path, lambda url: pypi_json(["1.17.0"]), now=lambda: 0.0)
    stale = pypi.releases("instructor", tmp_path, _offline, now=lambda: 1e9)
    assert stale.versions == ("1.17.0",)
    assert stale.note.startswith("PyPI unreachable ([Errno -3] Temporary failure in name "
                                 "resolution): checked instructor versions against the list "
                                 "cached at ")
    assert json.loads((tmp_path / "pypi" / "instructor.json").read_text())["versions"] == [
        "1.17.0"]
