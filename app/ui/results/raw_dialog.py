"""The raw exchanges behind an Outcome: what was sent and what the server answered, verbatim.

A parsed Outcome says what Davdesk understood; when a server misbehaves the
user (or whoever they report it to) needs the bytes. Credentials were
redacted when the exchange was recorded, so this can be copied into a bug
report as it is.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.dav import Outcome
from app.jobs.model import TaskResult

_RULE = "─" * 72


def raw_text(outcome: Outcome, result: TaskResult) -> str:
    """Every request of the task, in order: retries and checks show as what they were."""
    if not result.exchanges:
        return ("No request went out for this file: "
                f"{outcome.reason}{f' – {outcome.detail}' if outcome.detail else ''}")
    parts = []
    for number, exchange in enumerate(result.exchanges, 1):
        parts += [f"Request {number} of {len(result.exchanges)}", _RULE, exchange.raw_text(), ""]
    return "\n".join(parts).rstrip()


class RawResponseDialog(QDialog):
    def __init__(self, outcome: Outcome, result: TaskResult, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rawResponse")
        self.setWindowTitle(f"Raw response – {outcome.path}")
        status = f"{outcome.status} {outcome.reason}" if outcome.status else outcome.reason
        heading = QLabel(f"{outcome.op.upper()} {outcome.path}: {status}"
                         f" (from the {outcome.source.value}, attempt {outcome.attempt})", self)
        heading.setTextFormat(Qt.TextFormat.PlainText)  # a server's name is never markup
        heading.setWordWrap(True)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("rawText")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText(raw_text(outcome, result))
        note = QLabel("Authorization and cookie values are redacted.", self)
        note.setEnabled(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = buttons.addButton("Copy All", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.text.toPlainText()))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.text, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(820, 560)
