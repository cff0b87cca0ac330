"""Run one compiled block in the page's namespace: output captured, time bounded, and the
exception it ended with described (its type, message, the block line, where it was raised)."""

from __future__ import annotations

import ast
import asyncio
import builtins
import contextlib
import inspect
import io
import linecache
import signal
import site
import sys
import sysconfig
import threading
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import CodeType, TracebackType

from harness.docscheck.blocks import Block
from harness.docscheck.outcome import PAGE, Raised
from harness.failures import root_cause

OUTPUT_LIMIT = 4000
MESSAGE_LIMIT = 2000


class BlockTimeout(BaseException):
    """The block ran past its wall-clock limit (a BaseException: `except Exception` in the
    block's own code does not swallow it)."""


def can_bound_time() -> bool:
    """Whether blocks get a hard wall-clock limit here (a timer signal, in the main thread)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise BlockTimeout inside the block after `seconds` (where signals allow it)."""
    if not can_bound_time() or seconds <= 0:
        yield
        return

    def _expired(signum: int, frame: types.FrameType | None) -> None:
        raise BlockTimeout(f"the block ran past its {seconds:g} s limit")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Ran:
    """How a block's run ended."""

    error: Raised | None
    output: str
    seconds: float
    exception: BaseException | None = None


class PageProcess:
    """The page's `__main__` module (one namespace for every block) and its event loop."""

    def __init__(self, page_file: str) -> None:
        self.module = types.ModuleType("__main__")
        self.module.__dict__.update({"__file__": page_file, "__builtins__": builtins})
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def namespace(self) -> dict[str, object]:
        """The shared namespace."""
        return self.module.__dict__

    def loop(self) -> asyncio.AbstractEventLoop:
        """The page's event loop, where every top-level `await` runs (as in a notebook)."""
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop

    def close(self) -> None:
        """Cancel what the blocks left running and close the loop."""
        if self._loop is None:
            return
        pending = [t for t in asyncio.all_tasks(self._loop) if not t.done()]
        for task in pending:
            task.cancel()
        with contextlib.suppress(BaseException), time_limit(5):
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.close()


def compile_block(block: Block, filename: str) -> CodeType:
    """The block's code object (top-level `await` allowed); SyntaxError for a fragment."""
    linecache.cache[filename] = (len(block.code), None, block.code.splitlines(True), filename)
    return compile(block.code, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
                   dont_inherit=True)


def _execute(code: CodeType, process: PageProcess) -> None:
    if code.co_flags & inspect.CO_COROUTINE:  # top-level await: a coroutine to drive
        loop = process.loop()
        task = loop.create_task(eval(code, process.namespace))
        try:
            loop.run_until_complete(task)
        except BlockTimeout:
            task.cancel()
            with contextlib.suppress(BaseException), time_limit(5):
                loop.run_until_complete(task)
            raise
        return
    exec(code, process.namespace)


def run_block(code: CodeType, block: Block, process: PageProcess, timeout: float) -> Ran:
    """Run `code` (block `block`) as the page's `__main__`; how it ended."""
    buffer = io.StringIO()
    main = sys.modules.get("__main__")
    started = time.perf_counter()
    exception: BaseException | None = None
    try:
        sys.modules["__main__"] = process.module
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer), \
                time_limit(timeout):
            _execute(code, process)
    except SystemExit as exc:  # sys.exit(0) ends a script that ran
        exception = exc if exc.code not in (None, 0) else None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        exception = exc
    finally:
        if main is not None:
            sys.modules["__main__"] = main
        else:
            sys.modules.pop("__main__", None)
    seconds = time.perf_counter() - started
    output = buffer.getvalue()
    if len(output) > OUTPUT_LIMIT:
        output = output[:OUTPUT_LIMIT] + f"\n… ({len(output) - OUTPUT_LIMIT} more characters)"
    error = describe(exception, block, code.co_filename) if exception else None
    return Ran(error=error, output=output, seconds=seconds, exception=exception)


def _frames(tb: TracebackType | None) -> list[TracebackType]:
    out = []
    while tb is not None:
        out.append(tb)
        tb = tb.tb_next
    return out


def _package(frame: types.FrameType, filename: str) -> str:
    if frame.f_code.co_filename == filename:
        return PAGE
    module = str(frame.f_globals.get("__name__") or "")
    return module.split(".")[0] or frame.f_code.co_filename


def _library_folders() -> list[str]:
    folders = {*site.getsitepackages(), site.getusersitepackages(),
               sysconfig.get_paths()["stdlib"]}
    return sorted((f for f in folders if f), key=len, reverse=True)


def portable(text: str) -> str:
    """`text` with this machine's library folders cut: `site-packages/instructor/…`."""
    for folder in _library_folders():
        text = text.replace(folder.rstrip("/") + "/", f"{Path(folder).name}/")
    return text


def describe(exc: BaseException, block: Block, filename: str) -> Raised:
    """The exception as the report shows it: where in the block, where in the stack."""
    frames = _frames(exc.__traceback__)
    if isinstance(exc, BlockTimeout):  # the innermost frame is the timer's handler
        frames = frames[:-1]
    mine = [tb for tb in frames if tb.tb_frame.f_code.co_filename == filename]
    block_line = mine[-1].tb_lineno if mine else None
    raised_in = _package(frames[-1].tb_frame, filename) if frames else PAGE
    cause = root_cause(exc)
    because = portable(f"{type(cause).__name__}: {cause}")[:MESSAGE_LIMIT]
    message = portable(str(exc)) if not isinstance(exc, SystemExit) else f"exit code {exc.code}"
    if len(message) > MESSAGE_LIMIT:
        message = message[:MESSAGE_LIMIT] + " …"
    return Raised(
        type="Timeout" if isinstance(exc, BlockTimeout) else type(exc).__name__,
        module=type(exc).__module__, message=message,
        line=block.page_line(block_line) if block_line else None,
        source=block.source_line(block_line) if block_line else "",
        raised_in=raised_in,
        cause=because if cause is not exc else "")
