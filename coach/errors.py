"""The one error hierarchy: every failure a user can fix is a CoachError.

The CLI prints each problem on one line (``file:line:col: message``) and exits 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, located where we know where."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        return f"{where}{self.message}"


class CoachError(Exception):
    """A failure the user can act on. Carries one or more located problems."""

    def __init__(
        self,
        message: str | None = None,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        if problems is None:
            problems = [
                Problem(message or "error", str(file) if file is not None else None, line, column)
            ]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class ScriptError(CoachError):
    """A call script (or an objection library it includes) is wrong."""


class RubricError(CoachError):
    """A rubric is wrong."""


class TranscriptError(CoachError):
    """A transcript cannot be read."""


class AudioError(CoachError):
    """A recording cannot be read or transcribed."""


class LLMError(CoachError):
    """The language model is missing, unreachable, or answered nonsense."""


class ConfigError(CoachError):
    """The user's configuration is wrong."""
