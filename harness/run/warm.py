"""Imported once by a parallel run's forkserver: what each worker would load on its first calls.

litellm and instructor defer much of their loading to the first call that needs it, and a
worker forked from the forkserver would pay for it again, each one: measured on the first
cell of each provider in a fresh worker (CPU), the anthropic SDK that instructor imports on a
first streamed call (about 2.5 s), tiktoken's encodings for litellm's usage counting (0.75 s),
the OpenAI SDK's resources behind litellm's Azure client (0.95 s), boto3 for Bedrock (0.3 s),
google-auth's service-account flow for Vertex (0.4 s). Loading them here, before any worker
exists, makes each worker start warm. Nothing here starts a thread or opens a connection;
a name a release no longer has is skipped: this only saves time, it decides nothing.
"""

from __future__ import annotations

import contextlib
import importlib

MODULES = ("harness.run.worker", "anthropic", "openai.resources", "boto3",
           "google.oauth2.service_account", "httpcore", "anyio",
           "litellm.litellm_core_utils.default_encoding")
ENCODINGS = ("cl100k_base", "o200k_base")


def warm() -> None:
    """Import MODULES and load ENCODINGS (after litellm pointed tiktoken at its own copies)."""
    for name in MODULES:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    with contextlib.suppress(Exception):
        import tiktoken

        for encoding in ENCODINGS:
            tiktoken.get_encoding(encoding)


warm()
