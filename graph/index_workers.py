"""The search index keys of a big write's new nodes, made by worker processes.

The keys a load's new documents are indexed under are most of its Python work (about
10 s of the full OGP export's 24 s), and one Python process runs one thread at a time.
Worker processes make them (:meth:`DocumentIndex.of` the node's facts, the same
functions as in-process) while the store creates the nodes and their relationships; the
writer then numbers the documents, in the order of their ids, and sets their index
properties (:mod:`graph.writer`).

Small writes make their indexes in-process: starting the workers costs about a second
(they import the analyser), once per process; they are kept for the next writes.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from graph.derived import new_node_facts
from graph.document import NodeRecord
from graph.search_index import DocumentIndex

log = logging.getLogger(__name__)

#: a write with fewer new entity nodes makes their indexes in-process (``0``: never)
MIN_NODES = 5000
#: nodes per job: the first indexes come back soon, and the workers share the work evenly
CHUNK = 200
#: worker processes (the store and the writer need the other cores' time too); none on a
#: single core, where they would only add their own work to the load's
WORKERS = 2

#: seconds between a worker's checks that the process that started it is still there
_PARENT_CHECK = 0.5

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def indexes(nodes: list[NodeRecord]) -> list[DocumentIndex]:
    """What new nodes are indexed under (run by a worker process).

    Made from their facts alone: no derived property is searched (the folded copies are
    lists, the sort keys are not texts), so the index is that of all their properties,
    without folding every long text twice.
    """
    return [DocumentIndex.of(new_node_facts(node)) for node in nodes]


def _leave_with(parent: int) -> None:
    """In a worker: end this process when ``parent`` does.

    A parent that leaves with ``os._exit`` (the command line does, so as not to wait on
    the embedded JVM) or is killed runs no clean-up: its workers would wait for work
    forever.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_CHECK)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _workers() -> ProcessPoolExecutor:
    """The process's pool, started on first use. Spawned, not forked: the embedded store's
    JVM runs threads in this process, which a fork would copy in whatever state they are."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                WORKERS,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_leave_with,
                initargs=(os.getpid(),),
            )
        return _pool


def stop(pool: ProcessPoolExecutor | None = None) -> None:
    """Stop the workers (started again by the next big write); with ``pool``, only if it
    is still the process's (a broken pool another write has replaced already is not)."""
    global _pool
    with _pool_lock:
        if pool is not None and pool is not _pool:
            return
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(stop)


class NewIndexes:
    """The indexes of a write's new nodes being made by the workers, taken by node id.

    Workers that died (killed, out of memory) before or during the write leave their
    nodes to the writer, which makes those indexes itself: the write goes on, the same.
    A broken pool is stopped, and the next big write starts a new one.
    """

    def __init__(self, nodes: list[NodeRecord]) -> None:
        self._futures: list[Future[list[DocumentIndex]]] = []
        self._where: dict[str, tuple[Future[list[DocumentIndex]] | None, int, NodeRecord]] = {}
        self._broken = False
        self._pool = pool = _workers()
        for start in range(0, len(nodes), CHUNK):
            chunk = nodes[start : start + CHUNK]
            future: Future[list[DocumentIndex]] | None = None
            if not self._broken:
                try:
                    future = pool.submit(indexes, chunk)
                    self._futures.append(future)
                except BrokenProcessPool:  # a worker died since the last write
                    self._lost()
            for position, node in enumerate(chunk):
                self._where[node.id] = (future, position, node)

    def _lost(self) -> None:
        """Once per write: say so, and stop the broken pool."""
        if not self._broken:
            self._broken = True
            log.warning("a worker process stopped: the writer makes the indexes itself")
            stop(self._pool)

    def __contains__(self, node_id: str) -> bool:
        return node_id in self._where

    def take(self, node_id: str) -> DocumentIndex:
        """The index of node ``node_id`` (waits for it); ``KeyError`` if none was asked."""
        future, position, node = self._where.pop(node_id)
        if future is not None and not self._broken:
            try:
                return future.result()[position]
            except BrokenProcessPool:
                self._lost()
        return DocumentIndex.of(new_node_facts(node))

    def cancel(self) -> None:
        """Drop the indexes not taken: their jobs that have not started never run, and a
        thread waiting in :meth:`take` gets a ``KeyError`` or ``CancelledError`` soon."""
        for future in self._futures:
            future.cancel()
        self._where.clear()


def worth_it(count: int) -> bool:
    """Whether the indexes of ``count`` new nodes are worth sending to the workers."""
    return (os.cpu_count() or 1) > 1 and MIN_NODES > 0 and count >= MIN_NODES


def new_indexes(nodes: list[NodeRecord]) -> NewIndexes | None:
    """Workers making the indexes of ``nodes`` (new, indexed nodes), or ``None`` when there
    are too few to be worth it."""
    return NewIndexes(nodes) if worth_it(len(nodes)) else None
