"""Dragging files out of the window into a file manager: downloaded when dropped.

A file manager accepts local files, so a drag carries a promise instead of
data: DragOutMime announces text/uri-list, and only when the drop target
asks for it does it download the dragged items into a staging folder and
hand over their local paths, which the file manager then copies. The
download runs as an ordinary job on worker threads; the GUI thread waits in
a local event loop behind a progress dialog, so the window keeps painting
and the download can be cancelled. Drags that end inside Davdesk never ask
for the data (local_files() refuses a DragOutMime), so they download nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QMimeData, QUrl
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.dav import DavClient, Resource
from app.jobs.conflict import Conflict
from app.jobs.model import JobEnded, JobProgress
from app.jobs.runner import JobOptions, JobRunner
from app.ui.background import Background
from app.ui.models.listing_cache import with_kept_mtimes

URI_LIST = "text/uri-list"


class DragOutMime(QMimeData):
    """The dragged rows; their local copies come into being when a drop target asks."""

    def __init__(
        self, resources: Sequence[Resource], stage: Callable[[Sequence[Resource]], list[Path]]
    ):
        super().__init__()
        self.resources = tuple(resources)
        self._stage = stage
        self._staged: list[Path] | None = None

    def formats(self) -> list[str]:
        return [URI_LIST]

    def hasFormat(self, mime_type: str) -> bool:
        return mime_type == URI_LIST

    def retrieveData(self, mime_type: str, preferred_type: Any) -> Any:
        if mime_type != URI_LIST:
            return None
        if self._staged is None:
            self._staged = self._stage(self.resources)
        return [QUrl.fromLocalFile(str(path)) for path in self._staged]


class DragStager:
    """Downloads dragged items into a fresh staging folder, waiting without freezing the window."""

    def __init__(
        self, client: DavClient, background: Background, workers: int, parent: QWidget
    ) -> None:
        self._client = client
        self._background = background
        self._workers = workers
        self._parent = parent
        # One folder for the session's drags; removed when the stager goes (or at exit),
        # not after each drop: the file manager copies from it after the drop.
        self._staging: tempfile.TemporaryDirectory[str] | None = None

    def __call__(self, resources: Sequence[Resource]) -> list[Path]:
        """The local copies of resources (empty if the download failed or was cancelled)."""
        progress = QProgressDialog("Downloading for the drop…", "Cancel", 0, 0, self._parent)
        progress.setWindowTitle("Davdesk")
        progress.setMinimumDuration(300)
        loop = QEventLoop()
        runners: list[JobRunner] = []
        outcome: dict[str, float] = {}
        staged: list[Path] = []

        def on_event(event: object) -> None:  # worker threads: only hands numbers over
            if isinstance(event, JobProgress) and event.bytes_total:
                outcome["fraction"] = event.bytes_done / event.bytes_total

        def work() -> list[Path]:
            if self._staging is None:
                self._staging = tempfile.TemporaryDirectory(prefix="davdesk-drag-")
            folder = Path(tempfile.mkdtemp(dir=self._staging.name))
            from app.jobs.planner import plan_download  # loaded with the first drag out

            described = with_kept_mtimes(self._client, resources)
            job = plan_download(self._client, described, folder, Conflict.OVERWRITE)
            runner = JobRunner(self._client, job, on_event, JobOptions(workers=self._workers))
            runners.append(runner)
            ended: JobEnded = runner.run()
            if ended.failed or ended.cancelled:
                return []
            return [folder / resource.name for resource in resources]

        def done(paths: list[Path] | None, error: BaseException | None) -> None:
            staged.extend(paths or [])
            loop.quit()

        def cancel() -> None:
            for runner in runners:
                runner.cancel()

        progress.canceled.connect(cancel)
        self._background.submit(work, done)
        loop.exec()
        progress.reset()
        progress.deleteLater()
        return staged
