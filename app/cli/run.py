"""Running a job from the CLI: events to the terminal, Ctrl-C to cancel.

Events arrive on worker threads; they are queued and printed by the main
thread, so output lines never interleave and Ctrl-C lands where it can cancel
the job cleanly (the job then ends with 'cancelled' Outcomes for the rest).
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from typing import TextIO

from app.cli.output import Printer, say
from app.dav import DavClient
from app.jobs.model import Job, JobEnded, JobEvent, JobProgress, TaskResult
from app.jobs.planner import describe
from app.jobs.runner import JobOptions, JobRunner


def run_job(
    client: DavClient,
    job: Job,
    options: JobOptions,
    printer: Printer,
    dry_run: bool = False,
    progress_to: TextIO | None = None,
    on_results: Callable[[list[TaskResult]], None] | None = None,
) -> None:
    """Run (or with dry_run, only describe) a job, printing every Outcome.

    on_results sees the TaskResults on this thread, before their Outcomes print: all
    that arrived while it was busy at once (a bulk upload's batch ends together), so a
    sync records them in one transaction.
    """
    if dry_run:
        for outcome in describe(job):
            printer.outcome(outcome)
        return
    events: queue.Queue[JobEvent] = queue.Queue()
    runner = JobRunner(client, job, events.put, options)
    bar = ProgressBar(progress_to) if progress_to is not None else None
    thread = runner.start()
    arrived: list[JobEvent] = []
    while True:
        try:  # what was taken before a Ctrl-C stays in arrived
            _take(events, arrived)
        except KeyboardInterrupt:
            runner.cancel()
            continue
        if on_results:
            results = [event for event in arrived if isinstance(event, TaskResult)]
            if results:
                on_results(results)
        shown, arrived = arrived, []
        for event in shown:
            if _show(event, job, printer, bar):
                # JobEnded is the job thread's last act: once it has ended, the command leaves
                # no thread behind it (a sync's process may then end at once: quick_exit.py).
                thread.join()
                return


def _take(events: queue.Queue[JobEvent], into: list[JobEvent]) -> None:
    """The next event, waited for unless some are taken already, and every one queued behind."""
    if not into:
        into.append(events.get())
    while True:
        try:
            into.append(events.get_nowait())
        except queue.Empty:
            return


def _show(event: JobEvent, job: Job, printer: Printer, bar: ProgressBar | None) -> bool:
    """Print one event; True once the job has ended."""
    if isinstance(event, TaskResult):
        if bar:
            bar.clear()
        for outcome in event.outcomes:
            printer.outcome(outcome)
        if bar:
            printer.out.flush()
            bar.task_done()
    elif isinstance(event, JobProgress) and bar:
        bar.draw(event)
    elif isinstance(event, JobEnded):
        if bar:
            bar.clear()
        if event.error:
            say(f"{job.name} stopped: {event.error}")
        return True
    return False


class ProgressBar:
    """One self-overwriting status line on a terminal."""

    WIDTH = 24

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._shown = False
        self._last: JobProgress | None = None
        self._tasks_done = 0

    def task_done(self) -> None:
        """Show the last state again under the lines just printed, counting the task they ended.

        Progress events are spaced out in time, so the last one can be behind
        the tasks already reported.
        """
        self._tasks_done += 1
        if self._last is not None:
            self.draw(self._last)

    def draw(self, progress: JobProgress) -> None:
        self._last = progress
        filled = int(self.WIDTH * min(1.0, progress.fraction))  # files and bytes, by their time
        eta = f" ETA {progress.eta:.0f}s" if progress.eta else ""
        paused = " (paused)" if progress.paused else ""
        line = (
            f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] "
            f"{max(progress.files_done, self._tasks_done)}/{progress.files_total} files  "
            f"{_mib(progress.bytes_done)}/{_mib(progress.bytes_total)} MiB  "
            f"{_mib(progress.rate)} MiB/s{eta}{paused}"
        )
        self.stream.write("\r" + line + "\x1b[K")
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False


def _mib(value: float) -> str:
    return f"{value / 1048576:.1f}"
