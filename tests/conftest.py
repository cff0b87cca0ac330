"""Session checks for the harness's own tests."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator

import pytest

# Before any test module imports litellm (directly, not through harness): offline means offline.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS", "True")

import tests.fuzz.profiles  # noqa: F401  (registers the fuzz profiles before hypothesis reads them)
from tests.wire_samples import SHARED_DIR

# instructor imports anthropic lazily, inside a call's usage accounting, when it is installed
# (the sdk extra installs it): seconds of imports inside the first call of each process, which
# a test bounding that call's wall-clock time (test_faults) would count as the provider's.
with contextlib.suppress(ImportError):
    import anthropic  # noqa: F401

# Runs pytest inside tests: the pytest plugin's tests (tests/test_pytest_plugin.py).
pytest_plugins = ["pytester"]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under CI, a missing ../shared ends the run at once, in one line: nothing skips silently."""
    if os.environ.get("CI") and not SHARED_DIR.is_dir():
        pytest.exit(f"CI is set but {SHARED_DIR} is missing: the fidelity, guide and fault tests "
                    f"need ../shared beside the clone", returncode=1)


@pytest.fixture
def ctrl_c_raises() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt, as in an interactive terminal. A shell starts a
    background job (`cmd &`) with SIGINT ignored, and Python then leaves it ignored: a test
    that sends a Ctrl-C would otherwise depend on how its run was started."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
