"""Errors shown to API users: plain messages, never a stack trace."""

from __future__ import annotations


class UserInputError(ValueError):
    """An argument is not acceptable; the message says which and why."""
