"""A running job as a QObject: the engine's events arrive as Qt signals on the GUI thread.

JobRunner calls its callback on worker threads; this bridge lives in the GUI
thread, so the signals it emits from there are queued to their receivers.
Workers never touch a widget: they only emit immutable events.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.dav import DavClient
from app.jobs.model import Job, JobEvent, JobProgress, TaskResult
from app.jobs.runner import JobOptions, JobRunner


class JobBridge(QObject):
    started = Signal()  # it left the queue and runs
    cancel_requested = Signal()  # a queued job must start to end (as cancelled)
    progress = Signal(object)  # JobProgress
    task_done = Signal(object)  # TaskResult
    ended = Signal(object)  # JobEnded

    def __init__(self, client: DavClient, job: Job, options: JobOptions | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.job = job
        self._runner = JobRunner(client, job, self._on_event, options)

    def start(self) -> None:
        self._runner.start()
        self.started.emit()

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

    def _on_event(self, event: JobEvent) -> None:
        """Called on a worker thread: only emits.

        A window closed while its jobs ran cancelled them and went away with this
        bridge; the events the jobs still send as they end have nobody to reach, and
        Qt says so by raising here, on the worker thread. They are dropped.
        """
        if isinstance(event, JobProgress):
            signal = self.progress
        elif isinstance(event, TaskResult):
            signal = self.task_done
        else:
            signal = self.ended
        try:
            signal.emit(event)
        except RuntimeError:  # "Signal source has been deleted"
            return
