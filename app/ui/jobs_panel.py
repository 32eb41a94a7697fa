"""The jobs panel: each running and queued job with its progress, pause and cancel.

One card per job: an overall bar (bytes where the job moves bytes, files
otherwise), "files and bytes done of total", then "rate · time left", and a
line per file in flight. A finished job's card goes away: its Outcomes are in
the results pane, where the user acts on them.

The panel sits beside the results pane, where the window leaves it little
room: it is never narrower than a progress line, long names are shortened
(their whole text in the tooltip) and lines wrap between their parts, so the
pause and cancel buttons never scroll out of sight.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QResizeEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QGridLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.jobs.model import JobProgress, Transfer
from app.ui.icons import themed_icon
from app.ui.job_bridge import JobBridge
from app.ui.models.file_table import human_size

#: Files in flight shown per job; the workers may run up to 16 at once.
SHOWN_TRANSFERS = 4
QUEUED_TEXT = "Queued: starts when a running job ends"
#: The widest line a card commonly shows: the panel is never narrower.
WIDEST_LINE = "12,345 of 12,345 files · 888.8 MB of 888.8 MB"
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
    """ "12 of 40 files · 3.2 MB of 10.0 MB" over "1.1 MB/s · 7 s left".

    The time left is the engine's, from the files rate and the byte rate both
    (see app/jobs/progress.py); a job that moves no bytes (delete, new folders)
    shows its files a second.
    """
    counts = [f"{progress.files_done:,} of {progress.files_total:,} files"]
    if progress.bytes_total:
        counts.append(f"{human_size(progress.bytes_done)} of {human_size(progress.bytes_total)}")
    if progress.paused:
        pace = "paused"
    elif progress.bytes_total:
        pace = f"{human_size(int(progress.rate))}/s · {duration(progress.eta)}"
    elif progress.files_rate is None:
        pace = duration(None)
    else:
        pace = f"{_files_per_second(progress.files_rate)} · {duration(progress.eta)}"
    return f"{' · '.join(counts)}\n{pace}"


def _files_per_second(rate: float) -> str:
    return f"{rate:.1f} files/s" if rate < 10 else f"{rate:,.0f} files/s"


class ElidedLabel(QLabel):
    """A label that shortens each of its lines to its width ("…"), the whole text in its
    tooltip: a long name must not make the panel wider than the window gives it.
    text() is the whole text."""

    def __init__(self, text: str, mode: Qt.TextElideMode, parent: QWidget) -> None:
        super().__init__(parent)
        self._whole = ""
        self._mode = mode
        self.setTextFormat(Qt.TextFormat.PlainText)  # a server's names are never markup
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def text(self) -> str:
        return self._whole

    def setText(self, text: str) -> None:
        self._whole = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics, width = self.fontMetrics(), max(self.contentsRect().width(), 1)
        super().setText(
            "\n".join(
                metrics.elidedText(line, self._mode, width) for line in self._whole.split("\n")
            )
        )


class JobCard(QFrame):
    """One job's progress. Its buttons act on the bridge; its labels only show events."""

    def __init__(self, bridge: JobBridge, name: str, queued: bool, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName(f"jobCard{bridge.job.id}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.bridge = bridge
        self.title = ElidedLabel(name, Qt.TextElideMode.ElideRight, self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.detail = QLabel(QUEUED_TEXT if queued else "Starting…", self)
        self.detail.setObjectName("jobDetail")
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setWordWrap(True)  # between words: a narrow panel shows two short lines
        self.transfers = ElidedLabel("", Qt.TextElideMode.ElideMiddle, self)
        self.transfers.setObjectName("jobTransfers")
        self.transfers.hide()
        style = self.style()
        self.pause = QToolButton(self)
        self.pause.setObjectName("jobPause")
        self.pause.setIcon(style.standardIcon(Pixmap.SP_MediaPause))
        self.pause.setToolTip("Pause")
        self.pause.setEnabled(not queued)
        self.cancel = QToolButton(self)
        self.cancel.setObjectName("jobCancel")
        self.cancel.setIcon(
            themed_icon(
                QIcon.ThemeIcon.ProcessStop, style.standardIcon(Pixmap.SP_DialogCancelButton)
            )
        )
        self.cancel.setToolTip("Cancel: files not yet done are reported as cancelled")
        for button in (self.pause, self.cancel):
            button.setAutoRaise(True)  # a card is small: flat buttons, their icons say it
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 2, 4, 6)  # compact: three cards fit the panel's height
        grid.setVerticalSpacing(3)
        grid.addWidget(self.title, 0, 0)
        grid.addWidget(self.pause, 0, 1)
        grid.addWidget(self.cancel, 0, 2)
        grid.addWidget(self.bar, 1, 0, 1, 3)
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
        self.bar.setValue(int(1000 * progress.fraction))  # files and bytes, by their time
        if self.cancel.isEnabled():
            self.detail.setText(progress_text(progress))
        paused = progress.paused
        self.pause.setIcon(
            self.style().standardIcon(Pixmap.SP_MediaPlay if paused else Pixmap.SP_MediaPause)
        )
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
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance(WIDEST_LINE) + 36)
        self.cards: dict[int, JobCard] = {}
        self._list = QWidget(self)
        self._column = QVBoxLayout(self._list)
        self._column.setContentsMargins(4, 4, 4, 4)
        self._column.setSpacing(4)
        self._column.addStretch(1)
        self.empty = QLabel("No jobs are running.", self._list)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)
        self._column.insertWidget(0, self.empty)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        # The cards fit the width they get: nothing, least of all cancel, is off to the side.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self._list)
        self.setWidget(scroll)

    def wanted_height(self) -> int:
        """The height that shows every card without scrolling, the dock's title bar with it."""
        return self._list.sizeHint().height() + self.fontMetrics().height() + 16

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
