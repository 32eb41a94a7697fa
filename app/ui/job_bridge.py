"""A running job as a QObject: the engine's events arrive as Qt signals on the GUI thread.

JobRunner calls its callback on worker threads; this bridge lives in the GUI
thread, so the signals it emits from there are queued to their receivers.
Workers never touch a widget: they only emit immutable events.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from app.dav import DavClient
from app.jobs.model import Job, JobEvent, JobProgress, TaskResult
from app.jobs.runner import JobOptions, JobRunner
from app.sync.background.types import JobControl


class JobBridge(QObject):
    started = Signal()  # it left the queue and runs
    cancel_requested = Signal()  # a queued job must start to end (as cancelled)
    progress = Signal(object)  # JobProgress
    task_done = Signal(object)  # TaskResult
    ended = Signal(object)  # JobEnded

    def __init__(
        self,
        client: DavClient | None,
        job: Job,
        options: JobOptions | None = None,
        parent: QObject | None = None,
        *,
        running: JobControl | None = None,
    ) -> None:
        """running: a job something else runs (background sync), client None: its events
        are handed to relay() on the GUI thread, and start() is never called."""
        super().__init__(parent)
        self.job = job
        self._relaying = threading.Lock()
        self._detached = False
        if running is not None:
            self._runner: JobControl = running
        else:
            assert client is not None, "a job the bridge runs needs the client to run it on"
            self._runner = JobRunner(client, job, self._on_event, options)

    def start(self) -> None:
        assert isinstance(self._runner, JobRunner)
        self._runner.start()
        self.started.emit()

    def relay(self, event: JobEvent) -> None:
        """An event of a job something else runs, handed over on the GUI thread."""
        self._on_event(event)

    def cancel(self) -> None:
        self._runner.cancel()
        self.cancel_requested.emit()

    def pause(self) -> None:
        self._runner.pause()

    def resume(self) -> None:
        self._runner.resume()

    @property
    def paused(self) -> bool:
        return self._runner.paused

    def detach(self) -> None:
        """Stop relaying: the window that shows this job is going away, and this bridge with it.

        Its job, cancelled, still sends events as it ends, on worker threads; emitting
        a signal of a QObject being deleted crashes the process. Once detach() has
        returned, no emit is under way and none starts.
        """
        with self._relaying:
            self._detached = True

    def _on_event(self, event: JobEvent) -> None:
        """Called on a worker thread: only emits (a queued signal: it only posts an event)."""
        if isinstance(event, JobProgress):
            signal = self.progress
        elif isinstance(event, TaskResult):
            signal = self.task_done
        else:
            signal = self.ended
        with self._relaying:
            if not self._detached:
                signal.emit(event)
