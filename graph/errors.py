"""Errors of the store, in words a user can act on."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every error the store layer raises."""


class StoreUnavailable(StoreError):
    """The graph store cannot be reached (down, wrong address, wrong credentials)."""


class StatementTimeout(StoreError):
    """A statement ran longer than the configured statement timeout (``seconds``)."""

    def __init__(self, message: str, seconds: float) -> None:
        super().__init__(message)
        self.seconds = seconds


class StoreRejected(StoreError):
    """The store refused a statement (a constraint, a malformed value)."""


class StatementTooLarge(StoreRejected):
    """A statement too large for one Bolt message: refused before anything is sent."""

    def __init__(self, message: str, size: int, limit: int) -> None:
        super().__init__(message)
        self.size = size
        self.limit = limit


class StoreBusy(StoreError):
    """Another load holds the store's load lock."""


class DumpError(StoreError):
    """A dump file that cannot be written or read back (where and what)."""
