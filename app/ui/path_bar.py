"""The breadcrumb path bar: a button per folder above this one, or a line to type a path into.

Clicking the empty part of the bar (or Ctrl+L) turns it into an editable
line, as in the desktop's file managers; Enter goes there, Escape goes back.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QFontMetrics, QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QSizePolicy,
    QStackedLayout,
    QToolButton,
    QWidget,
)

_CRUMB_WIDTH = 220  # px; a longer folder name is elided in the middle, its tooltip has it whole


class _PathEdit(QLineEdit):
    cancelled = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.cancelled.emit()


class _Crumbs(QWidget):
    """The buttons; a click on the space after them asks for the editable line."""

    clicked_empty = Signal()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked_empty.emit()
        super().mousePressEvent(event)


class PathBar(QWidget):
    path_chosen = Signal(str)  # a server path from a crumb, or text the user typed

    def __init__(self, root: str, root_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pathBar")
        self.setAccessibleName("Location")
        self._root = root.rstrip("/") + "/"
        self._root_label = root_label
        self._path = self._root
        self._crumbs = _Crumbs(self)
        self._crumb_layout = QHBoxLayout(self._crumbs)
        self._crumb_layout.setContentsMargins(0, 0, 0, 0)
        self._crumb_layout.setSpacing(0)
        self._buttons: list[QToolButton] = []
        self._crumbs.clicked_empty.connect(self.edit)
        self.line = _PathEdit(self)
        self.line.setObjectName("pathEdit")
        self.line.setPlaceholderText("Type a path and press Enter")
        self.line.returnPressed.connect(self._typed)
        self.line.cancelled.connect(self._show_crumbs)
        self._stack = QStackedLayout(self)
        self._stack.setContentsMargins(0, 0, 0, 0)
        self._stack.addWidget(self._crumbs)
        self._stack.addWidget(self.line)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.set_path(self._root)

    @property
    def path(self) -> str:
        return self._path

    def set_path(self, path: str) -> None:
        self._path = path
        self.line.setText(path)
        for button in self._buttons:
            button.hide()  # gone now, not when the event loop deletes it
            button.deleteLater()
        self._buttons = []
        while self._crumb_layout.count():
            self._crumb_layout.takeAt(0)
        below = path[len(self._root) :] if path.startswith(self._root) else path.lstrip("/")
        target = self._root
        crumbs = [(self._root_label, target)]
        for segment in (s for s in below.split("/") if s):
            target = f"{target}{segment}/"
            crumbs.append((segment, target))
        for number, (label, target) in enumerate(crumbs):
            button = QToolButton(self._crumbs)
            button.setAutoRaise(True)
            text = label if number == 0 else f"› {label}"
            button.setText(
                QFontMetrics(button.font())
                .elidedText(text, Qt.TextElideMode.ElideMiddle, _CRUMB_WIDTH)
                .replace("&", "&&")
            )
            button.setToolTip(target)
            button.setCheckable(True)
            button.setChecked(number == len(crumbs) - 1)
            button.clicked.connect(lambda _=False, t=target: self._crumb(t))
            self._crumb_layout.addWidget(button)
            self._buttons.append(button)
        self._crumb_layout.addStretch(1)
        self._fit()

    def edit(self) -> None:
        """Show the editable line with the current path selected, ready to be typed over."""
        self.line.setText(self._path)
        self._stack.setCurrentWidget(self.line)
        self.line.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.line.selectAll()

    def _show_crumbs(self) -> None:
        self._stack.setCurrentWidget(self._crumbs)

    def _crumb(self, target: str) -> None:
        for button in self._buttons:
            button.setChecked(button.toolTip() == self._path)
        self.path_chosen.emit(target)

    def _typed(self) -> None:
        text = self.line.text().strip()
        self._show_crumbs()
        if text:
            self.path_chosen.emit(text)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Hide the leading crumbs that do not fit; the current folder always shows."""
        available = max(self.width(), 1)
        used = 0
        for button in reversed(self._buttons):
            width = button.sizeHint().width()
            button.setVisible(used + width <= available or button is self._buttons[-1])
            used += width
