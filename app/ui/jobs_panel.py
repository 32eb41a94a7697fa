"""The jobs panel: each running and queued job with its progress, pause and cancel.

One card per job: an overall bar (bytes where the job moves bytes, files
otherwise), "files and bytes done of total · rate · time left", and a line
per file in flight. A finished job's card goes away: its Outcomes are in the
results pane, where the user acts on them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QGridLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.jobs.model import JobProgress, Transfer
from app.ui.job_bridge import JobBridge
from app.ui.models.file_table import human_size

#: Files in flight shown per job; the workers may run up to 16 at once.
SHOWN_TRANSFERS = 4
QUEUED_TEXT = "Queued: starts when a running job ends"
Pixmap = QStyle.StandardPixmap


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "time left unknown"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s left"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s left"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min left"


def progress_text(progress: JobProgress) -> str:
    """"12 of 40 files · 3.2 MB of 10.0 MB · 1.1 MB/s · 7 s left"."""
    parts = [f"{progress.files_done:,} of {progress.files_total:,} files"]
    if progress.bytes_total:
        parts.append(f"{human_size(progress.bytes_done)} of {human_size(progress.bytes_total)}")
        parts.append(f"{human_size(int(progress.rate))}/s")
        parts.append(duration(progress.eta))
    if progress.paused:
        parts.append("paused")
    return " · ".join(parts)


class JobCard(QFrame):
    """One job's progress. Its buttons act on the bridge; its labels only show events."""

    def __init__(self, bridge: JobBridge, name: str, queued: bool, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName(f"jobCard{bridge.job.id}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.bridge = bridge
        self.title = QLabel(name, self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(12)
        self.detail = QLabel(QUEUED_TEXT if queued else "Starting…", self)
        self.detail.setObjectName("jobDetail")
        self.transfers = QLabel(self)
        self.transfers.setObjectName("jobTransfers")
        self.transfers.setTextFormat(Qt.TextFormat.PlainText)
        self.transfers.hide()
        style = self.style()
        self.pause = QToolButton(self)
        self.pause.setObjectName("jobPause")
        self.pause.setIcon(style.standardIcon(Pixmap.SP_MediaPause))
        self.pause.setToolTip("Pause")
        self.pause.setEnabled(not queued)
        self.cancel = QToolButton(self)
        self.cancel.setObjectName("jobCancel")
        self.cancel.setIcon(style.standardIcon(Pixmap.SP_DialogCancelButton))
        self.cancel.setToolTip("Cancel: files not yet done are reported as cancelled")
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.addWidget(self.title, 0, 0)
        grid.addWidget(self.pause, 0, 1, 2, 1)
        grid.addWidget(self.cancel, 0, 2, 2, 1)
        grid.addWidget(self.bar, 1, 0)
        grid.addWidget(self.detail, 2, 0, 1, 3)
        grid.addWidget(self.transfers, 3, 0, 1, 3)
        grid.setColumnStretch(0, 1)
        self.pause.clicked.connect(self._toggle_pause)
        self.cancel.clicked.connect(self._cancel)
        bridge.started.connect(self._started)
        bridge.progress.connect(self.show_progress)

    def _started(self) -> None:
        self.pause.setEnabled(self.cancel.isEnabled())
        if self.detail.text() == QUEUED_TEXT:
            self.detail.setText("Starting…")

    def _toggle_pause(self) -> None:
        if self.bridge.paused:
            self.bridge.resume()
        else:
            self.bridge.pause()

    def _cancel(self) -> None:
        self.cancel.setEnabled(False)
        self.pause.setEnabled(False)
        self.detail.setText("Cancelling…")
        self.bridge.cancel()

    def show_progress(self, progress: JobProgress) -> None:
        if progress.bytes_total:
            self.bar.setValue(int(1000 * progress.bytes_done / progress.bytes_total))
        elif progress.files_total:
            self.bar.setValue(int(1000 * progress.files_done / progress.files_total))
        if self.cancel.isEnabled():
            self.detail.setText(progress_text(progress))
        paused = progress.paused
        self.pause.setIcon(self.style().standardIcon(
            Pixmap.SP_MediaPlay if paused else Pixmap.SP_MediaPause))
        self.pause.setToolTip("Resume" if paused else "Pause")
        self._show_transfers(progress.transfers)

    def _show_transfers(self, transfers: tuple[Transfer, ...]) -> None:
        lines = [_transfer_line(t) for t in transfers[:SHOWN_TRANSFERS]]
        if len(transfers) > SHOWN_TRANSFERS:
            lines.append(f"… and {len(transfers) - SHOWN_TRANSFERS} more")
        self.transfers.setText("\n".join(lines))
        self.transfers.setVisible(bool(lines))


def _transfer_line(transfer: Transfer) -> str:
    name = transfer.path.rstrip("/").rsplit("/", 1)[-1]
    if transfer.bytes_total:
        percent = 100 * transfer.bytes_done // transfer.bytes_total
        return f"  {name}  {percent}% of {human_size(transfer.bytes_total)}"
    return f"  {name}  {human_size(transfer.bytes_done)}"


class JobsPanel(QDockWidget):
    """Shown while jobs run, as a file manager shows its copy dialog; hidden when they end."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Jobs", parent)
        self.setObjectName("jobsPanel")
        self.cards: dict[int, JobCard] = {}
        self._list = QWidget(self)
        self._column = QVBoxLayout(self._list)
        self._column.setContentsMargins(4, 4, 4, 4)
        self._column.addStretch(1)
        self.empty = QLabel("No jobs are running.", self._list)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)
        self._column.insertWidget(0, self.empty)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._list)
        self.setWidget(scroll)

    def add(self, bridge: JobBridge, name: str, queued: bool) -> None:
        card = JobCard(bridge, name, queued, self._list)
        self.cards[bridge.job.id] = card
        self._column.insertWidget(self._column.count() - 1, card)
        self.empty.hide()
        self.show()
        bridge.ended.connect(lambda _: self._remove(bridge.job.id))

    def _remove(self, job_id: int) -> None:
        card = self.cards.pop(job_id, None)
        if card is not None:
            card.deleteLater()
        self.empty.setVisible(not self.cards)
        if not self.cards:
            self.hide()
