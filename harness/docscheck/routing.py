"""Every litellm model name pointed at its provider's emulator, without touching the page's code.

`litellm.completion` and `litellm.acompletion` are wrapped for the run: a call whose model
string (`gpt-4o`, `anthropic/claude-…`, `gemini/…`) belongs to a provider with an emulator
gets that emulator's root and fake credentials, exactly as `conformance record` routes a cell.
Whatever the page passes itself (its own `api_base`, `api_key`) wins; a model no emulator
serves is left alone, and the outside-network guard refuses it.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import io
from collections.abc import Iterator, Sequence
from typing import Any

from harness.emulators.server import emulator_host
from harness.providers import PROVIDERS, Provider, get_provider


def choose(model: str, litellm_name: str, providers: Sequence[Provider] = PROVIDERS,
           ) -> Provider | None:
    """The entry (with an emulator) serving `model`, which litellm sends to `litellm_name`.

    Entries are litellm routes: their model prefix starts with litellm's provider name. A
    longer prefix the model string carries is a route of its own (`openai/responses/…`);
    otherwise the plain `name/` entries compete, and the one whose default model shares the
    longest start with the model wins (`gemini-3-pro` → the Gemini 3 entry), then the
    registry's order.
    """
    routes = [p for p in providers if p.emulator is not None
              and p.model_prefix.split("/")[0] == litellm_name]
    longer = [p for p in routes if model.startswith(p.model_prefix)
              and p.model_prefix != f"{litellm_name}/"]
    if longer:
        return max(longer, key=lambda p: len(p.model_prefix))
    plain = [p for p in routes if p.model_prefix == f"{litellm_name}/"]
    bare = model.removeprefix(f"{litellm_name}/")
    best = max((_shared_start(bare, p.default_model) for p in plain), default=0)
    return next((p for p in plain if _shared_start(bare, p.default_model) == best), None)


def _shared_start(a: str, b: str) -> int:
    """How many leading characters `a` and `b` have in common."""
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                min(len(a), len(b)))


def provider_for(model: str, custom_llm_provider: str | None = None) -> Provider | None:
    """The harness provider litellm sends `model` to, or None (unknown to litellm or to us)."""
    litellm = importlib.import_module("litellm")
    try:
        # litellm prints its provider list for an unknown model: the real call prints it too.
        with contextlib.redirect_stdout(io.StringIO()):
            _, name, _, _ = litellm.get_llm_provider(model=model,
                                                     custom_llm_provider=custom_llm_provider)
    except Exception:  # litellm's own error for an unknown model: the real call raises it
        return None
    return choose(model, name)


def routed(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """`kwargs` with the emulator's routing and fake credentials under the page's own values."""
    model = kwargs.get("model", args[0] if args else None)
    if not isinstance(model, str):
        return kwargs
    provider = provider_for(model, kwargs.get("custom_llm_provider"))
    if provider is None or provider.emulator is None:
        return kwargs
    root = emulator_host().url(provider.name, provider.emulator)
    return {**provider.extra_kwargs, **provider.point_at(root),
            **provider.fake_credentials(root), **kwargs}


def emulator_root(name: str) -> str:
    """The root URL of provider `name`'s emulator, started on first use."""
    provider = get_provider(name)
    assert provider.emulator is not None, f"provider {name!r} has no emulator"
    return emulator_host().url(provider.name, provider.emulator)


@contextlib.contextmanager
def routed_to_emulators() -> Iterator[None]:
    """Inside the block, litellm.completion/acompletion reach the emulators."""
    litellm: Any = importlib.import_module("litellm")
    real_completion, real_acompletion = litellm.completion, litellm.acompletion

    @functools.wraps(real_completion)
    def completion(*args: Any, **kwargs: Any) -> Any:
        return real_completion(*args, **routed(args, kwargs))

    @functools.wraps(real_acompletion)
    async def acompletion(*args: Any, **kwargs: Any) -> Any:
        return await real_acompletion(*args, **routed(args, kwargs))

    litellm.completion, litellm.acompletion = completion, acompletion
    try:
        yield
    finally:
        litellm.completion, litellm.acompletion = real_completion, real_acompletion
