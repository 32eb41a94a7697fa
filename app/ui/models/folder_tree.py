"""The folder tree, loaded lazily: one PROPFIND Depth 1 per folder the user expands.

Only folders are kept. Nothing is listed until the view asks (canFetchMore /
fetchMore on expansion), so a share with thousands of folders costs nothing
until it is browsed. A folder's children are also brought up to date from
the file table's listing of it, so the tree never needs a second request for
a folder the user has opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QIcon

from app.dav import DavClient, Resource
from app.dav.paths import join, same_resource
from app.dav.xmlbodies import BASIC_PROPS
from app.jobs.naming import name_key
from app.ui.background import Background
from app.ui.messages import readable
from app.ui.models.file_table import local_files
from app.ui.models.listing_cache import folder_path

Index = QModelIndex | QPersistentModelIndex
PATH_ROLE = Qt.ItemDataRole.UserRole + 2


class _Node:
    __slots__ = ("children", "fetched", "loading", "name", "parent", "path")

    def __init__(self, name: str, path: str, parent: _Node | None) -> None:
        self.name = name
        self.path = path
        self.parent = parent
        self.children: list[_Node] = []
        self.fetched = False
        self.loading = False

    def row(self) -> int:
        return self.parent.children.index(self) if self.parent else 0


def list_folders(client: DavClient, path: str) -> list[Resource]:
    """Runs on a worker thread: the subfolders of path."""
    return [
        r
        for r in client.propfind(path, 1, BASIC_PROPS)
        if r.is_dir and not same_resource(r.path, path)
    ]


class FolderTreeModel(QAbstractItemModel):
    revealed = Signal(QModelIndex)  # the folder asked for by reveal(), now loaded
    files_dropped = Signal(list, str)  # local Paths, server folder to upload into
    failed = Signal(str)  # a folder could not be listed

    def __init__(
        self,
        client: DavClient,
        background: Background,
        root_label: str,
        icon: QIcon,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._background = background
        self._icon = icon
        self._root = _Node(root_label, folder_path(client.root), None)
        self._reveal_target: str | None = None

    # -- structure ------------------------------------------------------------

    def _node(self, index: Index) -> _Node | None:
        return index.internalPointer() if index.isValid() else None

    def _index_of(self, node: _Node) -> QModelIndex:
        return self.createIndex(node.row(), 0, node)

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        node = self._node(parent)
        children = node.children if node else [self._root]
        if column != 0 or not 0 <= row < len(children):
            return QModelIndex()
        return self.createIndex(row, 0, children[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        node = self._node(index)
        if node is None or node.parent is None:
            return QModelIndex()
        return self._index_of(node.parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        node = self._node(parent)
        return len(node.children) if node else 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 1

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:
        node = self._node(parent)
        return node is None or not node.fetched or bool(node.children)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self._node(index)
        if node is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return node.name
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon
        if role in (Qt.ItemDataRole.ToolTipRole, PATH_ROLE):
            return node.path
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flag = Qt.ItemFlag
        return flag.ItemIsEnabled | flag.ItemIsSelectable | flag.ItemIsDropEnabled

    def _find(self, path: str) -> _Node | None:
        node = self._root
        if not path.startswith(node.path):
            return None
        for segment in (s for s in path[len(node.path) :].split("/") if s):
            child = next((c for c in node.children if name_key(c.name) == name_key(segment)), None)
            if child is None:
                return None
            node = child
        return node

    # -- lazy loading -----------------------------------------------------------

    def canFetchMore(self, parent: Index) -> bool:
        node = self._node(parent)
        return node is not None and not node.fetched and not node.loading

    def fetchMore(self, parent: Index) -> None:
        node = self._node(parent)
        if node is not None and not node.loading:
            self._fetch(node)

    def _fetch(self, node: _Node) -> None:
        node.loading = True
        path = node.path
        self._background.submit(
            lambda: list_folders(self._client, path),
            lambda result, error: self._fetched(path, result, error),
        )

    def _fetched(
        self, path: str, folders: list[Resource] | None, error: BaseException | None
    ) -> None:
        node = self._find(path)
        if node is None:
            return  # removed while it was being listed
        node.loading = False
        if error is not None:
            node.fetched = True
            self.dataChanged.emit(self._index_of(node), self._index_of(node))
            self.failed.emit(f"Could not list {path}: {readable(error)}")
            self._reveal_target = None
            return
        self._sync(node, [r.name for r in folders or ()])
        self._continue_reveal()

    def refresh(self, path: str) -> None:
        """List a folder again if it was listed before (after a job changed it)."""
        node = self._find(folder_path(path))
        if node is not None and node.fetched and not node.loading:
            self._fetch(node)

    def set_folders(self, path: str, names: Sequence[str]) -> None:
        """Bring a folder's children up to date from a listing taken elsewhere (the table's)."""
        node = self._find(folder_path(path))
        if node is not None:
            self._sync(node, names)
            self._continue_reveal()

    def _sync(self, node: _Node, names: Sequence[str]) -> None:
        """Remove the children that are gone and insert the new ones in order, keeping the rest
        (and what is loaded and expanded below them)."""
        wanted = sorted(set(names), key=lambda n: (n.casefold(), n))
        keys = {name_key(n) for n in wanted}
        parent = self._index_of(node)
        for row in reversed(range(len(node.children))):
            if name_key(node.children[row].name) not in keys:
                self.beginRemoveRows(parent, row, row)
                del node.children[row]
                self.endRemoveRows()
        present = {name_key(c.name) for c in node.children}
        for name in wanted:
            if name_key(name) in present:
                continue
            key = (name.casefold(), name)
            row = next(
                (
                    i
                    for i, child in enumerate(node.children)
                    if (child.name.casefold(), child.name) > key
                ),
                len(node.children),
            )
            self.beginInsertRows(parent, row, row)
            node.children.insert(row, _Node(name, folder_path(join(node.path, name)), node))
            self.endInsertRows()
        was_fetched, node.fetched = node.fetched, True
        if not was_fetched and not node.children:
            self.dataChanged.emit(parent, parent)  # no expansion arrow any more

    # -- revealing a folder the user went to by other means ----------------------

    def reveal(self, path: str) -> None:
        """Load the folders down to path, then emit revealed() with its index."""
        self._reveal_target = folder_path(path)
        self._continue_reveal()

    def _continue_reveal(self) -> None:
        target = self._reveal_target
        if target is None:
            return
        node = self._root
        if not target.startswith(node.path):
            self._reveal_target = None
            return
        for segment in (s for s in target[len(node.path) :].split("/") if s):
            if not node.fetched:
                if not node.loading:
                    self._fetch(node)
                return  # goes on when the listing arrives
            child = next((c for c in node.children if name_key(c.name) == name_key(segment)), None)
            if child is None:
                self._reveal_target = None
                return
            node = child
        self._reveal_target = None
        self.revealed.emit(self._index_of(node))

    # -- drops from the file manager ---------------------------------------------

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list"]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        return parent.isValid() and bool(local_files(data))

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        node = self._node(parent)
        paths: list[Path] = local_files(data)
        if node is None or not paths:
            return False
        self.files_dropped.emit(paths, node.path)
        return True
