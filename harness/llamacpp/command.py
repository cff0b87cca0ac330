"""The llama-server command line: which flags the harness starts it with, and why."""

from __future__ import annotations

import os
from collections.abc import Sequence

from harness.llamacpp.paths import CachePaths

HOST = "127.0.0.1"
MODEL_ALIAS = "smollm2-135m-instruct"


def default_threads() -> int:
    """Half the cores: ggml's worker threads spin-wait, so they collapse under oversubscription."""
    # Measured on the 2-core VM with other jobs running: --threads 1 gave ~15 tok/s where
    # --threads 2 gave ~3; the harness and its test workers need the other core.
    return max(1, (os.cpu_count() or 2) // 2)


def server_argv(paths: CachePaths, port: int, ctx_size: int, threads: int, n_predict: int,
                parallel: int, extra_args: Sequence[str] = ()) -> list[str]:
    """The llama-server command line."""
    return [
        str(paths.server_binary), "-m", str(paths.model),
        "--host", HOST, "--port", str(port),
        "--alias", MODEL_ALIAS,
        # The GGUF's own Jinja chat template; needed for tool calls. This build defaults to it,
        # but older ones did not, and the harness should not depend on that default.
        "--jinja",
        "-c", str(ctx_size),
        "--threads", str(threads),
        # Bounds runaway generations (a 135M model can loop) when a request sets no max_tokens.
        "-n", str(n_predict),
        # One slot: requests queue instead of sharing a batch, which keeps outputs repeatable.
        "--parallel", str(parallel),
        "--seed", "42",  # default sampling seed when a request gives none
        "--no-webui",
        # Loopback-only, no API key: don't also let any web page's JavaScript call it.
        "--cors-origins", "localhost",
        "--log-colors", "off",  # the log is a file; ANSI codes would only obscure error tails
    ] + list(extra_args)
