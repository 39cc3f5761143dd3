"""`serve` sets TCP_NODELAY on accepted connections (uvicorn's workers lose it otherwise)."""

from __future__ import annotations

import socket
from typing import Any

from ogp_graph.nodelay import _no_delay


class _Transport:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.sock if name == "socket" else default


def test_accepted_socket_gets_no_delay() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        client = socket.create_connection(server.getsockname())
        accepted, _ = server.accept()
        with client, accepted:
            accepted.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
            _no_delay(_Transport(accepted))  # type: ignore[arg-type]
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1


def test_unix_socket_is_left_alone() -> None:
    left, right = socket.socketpair()
    with left, right:
        _no_delay(_Transport(left))  # type: ignore[arg-type]


def test_serve_speaks_httptools_with_no_delay() -> None:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    from ogp_graph.nodelay import NoDelayHttpToolsProtocol

    assert issubclass(NoDelayHttpToolsProtocol, HttpToolsProtocol)
