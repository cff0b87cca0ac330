"""Harness errors: each names the problem and the fix."""

from __future__ import annotations

from collections.abc import Iterable


class HarnessError(Exception):
    """An error of the harness itself or of its input (exit code 2 on the CLI)."""


class UnknownNameError(HarnessError):
    """A provider, mode or scenario name that is not registered."""

    def __init__(self, kind: str, name: str, valid: Iterable[str]) -> None:
        self.kind, self.name, self.valid = kind, name, sorted(valid)
        super().__init__(
            f"unknown {kind} {name!r}; valid {kind}s: {', '.join(self.valid)}"
        )


class CassetteMissingError(HarnessError):
    """No cassette was recorded for a cell."""


class CassetteCorruptError(HarnessError):
    """A cassette exists but cannot be read."""


class ResultsFileError(HarnessError):
    """A results file is unreadable or of another schema version."""


class MissingCredentialsError(HarnessError):
    """A live target lacks the environment variables it needs."""

    def __init__(self, provider: str, variables: Iterable[str]) -> None:
        self.provider, self.variables = provider, list(variables)
        super().__init__(
            f"provider {provider!r} needs credentials: set {', '.join(self.variables)}"
        )


class NoEmulatorError(HarnessError):
    """A live-only provider in a run against the emulators: the cell is skipped."""
