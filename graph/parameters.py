"""Statement parameters that the driver does not spell out for its debug log.

The ``neo4j`` driver (5.x) formats every ``RUN`` message's parameters with ``repr``
for a debug log line, whether that log is enabled or not. For a write's batches
(megabytes of rows) that costs about as much as packing them. :class:`Rows` is a
plain list to the driver's packer; only its ``repr`` is short.
"""

from __future__ import annotations

from typing import Any


class Rows(list[Any]):
    """A list of statement rows whose ``repr`` is its length."""

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"
