"""Run a page's blocks in page order, in one shared namespace, against the emulators."""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from harness.docscheck.blocks import Block, extract_blocks
from harness.docscheck.classify import bound_names, fragment_reason, input_reason, skip_reason
from harness.docscheck.execute import PageProcess, compile_block, run_block
from harness.docscheck.outcome import FAILS, RUNS, SKIPPED, BlockResult
from harness.docscheck.sandbox import sandbox
from harness.failures import chain
from harness.recording.netguard import NetworkBlockedError

DEFAULT_TIMEOUT = 60.0


def _result(block: Block, status: str, **values: object) -> BlockResult:
    return BlockResult(number=block.number, line=block.line, lang=block.lang,
                       heading=block.heading, first_line=block.first_line, status=status,
                       **values)  # type: ignore[arg-type]


def missing_name_note(name: str, earlier: Sequence[BlockResult]) -> tuple[str, int | None]:
    """Why `name` was undefined, and the earlier block that was to bind it but did not run."""
    for result in reversed(earlier):
        if name not in result.binds:
            continue
        if result.status == RUNS:
            return "", None
        what = (f"failed ({result.error.headline})" if result.status == FAILS and result.error
                else f"was skipped ({result.reason})")
        return (f"{name!r} was to be defined by block {result.number} (line {result.line}), "
                f"which {what}"), result.number
    return f"no earlier block defines {name!r}", None


def _failure_note(exc: BaseException | None,
                  earlier: Sequence[BlockResult]) -> tuple[str, int | None]:
    if exc is None:
        return "", None
    refused = [item for item in chain(exc) if isinstance(item, NetworkBlockedError)]
    if refused:
        return str(refused[0]), None
    name = getattr(exc, "name", None)
    if isinstance(exc, NameError) and isinstance(name, str):
        return missing_name_note(name, earlier)
    return "", None


def check_block(block: Block, process: PageProcess, earlier: Sequence[BlockResult],
                timeout: float) -> BlockResult:
    """What `block` comes to, run after `earlier` in `process`."""
    reason = skip_reason(block)
    if reason:
        return _result(block, SKIPPED, reason=reason)
    try:
        code = compile_block(block, f"<{Path(str(process.namespace['__file__'])).name} "
                                    f"block {block.number}>")
        tree = ast.parse(block.code)
    except SyntaxError as exc:
        return _result(block, SKIPPED, reason=fragment_reason(block, exc))
    except ValueError as exc:  # e.g. a NUL character
        return _result(block, SKIPPED, reason=f"does not compile: {exc}")
    binds = bound_names(tree)
    reason = input_reason(block, tree, exists=lambda p: Path(p).exists(), env=os.environ)
    if reason:
        return _result(block, SKIPPED, reason=reason, binds=binds)
    ran = run_block(code, block, process, timeout)
    note, follows = _failure_note(ran.exception, earlier)
    return _result(block, FAILS if ran.error else RUNS, error=ran.error, output=ran.output,
                   seconds=ran.seconds, note=note, follows_from=follows, binds=binds)


def check_page(page: Path, text: str, timeout: float = DEFAULT_TIMEOUT,
               on_block: Callable[[BlockResult], None] | None = None) -> list[BlockResult]:
    """Every block of markdown `text` (the page at `page`), run in page order."""
    results: list[BlockResult] = []
    blocks = extract_blocks(text)
    if not blocks:
        return results
    with sandbox(page.resolve()):
        process = PageProcess(str(page.resolve()))
        try:
            for block in blocks:
                result = check_block(block, process, results, timeout)
                results.append(result)
                if on_block is not None:
                    on_block(result)
        finally:
            process.close()
    return results
