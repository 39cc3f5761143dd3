"""`serve` sets TCP_NODELAY on accepted connections (uvicorn's workers lose it otherwise)."""

from __future__ import annotations

import asyncio
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


class _Recording:
    """A transport that records what reaches it."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.closed = False
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.sent.append(data)

    def is_closing(self) -> bool:
        return self.closed or self.aborted

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return "peer" if name == "peername" else default


def test_writes_of_one_step_leave_together() -> None:
    from ogp_graph.nodelay import _OneSendPerStep

    async def scenario() -> list[list[bytes]]:
        real = _Recording()
        transport = _OneSendPerStep(real)  # type: ignore[arg-type]
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        transport.writelines([b"{", bytearray(b"}")])
        seen = [list(real.sent)]
        await asyncio.sleep(0)  # the step ends
        seen.append(list(real.sent))
        transport.write(b"more")
        transport.close()  # what is pending goes first
        seen.append([*real.sent, b"closed" if real.closed else b"open"])
        assert transport.get_extra_info("peername") == "peer"  # the rest is the real one's
        return seen

    before, after, closing = asyncio.run(scenario())
    assert before == []
    assert after == [b"HTTP/1.1 200 OK\r\n\r\n{}"]
    assert closing == [after[0], b"more", b"closed"]


def test_an_aborted_or_lost_connection_sends_nothing_more() -> None:
    from ogp_graph.nodelay import _OneSendPerStep

    async def scenario() -> _Recording:
        real = _Recording()
        transport = _OneSendPerStep(real)  # type: ignore[arg-type]
        transport.write(b"never")
        transport.abort()
        lost = _Recording()
        late = _OneSendPerStep(lost)  # type: ignore[arg-type]
        late.write(b"late")
        lost.closed = True  # the connection went away before the step ended
        await asyncio.sleep(0)
        assert lost.sent == []
        return real

    real = asyncio.run(scenario())
    assert real.sent == [] and real.aborted


def test_a_served_connection_answers_request_after_request() -> None:
    import threading
    import time

    import httpx
    import uvicorn

    from ogp_graph.nodelay import NoDelayHttpToolsProtocol

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = (scope["path"] * 2000).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body[:10], "more_body": True})
        await send({"type": "http.response.body", "body": body[10:]})

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, http=NoDelayHttpToolsProtocol, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            for path in ("/a", "/bb", "/ccc"):  # one kept-alive connection
                answer = client.get(path)
                assert answer.status_code == 200
                assert answer.text == path * 2000
    finally:
        server.should_exit = True
        thread.join(20)
