"""Errors raised while reading and validating source files.

Every problem names the file, where in it (an entry path or a line number) and
what is wrong, so that a person can fix the file without reading a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceProblem:
    """One thing wrong with one source file."""

    file: str
    location: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.location}" if self.location else self.file
        return f"{where}: {self.message}"


class SourceError(Exception):
    """A source file cannot be loaded; carries every problem found in it."""

    def __init__(self, problems: list[SourceProblem]) -> None:
        if not problems:
            raise ValueError("SourceError needs at least one problem")
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def single(cls, file: str, location: str, message: str) -> SourceError:
        """Build an error that holds one problem."""
        return cls([SourceProblem(file, location, message)])
