"""Cross-provider conformance harness for structured LLM outputs."""

import os

# litellm fetches its model cost map from the internet at import unless told not to;
# the harness must work offline, so this is set before anything imports litellm.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
# Likewise its Anthropic beta-header table, fetched on the first Anthropic call.
os.environ.setdefault("LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS", "True")

__version__ = "0.1.0"
