"""Every wire family the harness knows, and their union for a caller that does not know the wire.

The emulators' families are found, not listed: each module here that states a `WIRE` counts, so
a new emulator extends the union by existing. Beside them sit the wires met in recorded or live
traffic that no emulator speaks; fault evidence and the reported model are read from their
answers too. Their request keys are left out: the replay matcher only meets emulated requests.
"""

from __future__ import annotations

import importlib
import pkgutil

from harness import emulators
from harness.wire import WireFamily

# Cohere's v1 chat (samples in cohere/ from langchain-cohere): `event_type` events flagged
# `is_finished`, the last one being stream-end; no answer names its model.
COHERE_V1 = WireFamily(
    "cohere-v1", success_keys=frozenset({"text", "event_type", "generations"}),
    terminal_events=frozenset({"stream-end"}), finish_keys=("is_finished",))
# Model-native bodies a live run may meet (no samples): Hugging Face TGI `generated_text`;
# Bedrock InvokeModel's Mistral `outputs`, Claude text `completion`, Cohere `generations`;
# watsonx's `model_id`.
MODEL_NATIVE = WireFamily(
    "model-native",
    success_keys=frozenset({"generated_text", "outputs", "completion", "generations"}),
    model_keys=("model_id",))
UNEMULATED = (COHERE_V1, MODEL_NATIVE)


def _emulated() -> tuple[WireFamily, ...]:
    found = []
    for info in pkgutil.iter_modules(emulators.__path__):
        if info.name == __name__.rpartition(".")[2]:
            continue
        wire = getattr(importlib.import_module(f"{emulators.__name__}.{info.name}"), "WIRE", None)
        if isinstance(wire, WireFamily):
            found.append(wire)
    return tuple(found)


EMULATED: tuple[WireFamily, ...] = _emulated()
ANY_WIRE = WireFamily.union("any", EMULATED + UNEMULATED)
