"""Start and stop the embedded ArcadeDB store, reachable over Bolt on loopback.

The store runs inside this process (a JVM through ``arcadedb-embedded``). Its
files, its generated password and a marker saying where it listens live in the
data folder, so that another process (``ogp-graph load`` while ``serve``
runs) connects to the running store instead of opening its files twice.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import time
from pathlib import Path
from typing import Any

from graph.errors import StoreUnavailable
from graph.store import BoltEndpoint

log = logging.getLogger("ogp_graph.embedded")

DATABASE = "ogp"
USER = "root"
MARKER = "embedded-store.json"
PASSWORD_FILE = "credentials"
BOLT_PLUGIN = "Bolt:com.arcadedb.bolt.BoltProtocolPlugin"
HOST = "127.0.0.1"

_JUL_CONFIG = """\
handlers = java.util.logging.FileHandler
.level = INFO
java.util.logging.FileHandler.pattern = {log_dir}/arcadedb.%g.log
java.util.logging.FileHandler.limit = 10000000
java.util.logging.FileHandler.count = 3
java.util.logging.FileHandler.formatter = java.util.logging.SimpleFormatter
java.util.logging.SimpleFormatter.format = %1$tF %1$tT %4$s %3$s %5$s%6$s%n
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1.0):
            return True
    except OSError:
        return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _password(data_dir: Path) -> str:
    """The store's root password: generated once per data folder, kept there."""
    path = data_dir / PASSWORD_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = secrets.token_urlsafe(24)
    path.touch(mode=0o600)
    path.write_text(value, encoding="utf-8")
    return value


def running_store(data_dir: Path) -> BoltEndpoint | None:
    """The endpoint of an embedded store another process runs on ``data_dir``."""
    marker = data_dir / MARKER
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
        pid, port = int(info["pid"]), int(info["port"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if pid == os.getpid() or not _pid_alive(pid) or not _port_open(port):
        return None
    return BoltEndpoint(f"bolt://{HOST}:{port}", USER, _password(data_dir), DATABASE)


class EmbeddedStore:
    """One embedded ArcadeDB server with the Bolt plug-in, data under ``data_dir``."""

    def __init__(self, data_dir: Path, heap: str = "1g") -> None:
        self.data_dir = data_dir.resolve()
        self.heap = heap
        self._server: object | None = None
        self.endpoint: BoltEndpoint | None = None

    def start(self) -> BoltEndpoint:
        """Start the server (and the JVM, once per process); return its endpoint."""
        if self.endpoint is not None:
            return self.endpoint
        other = running_store(self.data_dir)
        if other is not None:
            raise StoreUnavailable(
                f"another ogp-graph process already runs the embedded store on "
                f"{self.data_dir} ({other.uri}); stop it or connect to it"
            )
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(f"cannot create the data folder {self.data_dir}: {exc}") from exc
        started = time.perf_counter()
        server = self._create_server()
        try:
            server.start()
            if not server._java_server.existsDatabase(DATABASE):
                server.create_database(DATABASE)
        except Exception as exc:
            server.stop()
            raise StoreUnavailable(f"the embedded store did not start: {exc}") from exc
        self._server = server
        port = int(server._config["bolt_port"])
        (self.data_dir / MARKER).write_text(
            json.dumps({"pid": os.getpid(), "port": port}), encoding="utf-8"
        )
        self.endpoint = BoltEndpoint(
            f"bolt://{HOST}:{port}", USER, _password(self.data_dir), DATABASE
        )
        log.info(
            "embedded store started in %.1f s on %s, data in %s",
            time.perf_counter() - started,
            self.endpoint.uri,
            self.data_dir,
        )
        return self.endpoint

    def _create_server(self) -> Any:
        # Logs of the JVM go to the data folder, not to the working directory.
        log_dir = self.data_dir / "log"
        log_dir.mkdir(exist_ok=True)
        jul = self.data_dir / "java-logging.properties"
        jul.write_text(_JUL_CONFIG.format(log_dir=log_dir.as_posix()), encoding="utf-8")
        os.environ.setdefault("ARCADEDB_JVM_ERROR_FILE", str(log_dir / "hs_err_pid%p.log"))
        import arcadedb_embedded
        from arcadedb_embedded.jvm import start_jvm

        start_jvm(
            heap_size=self.heap,
            jvm_args=[f"-Djava.util.logging.config.file={jul}"],
            interrupt=False,
        )
        return arcadedb_embedded.create_server(
            str(self.data_dir / "arcadedb"),
            root_password=_password(self.data_dir),
            config={
                "server_plugins": BOLT_PLUGIN,
                "bolt_port": _free_port(),
                "bolt_host": HOST,
                "host": HOST,
                "http_port": _free_port(),
            },
        )

    def stop(self) -> None:
        """Stop the server; the data stays in the folder for the next start."""
        if self._server is None:
            return
        try:
            self._server.stop()  # type: ignore[attr-defined]
        finally:
            self._server = None
            self.endpoint = None
            marker = self.data_dir / MARKER
            try:
                info = json.loads(marker.read_text(encoding="utf-8"))
                if int(info.get("pid", -1)) == os.getpid():
                    marker.unlink()
            except (OSError, ValueError):
                pass
            log.info("embedded store stopped")
