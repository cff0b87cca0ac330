"""How providers cut streamed text into deltas."""

from __future__ import annotations

import re

# Approximates a BPE tokenizer on JSON: runs of punctuation ('{"', '":"', '","', '"}'),
# words with their leading space, up to 3 digits, whitespace. Real OpenAI argument deltas
# look like '{"', 'city', '":"', 'San', ' Francisco', '"}'.
_TOKEN = re.compile(r'[{}\[\]":,]+|\s?[A-Za-z]+|\d{1,3}|\s+|.', re.S)
_MAX_WORD = 8


def token_fragments(text: str) -> list[str]:
    """Cut `text` into token-sized fragments, as OpenAI streams arguments and content."""
    out: list[str] = []
    for match in _TOKEN.finditer(text):
        piece = match.group(0)
        # Long words are several tokens.
        while len(piece) > _MAX_WORD + 1:
            out.append(piece[:_MAX_WORD])
            piece = piece[_MAX_WORD:]
        out.append(piece)
    return out


def word_fragments(text: str, tokens_per_chunk: int = 2) -> list[str]:
    """Cut `text` into one or two tokens per delta, as Mistral streams content ('The',
    ' sky appears')."""
    tokens = token_fragments(text)
    return ["".join(tokens[i:i + tokens_per_chunk])
            for i in range(0, len(tokens), tokens_per_chunk)]


def byte_fragments(text: str, sizes: tuple[int, ...] = (5, 12, 9, 12, 3, 11)) -> list[str]:
    """Cut `text` at arbitrary positions, not at token boundaries (Anthropic's input_json_delta)."""
    out, i, k = [], 0, 0
    while i < len(text):
        size = sizes[k % len(sizes)]
        out.append(text[i:i + size])
        i, k = i + size, k + 1
    return out
