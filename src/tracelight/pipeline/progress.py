"""Progress reporting, kept behind a small interface so jobs don't depend on a terminal."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class Reporter(Protocol):
    def stage(self, name: str, total: int | None) -> None:
        """A new stage starts; ``total`` items are expected when known."""
        ...

    def advance(self, count: int) -> None: ...

    def close(self) -> None: ...


class NullReporter:
    def stage(self, name: str, total: int | None) -> None:
        return None

    def advance(self, count: int) -> None:
        return None

    def close(self) -> None:
        return None


class RichReporter:
    """A rich progress bar per stage, on stderr so ``--json`` output stays clean."""

    def __init__(self, console: Console | None = None) -> None:
        self._progress = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console or Console(stderr=True),
            transient=False,
        )
        self._task: TaskID | None = None
        self._progress.start()

    def stage(self, name: str, total: int | None) -> None:
        if self._task is not None:
            self._progress.update(
                self._task,
                completed=self._progress.tasks[-1].completed,
                total=self._progress.tasks[-1].completed,
            )
        self._task = self._progress.add_task(name, total=total)

    def advance(self, count: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, count)

    def close(self) -> None:
        self._progress.stop()

    def log(self, line: str) -> None:
        """A line printed above the bars (an engine's own progress, e.g. Spark stages)."""
        self._progress.console.print(line, markup=False, highlight=False)

    def __enter__(self) -> RichReporter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
