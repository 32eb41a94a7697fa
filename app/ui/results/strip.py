"""The results pane folded to one line: the newest job's counts and a button to open it.

The pane starts so, and stays so while jobs go well: the file table keeps the
height. A job with problems opens it; once the user opened it, it stays open
until they fold it again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from app.ui.results.model import ResultsModel

EMPTY = "No jobs yet: every file of every job shows here, with what the server said."


class ResultsStrip(QWidget):
    toggled = Signal(bool)  # True: the user wants the pane open

    def __init__(self, model: ResultsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultsStrip")
        self._model = model
        self.label = QLabel(EMPTY, self)
        self.label.setObjectName("resultsStripText")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.button = QToolButton(self)
        self.button.setObjectName("resultsStripToggle")
        self.button.setAutoRaise(True)
        self.button.setArrowType(Qt.ArrowType.UpArrow)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.button.setText("Show")
        self.button.clicked.connect(lambda: self.toggled.emit(self.button.text() == "Show"))
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        for signal in (
            model.rowsInserted,
            model.rowsRemoved,
            model.dataChanged,
            model.modelReset,
            model.layoutChanged,
        ):
            signal.connect(self.update_text)

    def update_text(self) -> None:
        records = self._model.records()
        if not records:
            self.label.setText(EMPTY)
            return
        newest = records[0]
        more = f"  (and {len(records) - 1} earlier)" if len(records) > 1 else ""
        self.label.setText(f"#{newest.number} {newest.name}: {newest.summary()}{more}")

    def set_open(self, shown: bool) -> None:
        self.button.setText("Hide" if shown else "Show")
        self.button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.UpArrow)
