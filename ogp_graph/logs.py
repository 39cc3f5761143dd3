"""How the command logs: readable lines for people, or one JSON object per line for collectors.

The same configuration is handed to uvicorn (``log_config``), so that its
workers, started as separate processes, log the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

#: attributes every LogRecord has; anything else was added by a filter or ``extra=``
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, and extra fields.

    ``request_id`` (set by the app's logging filter) and any other attribute added
    to the record with ``extra=`` become fields of their own.
    """

    def format(self, record: logging.LogRecord) -> str:
        item: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                item[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            item["exception"] = self.formatException(record.exc_info)
        return json.dumps(item, ensure_ascii=False)


def log_config(log_format: str, level: int) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for this process, uvicorn and its workers."""
    if log_format == "json":
        formatter: dict[str, Any] = {"()": "ogp_graph.logs.JsonFormatter"}
        handler: dict[str, Any] = {
            "class": "logging.StreamHandler",
            "formatter": "main",
            "stream": "ext://sys.stderr",
        }
    elif sys.stderr.isatty():
        formatter = {"format": "%(message)s"}
        handler = {
            "class": "rich.logging.RichHandler",
            "formatter": "main",
            "show_path": False,
            "rich_tracebacks": False,
        }
    else:  # plain lines for files, pipes and CI logs
        formatter = {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
        handler = {
            "class": "logging.StreamHandler",
            "formatter": "main",
            "stream": "ext://sys.stderr",
        }
    quiet = {"level": "WARNING"}
    # the driver logs every lost connection with its internals; the store layer
    # reports the same failures in words
    driver = {"level": "WARNING" if level <= logging.DEBUG else "CRITICAL"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "root": {"level": logging.getLevelName(level), "handlers": ["main"]},
        "loggers": {
            "neo4j": driver,
            "httpx": quiet,
            "httpcore": quiet,
            # uvicorn's loggers keep their own levels and reach the root handler
            "uvicorn": {"level": "INFO", "handlers": [], "propagate": True},
            "uvicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "uvicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
        },
    }
