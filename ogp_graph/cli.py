"""The ``ogp-graph`` command: ``serve`` the API, ``load`` sources, print the ``schema``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from graph.constraints import ensure_schema
from graph.embedded import EmbeddedStore, running_store
from graph.errors import StoreError
from graph.settings import StoreSettings
from graph.store import BoltEndpoint, Store
from loaders.errors import SourceError

log = logging.getLogger("ogp_graph")
stderr = Console(stderr=True, soft_wrap=True)


class CommandError(Exception):
    """A failure explained in words; the command exits non-zero without a traceback."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ogp-graph",
        description="A GraphQL knowledge graph of the Open Government Partnership.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the GraphQL API (and GraphiQL)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    _data_dir(serve)

    load = commands.add_parser("load", help="import files into the store")
    load.add_argument("sources", nargs="+", metavar="PATH_OR_URL", help="files or http(s) URLs")
    load.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    _data_dir(load)

    commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    return parser


def _data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder of the embedded store (default: $OGP_GRAPH_DATA_DIR or ./ogp-graph-data)",
    )


def _settings(data_dir: Path | None) -> StoreSettings:
    try:
        settings = StoreSettings()
    except ValidationError as exc:
        problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
        raise CommandError(f"configuration: {problems}") from exc
    if data_dir is not None:
        settings.data_dir = data_dir
    return settings


@contextmanager
def _store_endpoint(settings: StoreSettings, *, reuse_running: bool) -> Iterator[BoltEndpoint]:
    """The configured Neo4j server, or the embedded store (a running one, or started here)."""
    if not settings.embedded:
        assert settings.neo4j_uri is not None
        yield BoltEndpoint(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password,
            settings.neo4j_database,
        )
        return
    if reuse_running:
        running = running_store(settings.data_dir.resolve())
        if running is not None:
            log.info("using the embedded store that is running on %s", settings.data_dir)
            yield running
            return
    store = EmbeddedStore(settings.data_dir, settings.embedded_heap)
    endpoint = store.start()
    try:
        yield endpoint
    finally:
        store.stop()


async def _prepare(endpoint: BoltEndpoint, settings: StoreSettings) -> None:
    from ogp_graph.loading import ensure_bundled_dataset

    store = Store.connect(endpoint, settings.statement_timeout)
    try:
        await store.verify()
        await ensure_schema(store)
        await ensure_bundled_dataset(store)
    finally:
        await store.close()


def serve(args: argparse.Namespace) -> None:
    """Start the store if needed, load the bundled dataset, serve HTTP until Ctrl-C."""
    import uvicorn

    from ogp_graph.nodelay import NoDelayH11Protocol

    settings = _settings(args.data_dir)
    if args.workers < 1:
        raise CommandError("--workers must be 1 or more")
    with _store_endpoint(settings, reuse_running=False) as endpoint:
        asyncio.run(_prepare(endpoint, settings))
        log.info("serving GraphQL on http://%s:%d/graphql", args.host, args.port)
        if args.workers == 1:
            from schema.app import create_app

            uvicorn.run(
                create_app(endpoint, settings),
                host=args.host,
                port=args.port,
                http=NoDelayH11Protocol,
            )
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
                host=args.host,
                port=args.port,
                workers=args.workers,
                http=NoDelayH11Protocol,  # the workers' sockets lose TCP_NODELAY otherwise
            )
    log.info("stopped")


def load(args: argparse.Namespace) -> None:
    """Import files; all are checked before anything is written."""
    from ogp_graph.loading import load_locations

    settings = _settings(args.data_dir)

    async def run(endpoint: BoltEndpoint) -> None:
        store = Store.connect(endpoint, settings.statement_timeout)
        try:
            await store.verify()
            await ensure_schema(store)
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=stderr,
                transient=True,
                disable=not stderr.is_terminal,
            ) as bar:
                tasks: dict[str, TaskID] = {}

                def progress(name: str, done: int, total: int) -> None:
                    if name not in tasks:
                        tasks[name] = bar.add_task(name, total=total)
                    bar.update(tasks[name], completed=done)

                reports = await load_locations(
                    store, args.sources, dry_run=args.dry_run, progress=progress
                )
        finally:
            await store.close()
        for report in reports:
            print(("dry run: " if args.dry_run else "loaded: ") + report.summary())

    with _store_endpoint(settings, reuse_running=True) as endpoint:
        asyncio.run(run(endpoint))


def print_schema(args: argparse.Namespace) -> None:
    """Print the SDL, as committed in schema.graphql."""
    from schema.app import build_schema

    print(build_schema().as_str())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    handler: logging.Handler
    if stderr.is_terminal:
        handler = RichHandler(console=stderr, show_path=False, rich_tracebacks=False)
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:  # plain lines for files, pipes and CI logs
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, handlers=[handler])
    logging.getLogger("neo4j").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    commands = {"serve": serve, "load": load, "schema": print_schema}
    try:
        commands[args.command](args)
    except SourceError as exc:
        stderr.print(f"[bold red]error:[/] {len(exc.problems)} problem(s), nothing was written:")
        for problem in exc.problems:
            stderr.print(f"  {problem}", markup=False, highlight=False)
        return 1
    except (CommandError, StoreError) as exc:
        stderr.print(f"[bold red]error:[/] {exc}", highlight=False)
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
    if "jpype" in sys.modules and sys.modules["jpype"].isJVMStarted():
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
