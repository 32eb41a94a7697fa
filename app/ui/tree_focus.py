"""Which of the two views the window's operations act on: the tree's folder or the table's rows.

With the focus in the folder tree, Delete, Rename, Copy and Download act on
the folder selected there, as in a file manager; anywhere else on the table's
selection. The tree's top folder (the share itself) is never a target: it
cannot be deleted, renamed or moved from inside itself.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal

from app.dav.paths import same_resource
from app.ui.file_view import FolderTreeView
from app.ui.models.folder_tree import PATH_ROLE


class TreeFocus(QObject):
    """Says when the tree gains or loses the focus, or its current folder changes."""

    changed = Signal()

    def __init__(self, tree: FolderTreeView, root: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tree = tree
        self._root = root
        tree.installEventFilter(self)
        tree.selectionModel().currentChanged.connect(lambda *_: self.changed.emit())

    @property
    def active(self) -> bool:
        return self._tree.hasFocus()

    def folder(self) -> str | None:
        """The tree's current folder while it has the focus; None for the share's top."""
        path = self._tree.currentIndex().data(PATH_ROLE)
        if not self.active or not path or same_resource(path, self._root):
            return None
        return str(path)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self.changed.emit()
        return False
