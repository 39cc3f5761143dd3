"""The ``ogp-graph`` command: ``serve`` the API, ``load`` sources, ``dump``/``restore`` the graph."""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import logging.config
import os
import re
import shutil
import socket
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
)

from graph.constraints import ensure_schema
from graph.dump import check_dump
from graph.dump import dump as dump_graph
from graph.dump import restore as restore_graph
from graph.embedded import EmbeddedStore, running_store, store_exists
from graph.errors import StoreError
from graph.index_order import ensure_index_order
from graph.locks import load_lock
from graph.settings import DEFAULT_DATA_DIR, StoreSettings
from graph.store import BoltEndpoint, Store
from loaders.catalogue import SOURCES_DIR_VARIABLE, catalogue, local_copy, sources_dir
from loaders.errors import SourceError
from loaders.sources import download_progress
from ogp_graph.logs import log_config

log = logging.getLogger("ogp_graph")
stderr = Console(stderr=True, soft_wrap=True)


class CommandError(Exception):
    """A failure explained in words; the command exits non-zero without a traceback."""


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults shown after each option; the settings list kept as written."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, "", False) or "default:" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


def _version() -> str:
    try:
        return metadata.version("ogp-graph")
    except metadata.PackageNotFoundError:  # running from a checkout that is not installed
        return "unknown"


def _settings_help() -> str:
    """The environment settings, with their defaults, for the end of ``--help``."""
    from schema.settings import ApiSettings

    lines = ["environment settings (read once at start-up):"]
    for name, info in StoreSettings.model_fields.items():
        default = "unset" if info.default in (None, "") else info.default
        lines.append(f"  {info.alias or name.upper():30} {info.description} (default: {default})")
    prefix = ApiSettings.model_config.get("env_prefix", "")
    for name, info in ApiSettings.model_fields.items():
        lines.append(f"  {(prefix + name).upper():30} {info.description} (default: {info.default})")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    epilog = _settings_help()
    parser = argparse.ArgumentParser(
        prog="ogp-graph",
        description="A GraphQL knowledge graph of the Open Government Partnership.",
        epilog=epilog,
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="log lines for people, or one JSON object per line",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=epilog,
            formatter_class=_HelpFormatter,
        )

    serve = command("serve", "serve the GraphQL API (and GraphiQL)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    serve.add_argument(
        "--root-path",
        default="",
        help="path prefix under which a reverse proxy serves the API (e.g. /ogp)",
    )
    serve.add_argument(
        "--proxy-headers",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="trust X-Forwarded-Proto/For from the addresses of --forwarded-allow-ips",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        help="comma-separated addresses of proxies whose X-Forwarded-* headers are trusted "
        "('*' for any)",
    )
    _data_dir(serve)

    load = command("load", "import files into the store")
    load.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="files, folders, http(s) URLs or names listed by `ogp-graph sources`",
    )
    load.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    _data_dir(load)

    dump = command("dump", "write the whole graph (and its load records) to one file")
    dump.add_argument("file", type=Path, metavar="FILE", help="where to write (gzip JSON lines)")
    _data_dir(dump)

    restore = command(
        "restore", "merge a dump into the configured store (safe to run again if cut off)"
    )
    restore.add_argument("file", type=Path, metavar="FILE", help="a file written by dump")
    _data_dir(restore)

    command("schema", "print the GraphQL schema (SDL)")
    command(
        "sources",
        "list the real public sources `load NAME` fetches, with their addresses "
        f"(or their local copies under ${SOURCES_DIR_VARIABLE})",
    )
    return parser


def _data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"folder of the embedded store, unless NEO4J_URI is set "
        f"(default: $OGP_GRAPH_DATA_DIR or {DEFAULT_DATA_DIR})",
    )


def _settings(data_dir: Path | None) -> StoreSettings:
    try:
        settings = StoreSettings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{e['loc'][0] if e['loc'] else 'settings'}: {e['msg']}" for e in exc.errors()
        )
        raise CommandError(f"configuration: {problems}") from exc
    if data_dir is not None:
        settings.data_dir = data_dir
    settings.data_dir = settings.data_dir.expanduser().resolve()
    return settings


def describe_store(settings: StoreSettings) -> str:
    """Which store a command uses, in words."""
    if settings.embedded:
        return f"the embedded store in {settings.data_dir}"
    return f"Neo4j at {settings.neo4j_uri} (database {settings.neo4j_database!r})"


