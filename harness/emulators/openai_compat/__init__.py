"""OpenAI-compatible providers whose chunks differ too much for a flavour's flags.

One module per provider (groq, openrouter, deepseek, xai, together), each building its stream
and its non-streamed answer the way ../shared/wire-samples/<provider> shows them, and stating
its `FLAVOUR` for openai_chat.make_app, which keeps what the family shares: request reading,
the answer (openai_chat.answer), auth, routes and error bodies. `turn` holds what they share.
"""
