"""What a block came to: runs, fails (with the exception and where) or skipped (with why)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

RUNS, FAILS, SKIPPED = "runs", "fails", "skipped"
STATUSES = (RUNS, FAILS, SKIPPED)
PAGE = "page"  # `raised_in` of an exception raised by the block's own code


@dataclass(frozen=True)
class Raised:
    """The exception a block ended with."""

    type: str  # the class name, e.g. AttributeError
    module: str  # the class's module, e.g. builtins, litellm.exceptions
    message: str
    line: int | None  # the page line of the block's statement it came out of
    source: str  # that line of code
    raised_in: str  # PAGE, or the top-level package of the innermost frame (instructor…)
    cause: str = ""  # the root cause, `Type: message`, when another exception led to it

    @property
    def headline(self) -> str:
        """`Type: first line of the message`."""
        first = self.message.strip().splitlines()[0] if self.message.strip() else ""
        return f"{self.type}: {first}" if first else self.type


@dataclass
class BlockResult:
    """One block of the page and what it came to."""

    number: int
    line: int
    lang: str
    heading: str
    first_line: str
    status: str
    reason: str = ""  # why it was skipped
    error: Raised | None = None
    note: str = ""  # context for a failure, e.g. which earlier block should have defined a name
    follows_from: int | None = None  # the earlier block whose failure this one only follows
    output: str = ""  # what it printed (stdout and stderr), cut to a few thousand characters
    seconds: float = 0.0
    binds: frozenset[str] = field(default=frozenset(), repr=False)  # names it assigns

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (without `binds`)."""
        data = asdict(self)
        data.pop("binds")
        data["seconds"] = round(self.seconds, 2)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BlockResult:
        """Read the JSON form back."""
        values = dict(data)
        error = values.pop("error", None)
        return cls(**values, error=Raised(**error) if error else None)
