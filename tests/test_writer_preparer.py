"""The writer's worker thread (no store): jobs run in order, off the event loop's thread,
their errors reach the writer, and none outlives the write."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from graph import writer


def test_jobs_run_in_order_on_another_thread() -> None:
    order: list[int] = []
    threads: set[int] = set()

    def job(n: int) -> int:
        time.sleep(0.01 * (3 - n))  # the first takes longest: order is still kept
        order.append(n)
        threads.add(threading.get_ident())
        return n * 10

    async def run() -> list[int]:
        async with writer._Preparer() as prepare:
            futures = [prepare(job, n) for n in range(3)]
            return [await f for f in futures]

    assert asyncio.run(run()) == [0, 10, 20]
    assert order == [0, 1, 2]
    assert threading.get_ident() not in threads


def test_an_error_reaches_the_writer_and_no_job_outlives_the_write() -> None:
    finished: list[str] = []

    def slow() -> None:
        time.sleep(0.05)
        finished.append("slow")

    def bad() -> None:
        raise ValueError("row 3: not a date")

    async def run() -> None:
        async with writer._Preparer() as prepare:
            failing = prepare(bad)
            prepare(slow)  # still running when the error leaves the block
            await failing

    with pytest.raises(ValueError, match="row 3"):
        asyncio.run(run())
    assert finished == ["slow"]


def test_without_overlap_jobs_run_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer, "OVERLAP", False)

    async def run() -> int:
        async with writer._Preparer() as prepare:
            future = prepare(threading.get_ident)
            assert future.done()
            return await future

    assert asyncio.run(run()) == threading.get_ident()
