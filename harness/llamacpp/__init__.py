"""The local llama.cpp provider: set up SmolLM2 + llama-server in a cache and run the server."""

from __future__ import annotations

from .command import MODEL_ALIAS
from .paths import CacheDirError, CachePaths, cache_dir, cache_paths
from .server import (
    LlamaServer,
    RunningServer,
    ServerAlreadyRunningError,
    ServerNotInstalledError,
    ServerStartError,
    running_server,
    start_server,
    stop_server,
)
from .setup import InstalledAssets, ensure_all, ensure_model, ensure_server
from .wheels import SetupError

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
