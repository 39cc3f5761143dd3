"""The id of the request being answered: taken from ``X-Request-ID`` or made, and put on logs.

The id lives in a context variable for the length of the request, so every log
record written while answering it (by the app, the store, a data loader's task)
carries it as the attribute ``request_id``; log formatters print it when present.
"""

from __future__ import annotations

import logging
import re
import secrets
from contextvars import ContextVar
from typing import Any

HEADER = "X-Request-ID"
#: the attribute log records carry the id in
ATTRIBUTE = "request_id"
MAX_LENGTH = 64

_current: ContextVar[str | None] = ContextVar("ogp_graph_request_id", default=None)
_UNSAFE = re.compile(r"[^A-Za-z0-9._:\-]")


def sanitise(given: str | None) -> str | None:
    """A client's id made safe for logs and headers (letters, digits, ``._:-``), or None."""
    if not given:
        return None
    cleaned = _UNSAFE.sub("", given)[:MAX_LENGTH]
    return cleaned or None


def new_id() -> str:
    """A fresh id for a request that brought none."""
    return secrets.token_hex(16)  # 128 random bits, as uuid4's hex, for a third of its time


def current() -> str | None:
    """The id of the request being answered in this context, if any."""
    return _current.get()


def set_current(value: str | None) -> Any:
    """Make ``value`` the current id; returns the token to :func:`reset` it with."""
    return _current.set(value)


def reset(token: Any) -> None:
    """Restore the id that was current before :func:`set_current`."""
    _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record written while a request is answered."""

    def filter(self, record: logging.LogRecord) -> bool:
        value = _current.get()
        if value is not None and not hasattr(record, ATTRIBUTE):
            setattr(record, ATTRIBUTE, value)
        return True


_installed = False


def install() -> None:
    """Give every log record the current request id, whatever handler writes it (idempotent).

    A record factory rather than a filter on some handlers, so records of every
    logger get it whichever handlers the command line configures.
    """
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()
    stamp = RequestIdFilter()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        stamp.filter(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
