"""Bad input: one clear line naming the fix, exit code 2, and no half-written file left behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.run import journal
from tests.helpers import run_cli


def _files(*folders: Path) -> list[str]:
    return sorted(str(p) for f in folders if f.exists() for p in f.rglob("*") if p.is_file())


def _one_line_error(outcome, needle: str) -> None:
    assert outcome.code == 2, outcome.stderr
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), outcome.stderr
    assert needle in lines[0]


@pytest.mark.parametrize("args,needle", [
    (("--model", ""), "--model is empty; pass a model id (e.g. --model gpt-4o-mini)"),
    (("--model", "   "), "--model is empty"),
    (("--model", "gpt 4o mini"), "--model 'gpt 4o mini' contains whitespace; pass the model id"),
    (("--model", "anthropic/claude-sonnet-4-5"),
     "has the 'anthropic/' prefix of provider 'anthropic', not 'openai/'; drop the prefix or "
     "pass --provider anthropic"),
    (("--model", "gpt-4o", "-p", "azure"), "--model needs exactly one --provider"),
    (("--record-mode", "sometimes"), "unknown record mode 'sometimes'; valid record modes: "
                                     "none, once, new_episodes, all, rewrite"),
    (("--base-url", "http://127.0.0.1:9", "-p", "azure"), "--base-url needs exactly one "
                                                          "--provider"),
])
def test_malformed_options(tmp_path: Path, args: tuple[str, ...], needle: str) -> None:
    out, cassettes = tmp_path / "out", tmp_path / "cassettes"
    outcome = run_cli("record", "--live", "-p", "openai", *args, "--out", str(out),
                      "--cassettes", str(cassettes))
    _one_line_error(outcome, needle)
    assert _files(out, cassettes) == []


@pytest.mark.parametrize("content,needle", [
    (b"harness_cassette_version: 1\ninteractions:\n- request: {method: POST, uri: 'http",
     "corrupt cassette (ScannerError); delete it and re-record"),
    (b"\xff\xfe\x00\x9cgarbage\x00", "not UTF-8 text (binary garbage?); delete it or re-record "
                                     "with --record-mode rewrite"),
    (b"harness_cassette_version: 7\nprovenance: {}\ninteractions: []\n",
     "cassette format version 7, this harness reads 1; re-record it"),
    (b"harness_cassette_version: 1\nprovenance: {}\ninteractions: [1]\n",
     "interactions[0]: int, not a mapping with 'request' and 'response'; delete it or "
     "re-record with --record-mode rewrite"),
    (b"harness_cassette_version: 1\nprovenance: {}\ninteractions:\n- request: {method: POST}\n"
     b"  response: {status: {code: 200}, headers: {}}\n",
     "interactions[0]: request has no 'uri'; delete it or re-record with --record-mode rewrite"),
])
@pytest.mark.parametrize("mode", ["once", "new_episodes"])
def test_a_corrupt_cassette_a_command_reads_is_a_one_line_error(
        tmp_path: Path, content: bytes, needle: str, mode: str) -> None:
    cassette = tmp_path / "cassettes" / "openai" / "json" / "sync.yaml"
    cassette.parent.mkdir(parents=True)
    cassette.write_bytes(content)
    out = tmp_path / "out"
    outcome = run_cli("record", "-p", "openai", "-m", "json", "-s", "sync", "-s", "async",
                      "--record-mode", mode, "--out", str(out),
                      "--cassettes", str(tmp_path / "cassettes"))
    _one_line_error(outcome, needle)
    assert str(cassette) in outcome.stderr
    assert cassette.read_bytes() == content  # untouched
    assert _files(out) == [] and _files(tmp_path / "cassettes") == [str(cassette)]


def test_resuming_a_journal_of_another_version(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    path = journal.journal_path(out)
    path.write_text(json.dumps({"journal_version": 0, "run": {}}) + "\n")
    outcome = run_cli("record", "-p", "openai", "-s", "sync", "--resume", "--out", str(out),
                      "--cassettes", str(tmp_path / "c"))
    _one_line_error(outcome, "journal format version 0, this harness reads 1; run without "
                             "--resume to start over")
    assert _files(out) == [str(path)] and _files(tmp_path / "c") == []


def test_a_results_file_from_another_version(tmp_path: Path) -> None:
    old = tmp_path / "results.json"
    old.write_text(json.dumps({"results_version": 0, "run": {}, "cells": []}))
    outcome = run_cli("matrix", "--results", str(old), "--out", str(tmp_path / "out"))
    _one_line_error(outcome, "results format version 0, this harness reads 1; regenerate it")
    assert _files(tmp_path / "out") == []


@pytest.mark.parametrize("option", ["--out", "--cassettes"])
def test_an_unwritable_folder(tmp_path: Path, option: str) -> None:
    # A folder below a regular file can be neither created nor written, even by root.
    blocker = tmp_path / "file"
    blocker.write_text("")
    folders = {"--out": tmp_path / "out", "--cassettes": tmp_path / "cassettes"}
    folders[option] = blocker / "sub"
    outcome = run_cli("record", "-p", "openai", "-s", "sync", "--out", str(folders["--out"]),
                      "--cassettes", str(folders["--cassettes"]))
    what = "reports" if option == "--out" else "cassettes"
    _one_line_error(outcome, f"cannot write {what} to {blocker / 'sub'}: Not a directory; "
                             f"pass a writable folder with {option}")
    assert _files(tmp_path) == [str(blocker)]


def test_a_read_only_cassette_folder_when_not_root(tmp_path: Path) -> None:
    import os
    if os.geteuid() == 0:
        pytest.skip("root writes through read-only permissions; the file-blocker test covers it")
    folder = tmp_path / "cassettes"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        outcome = run_cli("record", "-p", "openai", "-s", "sync", "--out", str(tmp_path / "o"),
                          "--cassettes", str(folder))
        _one_line_error(outcome, f"cannot write cassettes to {folder}: Permission denied")
    finally:
        folder.chmod(0o700)


def test_resuming_the_journal_of_another_kind_of_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    journal.start(journal.journal_path(out), {"target": "live"})
    outcome = run_cli("record", "-p", "openai", "-s", "sync", "--resume", "--out", str(out),
                      "--cassettes", str(tmp_path / "c"))
    _one_line_error(outcome, "this journal is from a run with target 'live', not 'emulator'; "
                             "resume with the same command, or run without --resume")
    assert _files(tmp_path / "c") == []


@pytest.mark.parametrize("args,needle", [
    (("run", "--nope"), "No such option: --nope"),
    (("grid", "--litellm", "1.83.0"), "Missing option '--instructor'"),
])
def test_a_usage_error_is_a_message_not_a_traceback(args: tuple[str, ...], needle: str) -> None:
    outcome = run_cli(*args)
    assert outcome.code == 2, outcome.stderr
    assert needle in outcome.stderr and "Traceback" not in outcome.stderr


@pytest.mark.parametrize("args,line", [
    (("run", "--bogus"),
     "error: No such option: --bogus (Possible options: --out, --verbose); "
     "see 'conformance run --help'"),
    (("run", "-q"), "error: No such option: -q; see 'conformance run --help'"),
    (("record", "--jobs", "0"),
     "error: Invalid value for '--jobs' / '-j': Input should be greater than or equal to 1; "
     "see 'conformance record --help'"),
    (("diff", "only-one.json"), "error: Missing argument 'new'; see 'conformance diff --help'"),
    (("record", "--timeout", "abc"),
     "error: Invalid value for '--timeout': Input should be a valid number, unable to parse "
     "string as a number; see 'conformance record --help'"),
    (("nosuch",), "error: No such command 'nosuch'; see 'conformance --help'"),
], ids=["unknown-option", "unknown-short-option", "out-of-range", "missing-argument",
        "bad-type", "unknown-command"])
def test_usage_errors_are_one_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               args: tuple[str, ...], line: str) -> None:
    monkeypatch.chdir(tmp_path)  # nothing may be written, even by a command that went ahead
    outcome = run_cli(*args)
    assert (outcome.code, outcome.stderr.splitlines()) == (2, [line]), outcome.stderr
    assert _files(tmp_path) == []


def test_the_usage_handler_knows_the_click_typer_raises() -> None:
    # Recent typer bundles its own click: the handler must hold the classes typer raises.
    import typer

    from harness.cli import _classes

    assert isinstance(typer.BadParameter("x"), _classes("ClickException"))