@contextmanager
def _store_endpoint(settings: StoreSettings, *, serving: bool) -> Iterator[BoltEndpoint]:
    """The configured Neo4j server, or the embedded store (a running one, or started here).

    A command other than ``serve`` uses the store a running ``serve`` keeps open on the
    same folder; else it starts one, waiting for another command that holds the folder.
    A store created here for a command that then fails is removed with its folder.
    """
    if not settings.embedded:
        assert settings.neo4j_uri is not None
        log.info("store: %s", describe_store(settings))
        yield BoltEndpoint(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password,
            settings.neo4j_database,
        )
        return
    data_dir = settings.data_dir
    if not serving:
        running = running_store(data_dir, serving_only=True)
        if running is not None:
            log.info("using the embedded store that is running on %s (%s)", data_dir, running.uri)
            yield running
            return
    folder_existed = data_dir.exists()
    if store_exists(data_dir):
        log.info("store: %s", describe_store(settings))
    else:
        log.info("store: creating a new embedded store in %s", data_dir)
    store = EmbeddedStore(
        data_dir,
        settings.embedded_heap,
        serving=serving,
        wait=0 if serving else settings.load_wait,
        bolt_port=settings.embedded_bolt_port,
        statement_timeout=settings.statement_timeout,
    )
    endpoint = store.start()
    failed = True
    try:
        yield endpoint
        failed = False
    finally:
        store.stop()
        if failed and not folder_existed and not serving:
            shutil.rmtree(data_dir, ignore_errors=True)
            log.info("removed the store created for this command: %s", data_dir)


def _connect(endpoint: BoltEndpoint, settings: StoreSettings) -> Store:
    """The store for the command's own work (schema, loads, dumps), not for API requests.

    A store that has just started can be slow to answer its first statements on a
    busy machine; this work gets at least a minute per statement.
    """
    return Store.connect(endpoint, max(settings.statement_timeout, 60.0), settings.connect_timeout)


def _lease(settings: StoreSettings) -> float:
    """How long a load that died keeps others out: longer than any load transaction."""
    return settings.statement_timeout * 20 + 60


async def _prepare(endpoint: BoltEndpoint, settings: StoreSettings) -> None:
    from graph.search import ensure_search_index
    from ogp_graph.loading import ensure_bundled_dataset

    store = _connect(endpoint, settings)
    try:
        await store.verify()
        await ensure_schema(store)
        async with load_lock(
            store,
            "the bundled dataset",
            wait=settings.load_wait,
            lease=_lease(settings),
            waiting=log.info,
        ):
            await ensure_bundled_dataset(store)
            await ensure_search_index(store)
            await ensure_index_order(store)
    finally:
        await store.close()


def _check_port(host: str, port: int) -> None:
    """Fail at once, before the store starts, when the address cannot be listened on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise CommandError(f"cannot listen on {host}: unknown address") from exc
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CommandError(
                    f"port {port} on {host} is already in use: stop what listens there "
                    "or choose another --port"
                ) from exc
            reason = (exc.strerror or str(exc)).lower()
            raise CommandError(f"cannot listen on {host} port {port}: {reason}") from exc


def serve(args: argparse.Namespace) -> None:
    """Start the store if needed, load the bundled dataset, serve HTTP until Ctrl-C."""
    import uvicorn

    from ogp_graph.nodelay import NoDelayHttpToolsProtocol

    settings = _settings(args.data_dir)
    if args.workers < 1:
        raise CommandError("--workers must be 1 or more")
    if args.root_path and not args.root_path.startswith("/"):
        raise CommandError(f"--root-path must start with '/': {args.root_path!r}")
    _check_port(args.host, args.port)
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "root_path": args.root_path.rstrip("/"),
        "proxy_headers": args.proxy_headers,
        "forwarded_allow_ips": args.forwarded_allow_ips,
        "log_config": log_config(args.log_format, _level(args)),
        # accepted sockets lose TCP_NODELAY under uvicorn's workers: 44 ms per keep-alive request
        "http": NoDelayHttpToolsProtocol,
    }
    with _store_endpoint(settings, serving=True) as endpoint:
        asyncio.run(_prepare(endpoint, settings))
        # uvicorn says "Uvicorn running on ..." once it really listens
        if args.workers == 1:
            from schema.app import create_app

            uvicorn.run(create_app(endpoint, settings), **options)
        else:
            # the workers connect to the store this process runs or was given
            os.environ.update(
                NEO4J_URI=endpoint.uri,
                NEO4J_USER=endpoint.user,
                NEO4J_PASSWORD=endpoint.password,
                NEO4J_DATABASE=endpoint.database,
            )
            uvicorn.run(
                "schema.app:create_app_from_env",
                factory=True,
                workers=args.workers,
                # a worker still importing on a busy machine is not a dead one
                timeout_worker_healthcheck=60,
                **options,
            )
    log.info("stopped")


_DIGEST = re.compile(r"[0-9a-f]{32,}")


def _short(version: str) -> str:
    """A version whose content digest is cut to 12 characters, as git shows commits."""
    return _DIGEST.sub(lambda found: found.group(0)[:12], version)


@contextmanager
def _progress_bars(
    counter: ProgressColumn, describe: Callable[[str], str] = str
) -> Iterator[Callable[[str, int, int | None], None]]:
    """Progress bars on a terminal, one per named piece of work: yields ``report(name,
    done, total)``, which adds the bar of a new name and moves the bar of a known one."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        counter,
        console=stderr,
        transient=True,
        disable=not stderr.is_terminal,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def report(name: str, done: int, total: int | None) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(describe(name), total=total)
            bar.update(tasks[name], completed=done)

        yield report


