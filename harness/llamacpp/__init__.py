"""The local llama.cpp provider: set up SmolLM2 + llama-server in a cache and run the server."""

from __future__ import annotations

from harness.llamacpp.command import MODEL_ALIAS
from harness.llamacpp.paths import CacheDirError, CachePaths, cache_dir, cache_paths
from harness.llamacpp.server import (
    LlamaServer,
    RunningServer,
    ServerAlreadyRunningError,
    ServerNotInstalledError,
    ServerStartError,
    running_server,
    start_server,
    stop_server,
)
from harness.llamacpp.setup import InstalledAssets, ensure_all, ensure_model, ensure_server
from harness.llamacpp.wheels import SetupError

__all__ = [
    "MODEL_ALIAS",
    "CacheDirError",
    "CachePaths",
    "InstalledAssets",
    "LlamaServer",
    "RunningServer",
    "ServerAlreadyRunningError",
    "ServerNotInstalledError",
    "ServerStartError",
    "SetupError",
    "cache_dir",
    "cache_paths",
    "ensure_all",
    "ensure_model",
    "ensure_server",
    "running_server",
    "start_server",
    "stop_server",
]
