"""The trash bin's items as a table: name, where it was, when it was deleted, size.

A trash bin holds what one user deleted (hundreds of items, not the
100,000 of a big folder), so the rows are TrashItems as they came and a
QSortFilterProxyModel sorts them by SORT_ROLE: dates and sizes sort as
values, never as the text shown.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon

from app.nextcloud.trash import TrashItem
from app.ui.models.file_table import human_size
from app.ui.models.headers import header_data

Index = QModelIndex | QPersistentModelIndex

NAME, LOCATION, DELETED, SIZE = range(4)
HEADERS = ("Name", "Original location", "Deleted", "Size")
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
_OLDEST = datetime.min.replace(tzinfo=UTC)


def original_folder(item: TrashItem) -> str:
    """The folder an item was deleted from, as "/Docs/inner" ("/" for the top of the files)."""
    return "/" + posixpath.dirname(item.original_location.strip("/"))


class TrashModel(QAbstractTableModel):
    def __init__(self, folder_icon: QIcon, file_icon: QIcon, parent: Any = None) -> None:
        super().__init__(parent)
        self._icons = (file_icon, folder_icon)
        self._items: list[TrashItem] = []

    @property
    def items(self) -> list[TrashItem]:
        return self._items

    def replace(self, items: Sequence[TrashItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item(self, row: int) -> TrashItem:
        return self._items[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return header_data(HEADERS, (SIZE,), section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._items[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, column)
        if role == SORT_ROLE:
            return self._key(item, column)
        if role == Qt.ItemDataRole.DecorationRole and column == NAME:
            return self._icons[item.is_dir]
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.original_location if column in (NAME, LOCATION) else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == SIZE:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == ITEM_ROLE:
            return item
        return None

    @staticmethod
    def _text(item: TrashItem, column: int) -> str:
        if column == NAME:
            return item.name
        if column == LOCATION:
            return original_folder(item)
        if column == DELETED:
            return item.deleted.astimezone().strftime("%Y-%m-%d %H:%M") if item.deleted else ""
        return human_size(item.size)

    @staticmethod
    def _key(item: TrashItem, column: int) -> Any:
        """Strings compare casefolded; dates and sizes as the values they are."""
        if column == DELETED:
            return (item.deleted or _OLDEST).timestamp()
        if column == SIZE:
            return item.size or 0
        return TrashModel._text(item, column).casefold()
