"""Delete Here Too and Restore Files: the user's word on the deletes a pair holds back.

When every synced file of a pair went from one side at once (an emptied
server folder, an unmounted disk), background sync deletes nothing on the
other side (app/sync/guard.py) and the pair needs attention. The Sync
panel offers these two actions for such a pair: delete the files on this
side too (asked first: they are gone for good), or restore them (their
records are forgotten, so the next run copies them back). Either goes to
the pair's next run, which comes at once; the guard holds again after it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMessageBox, QWidget

from app.config.pairs import SavedPair
from app.sync.guard import MassDelete
from app.ui.icons import themed_icon
from app.ui.sync_service import SyncService

#: The action's text by the side whose files would be deleted (PairStatus.held).
_DELETE_TEXT = {"local": "Delete Here Too", "server": "Delete on Server Too"}


def delete_text(side: str) -> str:
    """Delete Here Too, or Delete on Server Too where the files to delete are there."""
    return _DELETE_TEXT.get(side, _DELETE_TEXT["local"])


class HeldDeleteActions:
    """The two actions of the Sync panel, shown while the selected pair holds deletes back."""

    def __init__(
        self,
        parent: QWidget,
        service: SyncService,
        selected: Callable[[], SavedPair | None],
    ) -> None:
        self._parent = parent
        self._service = service
        self._selected = selected
        #: Per pair, the status time when its word was given: not given twice for one look.
        self._given: dict[str, float] = {}
        self.delete_action = QAction(
            themed_icon(QIcon.ThemeIcon.EditDelete, QIcon()), _DELETE_TEXT["local"], parent
        )
        self.delete_action.setObjectName("syncAllowDeletes")
        self.delete_action.triggered.connect(self.delete_too)
        self.restore_action = QAction(
            themed_icon(QIcon.ThemeIcon.EditUndo, QIcon()), "Restore Files", parent
        )
        self.restore_action.setObjectName("syncRestoreFiles")
        self.restore_action.triggered.connect(self.restore)
        for action in self.all:  # until update() finds a pair that holds deletes back
            action.setVisible(False)
            action.setEnabled(False)

    @property
    def all(self) -> list[QAction]:
        return [self.delete_action, self.restore_action]

    def _held(self) -> tuple[SavedPair, str, str] | None:
        """The selected pair, the side whose files the guard keeps, and why (its words)."""
        pair = self._selected()
        status = self._service.status(pair.name) if pair is not None else None
        if pair is None or status is None or status.held is None:
            return None
        if self._given.get(pair.name) == status.updated:
            return None  # the word is on its way to the pair's next run
        why = next((why for path, why in status.refused if not path), "")
        return pair, status.held, why

    def update(self) -> None:
        """Shown and enabled only for a selected pair that holds deletes back."""
        held = self._held()
        side = held[1] if held is not None else "local"
        where = "here" if side == "local" else "on the server"
        gone = "on the server" if side == "local" else "here"
        self.delete_action.setText(_DELETE_TEXT[side])
        tip = f"Every synced file was deleted {gone}: delete them {where} too"
        self.delete_action.setToolTip(tip)
        self.delete_action.setStatusTip(tip)
        tip = f"Every synced file was deleted {gone}: copy them back from {where}"
        self.restore_action.setToolTip(tip)
        self.restore_action.setStatusTip(tip)
        for action in self.all:
            action.setVisible(held is not None)
            action.setEnabled(held is not None)

    def delete_too(self) -> None:
        held = self._held()
        if held is None:
            return
        pair, side, why = held
        folder = pair.local if side == "local" else pair.url
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            _DELETE_TEXT[side],
            f"Delete every synced file of “{pair.name}” in {folder} too?",
            parent=self._parent,
        )
        box.setObjectName("syncAllowDeletesConfirm")
        box.setInformativeText(
            f"{why[:1].upper()}{why[1:]}.\n\nChoose Restore Files instead to copy them back."
        )
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is delete:
            self._give(pair, MassDelete.ALLOW)

    def restore(self) -> None:
        held = self._held()
        if held is not None:
            self._give(held[0], MassDelete.RESTORE)

    def _give(self, pair: SavedPair, word: MassDelete) -> None:
        status = self._service.status(pair.name)
        if status is not None:
            self._given[pair.name] = status.updated
        self._service.decide(pair.name, word)
        self.update()
