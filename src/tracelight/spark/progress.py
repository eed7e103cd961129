"""Progress of Spark jobs, read from the driver's status tracker while they run.

A national-scale extraction runs for hours; an operator needs to see which stage is
running and how many of its tasks are done, retried or failed, without opening the
Spark UI (which is often disabled or unreachable on an investigation network). The
tracker is Spark's own public status API; polling it from a daemon thread costs a few
driver-side calls per second and nothing on the executors.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from types import TracebackType
from typing import Any


@dataclass(frozen=True, slots=True)
class StageStatus:
    """One stage attempt as the status tracker saw it."""

    stage_id: int
    attempt: int
    name: str
    tasks: int
    active: int
    completed: int
    failed: int

    @property
    def done(self) -> bool:
        return self.tasks > 0 and self.completed >= self.tasks

    def line(self) -> str:
        retry = f", attempt {self.attempt + 1}" if self.attempt else ""
        failed = f", {self.failed} failed" if self.failed else ""
        return (
            f"spark stage {self.stage_id} ({self.name}{retry}): "
            f"{self.completed}/{self.tasks} tasks done, {self.active} running{failed}"
        )


ProgressCallback = Callable[[StageStatus], None]


def _status(info: Any) -> StageStatus:
    return StageStatus(
        stage_id=int(info.stageId),
        attempt=int(info.currentAttemptId),
        name=str(info.name).split(" at ", 1)[0],
        tasks=int(info.numTasks),
        active=int(info.numActiveTasks),
        completed=int(info.numCompletedTasks),
        failed=int(info.numFailedTasks),
    )


class StageMonitor:
    """Report every change of every stage's task counts while the ``with`` block runs.

    The block's jobs are put in a job group of their own, so the monitor finds all of
    their stages through the group, including stages that start and finish between two
    polls. Each distinct state is reported once, in stage order, and on leaving the block
    the final state of every stage is reported, so the last line of a stage says how it
    ended.
    """

    _groups = 0

    def __init__(self, context: Any, report: ProgressCallback, interval: float = 0.5) -> None:
        self._context = context
        self._tracker = context.statusTracker()
        self._report = report
        self._interval = interval
        StageMonitor._groups += 1
        self._group = f"tracelight-{id(self):x}-{StageMonitor._groups}"
        self._last: dict[int, StageStatus] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="spark-progress", daemon=True)
        self._lock = threading.Lock()

    def _stage_ids(self) -> list[int]:
        ids: set[int] = set()
        for job_id in self._tracker.getJobIdsForGroup(self._group):
            job = self._tracker.getJobInfo(job_id)
            if job is not None:
                ids.update(int(s) for s in job.stageIds)
        return sorted(ids)

    def _poll(self) -> None:
        for stage_id in self._stage_ids():
            info = self._tracker.getStageInfo(stage_id)
            if info is None:  # skipped (its output was reused) or not started yet
                continue
            status = _status(info)
            with self._lock:
                if self._last.get(stage_id) == status:
                    continue
                self._last[stage_id] = status
            self._report(status)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._poll()

    def __enter__(self) -> StageMonitor:
        self._context.setJobGroup(self._group, "tracelight", interruptOnCancel=False)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self._poll()
        self._context.setLocalProperty("spark.jobGroup.id", None)
        self._context.setLocalProperty("spark.job.description", None)

    @property
    def stages(self) -> dict[int, StageStatus]:
        """The last state seen of every stage of the block's jobs."""
        with self._lock:
            return dict(self._last)


def watch(spark: Any, progress: ProgressCallback | None) -> AbstractContextManager[Any]:
    """A :class:`StageMonitor` over ``spark``'s context, or nothing when no one listens."""
    if progress is None:
        return nullcontext()
    return StageMonitor(spark.sparkContext, progress)
