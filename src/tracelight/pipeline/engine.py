"""Engines run a pure stage function over a stream of batches.

This is the seam between *what* a stage computes (a function of one batch, with no
database and no global state) and *where* it runs: in this process, over a local
process pool, or (later) over Spark partitions. Every engine returns results in the
order of the input batches, so the jobs that load them into the store behave the
same whichever engine ran the stage, and results are identical between engines.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Protocol, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


class Engine(Protocol):
    name: str

    def map_batches(self, stage: Callable[[In], Out], batches: Iterable[In]) -> Iterator[Out]:
        """``stage`` applied to every batch, results yielded in input order."""
        ...

    def close(self) -> None: ...


class SerialEngine:
    """Everything in the calling process: for small inputs, debugging and profiling."""

    name = "serial"

    def map_batches(self, stage: Callable[[In], Out], batches: Iterable[In]) -> Iterator[Out]:
        for batch in batches:
            yield stage(batch)

    def close(self) -> None:
        return None


class LocalEngine:
    """A process pool with a bounded number of batches in flight.

    Bounding the queue is what keeps memory flat however large the corpus: the
    reader is only asked for a new batch when an earlier one has come back. Workers
    are started with ``spawn`` so they inherit no open database connection and no
    progress-bar thread from the parent.
    """

    name = "local"

    def __init__(self, workers: int | None = None, in_flight_per_worker: int = 2) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.max_in_flight = self.workers * max(1, in_flight_per_worker)
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    def map_batches(self, stage: Callable[[In], Out], batches: Iterable[In]) -> Iterator[Out]:
        pool = self._executor()
        pending: deque[Future[Out]] = deque()
        for batch in batches:
            pending.append(pool.submit(stage, batch))
            if len(pending) >= self.max_in_flight:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


ENGINES = ("local", "serial", "spark")


class EngineError(RuntimeError):
    """The requested engine cannot run here; the message says why."""


def make_engine(
    name: str = "local", workers: int | None = None, *, spark_master: str | None = None
) -> Engine:
    """The named engine. For ``spark``, ``workers`` is the number of partitions and
    ``spark_master`` the master URL (default ``local[2]`` or ``TRACELIGHT_SPARK_MASTER``);
    a missing pyspark or Java raises :class:`EngineError` saying what to install."""
    if name == "spark":
        from tracelight.spark import SparkConfig, SparkEngine, check_spark

        check_spark()
        return SparkEngine(SparkConfig(master=spark_master or "", partitions=workers or 4))
    if name == "local":
        # One worker is still worth a pool: it extracts while this process writes.
        return LocalEngine(workers)
    if name == "serial":
        return SerialEngine()
    raise EngineError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")
