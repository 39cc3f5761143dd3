"""Start and stop the embedded ArcadeDB store, reachable over Bolt on loopback.

The store runs inside this process (a JVM through ``arcadedb-embedded``). Its
files, its generated password and a marker saying where it listens live in the
data folder, so that another process (``ogp-graph load`` while ``serve``
runs) connects to the running store instead of opening its files twice.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import secrets
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from graph.errors import StoreUnavailable
from graph.store import BoltEndpoint

log = logging.getLogger("ogp_graph.embedded")

DATABASE = "ogp"
USER = "root"
MARKER = "embedded-store.json"
PASSWORD_FILE = "credentials"
START_LOCK = ".start.lock"
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


def _os_reason(exc: OSError) -> str:
    """``Permission denied`` rather than ``[Errno 13] Permission denied: '...'``."""
    return (exc.strerror or errno.errorcode.get(exc.errno or 0, "") or type(exc).__name__).lower()


def store_exists(data_dir: Path) -> bool:
    """True when ``data_dir`` already holds an embedded store's database."""
    return (data_dir / "arcadedb" / "databases" / DATABASE).is_dir()


def check_data_dir(data_dir: Path) -> None:
    """Fail in one line unless ``data_dir`` can be created and written."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreUnavailable(
            f"cannot create the data folder {data_dir}: {_os_reason(exc)}"
        ) from exc
    if not data_dir.is_dir():
        raise StoreUnavailable(f"the data folder {data_dir} is not a folder")
    probe = data_dir / f".write-check-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StoreUnavailable(
            f"the data folder {data_dir} is not writable: {_os_reason(exc)}"
        ) from exc


@contextlib.contextmanager
def _quiet_stderr(into: Path) -> Iterator[None]:
    """Send what is written to file descriptor 2 to ``into`` meanwhile.

    The JVM prints ``WARNING: Using incubator modules: jdk.incubator.vector``
    while it boots (ArcadeDB always adds that module); it belongs in the
    store's log, not on the user's terminal.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(into, "ab") as target:
            os.dup2(target.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def running_store(data_dir: Path, *, serving_only: bool = False) -> BoltEndpoint | None:
    """The endpoint of an embedded store another process runs on ``data_dir``.

    With ``serving_only``, only a store that ``serve`` runs (and keeps running)
    counts, not one that another ``load`` opened for itself and closes when done.
    """
    marker = data_dir / MARKER
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
        pid, port = int(info["pid"]), int(info["port"])
        serving = bool(info.get("serving", True))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if serving_only and not serving:
        return None
    if pid == os.getpid() or not _pid_alive(pid) or not _port_open(port):
        return None
    return BoltEndpoint(f"bolt://{HOST}:{port}", USER, _password(data_dir), DATABASE)


class FolderBusy(StoreUnavailable):
    """Another process holds the data folder (its store runs, or is starting)."""


class EmbeddedStore:
    """One embedded ArcadeDB server with the Bolt plug-in, data under ``data_dir``."""

    def __init__(
        self,
        data_dir: Path,
        heap: str = "1g",
        *,
        serving: bool = True,
        wait: float = 0.0,
        bolt_port: int = 0,
        statement_timeout: float | None = None,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.heap = heap
        #: recorded in the marker: a serving store stays up for other processes to use
        self.serving = serving
        #: seconds to wait for another process that holds the folder
        self.wait = wait
        self._ports: tuple[int, int] | None = (bolt_port, _free_port()) if bolt_port else None
        #: ArcadeDB stops a statement that runs longer (``arcadedb.command.timeout``),
        #: so a statement the client gave up on does not keep the store busy
        self.statement_timeout = statement_timeout
        self._server: object | None = None
        self._folder_lock: IO[str] | None = None
        self.endpoint: BoltEndpoint | None = None

    def start(self) -> BoltEndpoint:
        """Start the server (and the JVM, once per process); return its endpoint."""
        if self.endpoint is not None:
            return self.endpoint
        check_data_dir(self.data_dir)
        if self._ports is not None and _port_open(self._ports[0]):
            raise StoreUnavailable(
                f"the Bolt port {self._ports[0]} of the embedded store is already in use "
                "(OGP_GRAPH_EMBEDDED_BOLT_PORT)"
            )
        self._take_folder()
        started = time.perf_counter()
        try:
            server = self._create_server()
        except OSError as exc:
            self._release_folder()
            raise StoreUnavailable(
                f"the embedded store in {self.data_dir} did not start: {_os_reason(exc)}"
            ) from exc
        try:
            server.start()
            if not server._java_server.existsDatabase(DATABASE):
                server.create_database(DATABASE)
        except Exception as exc:
            server.stop()
            self._release_folder()
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise StoreUnavailable(
                f"the embedded store in {self.data_dir} did not start: {reason}"
            ) from exc
        self._server = server
        port = int(server._config["bolt_port"])
        self._ports = (port, int(server._config["http_port"]))
        (self.data_dir / MARKER).write_text(
            json.dumps({"pid": os.getpid(), "port": port, "serving": self.serving}),
            encoding="utf-8",
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

    def _take_folder(self) -> None:
        """Hold a lock on the folder while this process runs its store.

        A second process that finds the folder taken (starting, or running without
        a marker yet) is told so in words, instead of ArcadeDB's ``LockException``.
        """
        path = self.data_dir / START_LOCK
        handle = open(path, "a+")  # noqa: SIM115 - held open as long as the store runs
        deadline = time.monotonic() + self.wait
        told = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if time.monotonic() >= deadline:
                    handle.close()
                    other = running_store(self.data_dir)
                    where = f" ({other.uri})" if other else ""
                    raise FolderBusy(
                        f"another ogp-graph process runs the embedded store on "
                        f"{self.data_dir}{where}; stop it, or wait until it has ended"
                    ) from exc
                if not told:
                    log.info("waiting for another ogp-graph process that uses %s", self.data_dir)
                    told = True
                time.sleep(0.25)
        self._folder_lock = handle

    def _release_folder(self) -> None:
        handle = getattr(self, "_folder_lock", None)
        if handle is not None:
            handle.close()  # closing drops the lock
            self._folder_lock = None

    def _create_server(self) -> Any:
        # Logs of the JVM go to the data folder, not to the working directory.
        log_dir = self.data_dir / "log"
        log_dir.mkdir(exist_ok=True)
        jul = self.data_dir / "java-logging.properties"
        jul.write_text(_JUL_CONFIG.format(log_dir=log_dir.as_posix()), encoding="utf-8")
        os.environ.setdefault("ARCADEDB_JVM_ERROR_FILE", str(log_dir / "hs_err_pid%p.log"))
        import arcadedb_embedded
        from arcadedb_embedded.jvm import start_jvm

        jvm_args = [f"-Djava.util.logging.config.file={jul}"]
        if not self.serving:
            # a command (load, dump, restore) is short: the JVM's second, optimising
            # compiler would spend more CPU than its code saves (the full OGP export's
            # load: about a fifth of its CPU went to the JIT compilers)
            jvm_args.append("-XX:TieredStopAtLevel=1")
        with _quiet_stderr(log_dir / "jvm-start.log"):
            start_jvm(heap_size=self.heap, jvm_args=jvm_args, interrupt=False)
        # a restart in the same process listens where the store did before
        bolt_port, http_port = self._ports or (_free_port(), _free_port())
        config: dict[str, object] = {
            "server_plugins": BOLT_PLUGIN,
            "bolt_port": bolt_port,
            "bolt_host": HOST,
            "host": HOST,
            "http_port": http_port,
        }
        if self.statement_timeout is not None:
            milliseconds = max(1, round(self.statement_timeout * 1000))
            config["command_timeout"] = milliseconds
            import jpype

            jpype.JClass("com.arcadedb.GlobalConfiguration").COMMAND_TIMEOUT.setValue(milliseconds)
        return arcadedb_embedded.create_server(
            str(self.data_dir / "arcadedb"), root_password=_password(self.data_dir), config=config
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
            self._release_folder()
            marker = self.data_dir / MARKER
            try:
                info = json.loads(marker.read_text(encoding="utf-8"))
                if int(info.get("pid", -1)) == os.getpid():
                    marker.unlink()
            except (OSError, ValueError):
                pass
            log.info("embedded store stopped")