@contextmanager
def _download_bar() -> Iterator[None]:
    """A progress bar per download while sources are read (on a terminal)."""
    with _progress_bars(DownloadColumn(), "downloading {}".format) as report:
        token = download_progress.set(report)
        try:
            yield
        finally:
            download_progress.reset(token)


def load(args: argparse.Namespace) -> None:
    """Import files; all are checked before anything is written."""
    from ogp_graph.loading import load_locations, read_locations

    settings = _settings(args.data_dir)
    with _download_bar():
        sources = read_locations(args.sources)  # unreadable files fail before a store starts

    async def run(endpoint: BoltEndpoint) -> None:
        store = _connect(endpoint, settings)
        try:
            await store.verify()
            await ensure_schema(store)
            with _progress_bars(MofNCompleteColumn()) as progress:
                if args.dry_run:
                    reports = await load_locations(store, sources, dry_run=True, progress=progress)
                else:
                    async with load_lock(
                        store,
                        "load of " + ", ".join(args.sources),
                        wait=settings.load_wait,
                        lease=_lease(settings),
                        waiting=log.info,
                    ):
                        reports = await load_locations(store, sources, progress=progress)
                        await ensure_index_order(store)
        finally:
            await store.close()
        for report in reports:
            line = report.summary().replace(report.version, _short(report.version), 1)
            print(("dry run: " if args.dry_run else "loaded: ") + line)

    with _store_endpoint(settings, serving=False) as endpoint:
        asyncio.run(run(endpoint))


def dump_command(args: argparse.Namespace) -> None:
    """Write the whole graph to one file (while no load runs)."""
    settings = _settings(args.data_dir)
    if settings.embedded and not store_exists(settings.data_dir):
        raise CommandError(f"there is no embedded store in {settings.data_dir} to dump")

    async def run(endpoint: BoltEndpoint) -> str:
        store = _connect(endpoint, settings)
        try:
            await store.verify()
            async with load_lock(
                store, f"dump to {args.file}", wait=settings.load_wait, lease=_lease(settings)
            ):
                return (await dump_graph(store, args.file)).summary("dumped")
        finally:
            await store.close()

    with _store_endpoint(settings, serving=False) as endpoint:
        print(asyncio.run(run(endpoint)))


def restore_command(args: argparse.Namespace) -> None:
    """Merge a dump into the configured store, one transaction per batch."""
    settings = _settings(args.data_dir)
    check_dump(args.file)  # a damaged file is refused before any store is touched

    async def run(endpoint: BoltEndpoint) -> str:
        store = _connect(endpoint, settings)
        try:
            await store.verify()
            await ensure_schema(store)
            async with load_lock(
                store,
                f"restore of {args.file}",
                wait=settings.load_wait,
                lease=_lease(settings),
                waiting=log.info,
            ):
                report = await restore_graph(store, args.file)
                await ensure_index_order(store)
                return report.summary("restored")
        finally:
            await store.close()

    with _store_endpoint(settings, serving=False) as endpoint:
        print(asyncio.run(run(endpoint)))


def print_schema(args: argparse.Namespace) -> None:
    """Print the SDL, as committed in schema.graphql."""
    from schema.app import build_schema

    print(build_schema().as_str())


def list_sources(args: argparse.Namespace) -> None:
    """One block per catalogued source: its name, what it is, where ``load NAME`` reads it."""
    folder = sources_dir()
    for entry in catalogue():
        copy = local_copy(entry, folder)
        if copy is not None:
            where = f"local copy: {copy}"
        elif entry.url is not None:
            where = entry.url
        else:
            where = "no stable public address"
        print(f"{entry.name}\n  {entry.title}\n  {where}")
        for extra in (entry.note, entry.licence and f"licence: {entry.licence}"):
            if extra:
                print(f"  {extra}")
    if folder is None:
        print(f"\n${SOURCES_DIR_VARIABLE} is not set: names load from their public addresses.")
    print("Load one or more with: ogp-graph load NAME...")


def _level(args: argparse.Namespace) -> int:
    return logging.DEBUG if args.verbose else logging.INFO


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    logging.config.dictConfig(log_config(args.log_format, _level(args)))
    commands = {
        "serve": serve,
        "load": load,
        "dump": dump_command,
        "restore": restore_command,
        "schema": print_schema,
        "sources": list_sources,
    }
    try:
        commands[args.command](args)
    except SourceError as exc:
        stderr.print(f"[bold red]error:[/] {len(exc.problems)} problem(s), nothing was written:")
        for problem in exc.problems:
            stderr.print(f"  {problem}", markup=False, highlight=False)
        return 1
    except (CommandError, StoreError) as exc:
        stderr.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def run() -> None:
    """Console-script entry: run, then leave without waiting on the embedded JVM.

    The embedded store is stopped (its files closed) before ``main`` returns;
    an idle JVM thread must not keep the process alive after that.
    """
    code = main()
    if "graph.index_workers" in sys.modules:  # os._exit below runs no atexit hook
        sys.modules["graph.index_workers"].stop()
    if "jpype" in sys.modules and sys.modules["jpype"].isJVMStarted():
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
