"""Sync This Folder…: a new saved pair for the server folder the window shows.

The user picks the local folder, the direction and a name; the pair store
checks that both folders are free (no other pair syncs into them) and says
why not in words. Nothing is synced from here: the background sync picks
the new pair up and runs its first sync (whose plan keeps everything: with
no records, nothing is deleted).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.config.pairs import PairError, SavedPair
from app.ui.messages import readable
from app.ui.sync_dialog import DIRECTIONS
from app.ui.sync_service import SyncService


class AddPairDialog(QDialog):
    """url: the server folder's full URL; bookmark: the saved server it belongs to, if any."""

    def __init__(
        self,
        service: SyncService,
        url: str,
        bookmark: str | None,
        suggested_local: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("addPairDialog")
        self.setWindowTitle("Sync This Folder")
        self._service = service
        self._url = url
        self._bookmark = bookmark
        self.saved: SavedPair | None = None
        server = QLabel(url, self)
        server.setObjectName("addPairServer")
        server.setWordWrap(True)
        self.local = QLineEdit(suggested_local, self)
        self.local.setObjectName("addPairLocal")
        self.local.setPlaceholderText("The folder on this computer to keep in step")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        self.direction = QComboBox(self)
        self.direction.setObjectName("addPairDirection")
        for value, label in DIRECTIONS:
            self.direction.addItem(label, value.value)
        self.name = QLineEdit(self)
        self.name.setObjectName("addPairName")
        self.name.setPlaceholderText("The local folder's name")
        self.error = QLabel(self)
        self.error.setObjectName("addPairError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = self.buttons.addButton("Sync This Folder", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("addPairOk")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        row = QHBoxLayout()
        row.addWidget(self.local, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Server folder:", server)
        form.addRow("Local folder:", row)
        form.addRow("Direction:", self.direction)
        form.addRow("Name:", self.name)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            QLabel(
                "Davdesk then keeps both folders in step while it runs; the "
                "first sync keeps every file on both sides.",
                self,
            )
        )
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Local folder to sync", self.local.text())
        if folder:
            self.local.setText(folder)

    def save(self) -> None:
        local = self.local.text().strip()
        if not local or not Path(local).is_absolute():
            self._show_error("Choose the local folder (a full path).")
            return
        name = self.name.text().strip() or Path(local).name or "Pair"
        pair = SavedPair(
            name, local, self._url, self.direction.currentData(), bookmark=self._bookmark
        )
        self.ok.setEnabled(False)
        self._service.add(pair, self._saved)

    def _saved(self, saved: SavedPair | None, error: BaseException | None) -> None:
        self.ok.setEnabled(True)
        if error is not None:
            reason = str(error) if isinstance(error, PairError) else readable(error)
            self._show_error(f"Cannot sync this folder: {reason}")
            return
        self.saved = saved
        self.accept()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
