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

from app.dav import Outcome, words
from app.jobs.model import TaskResult

_RULE = "─" * 72


def raw_text(outcome: Outcome, result: TaskResult) -> str:
    """Every request of the task, in order: retries and checks show as what they were."""
    if not result.exchanges:
        return (
            "No request went out for this file: "
            f"{outcome.reason}{f' – {outcome.detail}' if outcome.detail else ''}"
        )
    parts = []
    for number, exchange in enumerate(result.exchanges, 1):
        parts += [f"Request {number} of {len(result.exchanges)}", _RULE, exchange.raw_text(), ""]
    return "\n".join(parts).rstrip()


def heading_text(outcome: Outcome, note: str) -> str:
    """What the dialog says above the bytes: the status, then the server's words and
    Davdesk's, each under its own name so nobody mistakes one for the other."""
    condition = f", condition {outcome.error}" if outcome.error else ""
    trouble = words.problem(outcome)
    return "\n".join(
        [
            f"{words.action(outcome)}" + (f": {trouble}" if trouble else ""),
            (
                f"{outcome.op.upper()} {outcome.path}: {outcome.status_line}{condition}"
                f" (from the {outcome.source.value}, attempt {outcome.attempt})"
            ),
            f"Server said: {outcome.description or '(nothing in words)'}",
            f"Davdesk's note: {note or '(none)'}",
        ]
    )


class RawResponseDialog(QDialog):
    def __init__(
        self, outcome: Outcome, result: TaskResult, note: str, parent: QWidget | None = None
    ) -> None:
        """note: Davdesk's words on the row (the results pane's note column)."""
        super().__init__(parent)
        self.setObjectName("rawResponse")
        self.setWindowTitle(f"Raw response – {outcome.path}")
        self.heading = QLabel(heading_text(outcome, note), self)
        self.heading.setObjectName("rawHeading")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)  # a server's words are never markup
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("rawText")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText(raw_text(outcome, result))
        redacted = QLabel("Authorization and cookie values are redacted.", self)
        redacted.setEnabled(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = buttons.addButton("Copy All", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(
                f"{self.heading.text()}\n\n{self.text.toPlainText()}"
            )
        )
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.text, 1)
        layout.addWidget(redacted)
        layout.addWidget(buttons)
        self.resize(820, 560)
