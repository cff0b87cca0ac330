"""How a provider issues a credential, as a small declarative format that makes a fresh one.

Provider entries state their variables' formats (Provider.key_formats); planted-secret tests
make realistic random keys from them, so a leak cannot hide behind a value someone allow-listed
and a scrubber is tested against the shapes real keys have.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

ALNUM = string.ascii_letters + string.digits
BASE64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"
BASE32_UPPER = string.ascii_uppercase + "234567"  # AWS access key ids after their prefix


@dataclass(frozen=True)
class Run:
    """`length` random characters from `alphabet`."""

    alphabet: str
    length: int

    def make(self) -> str:
        """A fresh random run."""
        return "".join(secrets.choice(self.alphabet) for _ in range(self.length))


@dataclass(frozen=True)
class KeyFormat:
    """A credential as literal parts and random runs, e.g. "sk-ant-api03-", Run(URLSAFE, 93)."""

    parts: tuple[str | Run, ...]

    def make(self) -> str:
        """A fresh credential in this format."""
        return "".join(part if isinstance(part, str) else part.make() for part in self.parts)


def key(*parts: str | Run) -> KeyFormat:
    """KeyFormat(parts): key("AIza", Run(URLSAFE, 35))."""
    return KeyFormat(tuple(parts))
