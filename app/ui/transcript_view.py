"""The transcript view: every request and answer since the app started, one line each.

It polls the client's Transcript a few times a second rather than taking a
signal per request: a 10,000-file job makes ten thousand requests, and the
view needs them in batches, not one queued call each. Credentials were
redacted when the lines were recorded.

Save to Log writes the lines to a file of their own in the log folder, beside
davdesk.log, and logs one line naming it: a transcript of 200,000 requests is
tens of megabytes, and as a log record it would rotate every earlier log out
(the log keeps 1 MB, three times). The file passes the log's redaction too,
as it is meant for a bug report. Save As writes where the user chooses. Both
write on a pool thread.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.dav.transcript import Transcript
from app.logs import LOG_FILE, redact
from app.ui.background import Background
from app.ui.messages import readable

log = logging.getLogger(__name__)
POLL_MS = 300


def save_beside_log(folder: Path, text: str, lines: int, now: datetime | None = None) -> Path:
    """Write the transcript to davdesk-transcript-<time>.txt in the log folder; the log says
    where in one short line. Runs on a pool thread."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S-%f")
    path = folder / f"davdesk-transcript-{stamp}.txt"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(redact(text) + "\n", encoding="utf-8")
    log.info("HTTP transcript, %d lines, saved to %s", lines, path)
    return path


class TranscriptView(QDockWidget):
    message = Signal(str)

    def __init__(
        self,
        transcript: Transcript,
        background: Background,
        parent: QWidget | None = None,
        *,
        log_folder: Path,
    ) -> None:
        """log_folder: where Save to Log writes (the log's folder, AppPaths' log)."""
        super().__init__("Transcript", parent)
        self.setObjectName("transcriptView")
        self._transcript = transcript
        self._background = background
        self.log_folder = log_folder
        self._seen = 0
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("transcriptText")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setMaximumBlockCount(transcript.keep_lines)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlaceholderText("Requests to the server appear here as they are made.")
        self.count = QLabel(self)
        to_log = QPushButton("Save to Log Folder", self)
        to_log.setObjectName("transcriptToLog")
        to_log.setToolTip(
            f"Write these lines to a file of their own in Davdesk's log folder, "
            f"beside {LOG_FILE}, to attach to a bug report:\n{self.log_folder}"
        )
        to_file = QPushButton("Save As…", self)
        to_file.setObjectName("transcriptSaveAs")
        row = QHBoxLayout()
        row.addWidget(self.count, 1)
        row.addWidget(to_log)
        row.addWidget(to_file)
        body = QWidget(self)
        column = QVBoxLayout(body)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(self.text, 1)
        column.addLayout(row)
        self.setWidget(body)
        to_log.clicked.connect(self.save_to_log)
        to_file.clicked.connect(self._save_as)
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self.poll)
        self._timer.start()
        self.poll()

    def poll(self) -> None:
        """Show what was recorded since the last poll, keeping the view at the end if it was."""
        lines, self._seen = self._transcript.since(self._seen)
        if not lines:
            return
        bar = self.text.verticalScrollBar()
        at_end = bar.value() == bar.maximum()
        self.text.appendPlainText("\n".join(line.line() for line in lines))
        if at_end:
            bar.setValue(bar.maximum())
        dropped = self._transcript.dropped
        note = f" (the {dropped:,} oldest no longer kept)" if dropped else ""
        self.count.setText(f"{self._seen:,} requests{note}")

    def save_to_log(self) -> None:
        transcript, folder = self._transcript, self.log_folder
        # Formatted on the pool thread: 200,000 lines take a while.
        self._background.submit(
            lambda: save_beside_log(folder, transcript.text(), len(transcript.lines())),
            lambda path, error: self._saved(f"the log folder: {path or folder}", error),
        )

    def _save_as(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Save Transcript", "davdesk-transcript.txt", "Text (*.txt)"
        )
        if name:
            self.save_to(Path(name))

    def save_to(self, path: Path) -> None:
        transcript = self._transcript
        self._background.submit(
            lambda: path.write_text(transcript.text() + "\n", encoding="utf-8"),
            lambda _, error: self._saved(str(path), error),
        )

    def _saved(self, where: str, error: BaseException | None) -> None:
        if error is not None:
            self.message.emit(f"Could not save the transcript to {where}: {readable(error)}")
        else:
            self.message.emit(f"Transcript saved to {where}")
