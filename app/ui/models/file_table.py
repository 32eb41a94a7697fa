"""The current folder as a table model: name, size, modified, type.

Rows arrive in batches while a listing streams, each batch one
beginInsertRows, so a 100,000-entry folder fills in without freezing the
window. Sorting is done here, not by QSortFilterProxyModel: the proxy would
call data() from C++ for every comparison (millions of Python calls for a big
folder), while here the order is computed once, on a worker thread, from
plain keys. The proxy only filters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QIcon

from app.dav import Resource
from app.dav.paths import basename
from app.ui.background import Background
from app.ui.models.listing_cache import (
    ROW_IS_DIR,
    ROW_MODIFIED,
    ROW_PATH,
    ROW_SIZE,
    ROW_TYPE,
    Row,
    as_resource,
)

Index = QModelIndex | QPersistentModelIndex

NAME, SIZE, MODIFIED, TYPE = range(4)
HEADERS = ("Name", "Size", "Modified", "Type")
RESOURCE_ROLE = Qt.ItemDataRole.UserRole + 1


def human_size(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1000:
        return f"{size} B"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1000
        if value < 1000 or unit == "TB":
            return f"{value:.1f} {unit}"
    return f"{size} B"


def _sort_key(column: int) -> Callable[[Row], Any]:
    def name(row: Row) -> str:
        return basename(row[ROW_PATH]).casefold()

    if column == SIZE:
        return lambda r: (r[ROW_SIZE] or 0, name(r))
    if column == MODIFIED:
        return lambda r: (r[ROW_MODIFIED].timestamp() if r[ROW_MODIFIED] else 0.0, name(r))
    if column == TYPE:
        return lambda r: ((r[ROW_TYPE] or "").casefold(), name(r))
    return name


def sorted_order(rows: Sequence[Row], column: int, order: Qt.SortOrder) -> list[int]:
    """Row numbers in display order: folders first in either direction, as file managers do."""
    key = _sort_key(column)
    ranked = sorted(range(len(rows)), key=lambda i: key(rows[i]),
                    reverse=order == Qt.SortOrder.DescendingOrder)
    return [i for i in ranked if rows[i][ROW_IS_DIR]] + [i for i in ranked if not rows[i][ROW_IS_DIR]]


def local_files(mime: QMimeData) -> list[Path]:
    """The local files of a drop from a file manager; empty unless every URL is a local file."""
    urls = mime.urls() if mime.hasUrls() else []
    if not urls or not all(url.isLocalFile() for url in urls):
        return []
    return [Path(url.toLocalFile()) for url in urls]


class FileTableModel(QAbstractTableModel):
    """Rows (see listing_cache.Row) in display order; renames and drops are requests, not edits."""

    rename_requested = Signal(object, str)  # Resource, new name
    files_dropped = Signal(list, str)  # local Paths, server folder to upload into

    def __init__(self, background: Background, folder_icon: QIcon, file_icon: QIcon,
                 url_of: Callable[[str], str], parent: Any = None) -> None:
        super().__init__(parent)
        self._background = background
        self._icons = (file_icon, folder_icon)
        self._url_of = url_of
        self._rows: list[Row] = []
        self._folder = "/"
        self._generation = 0  # bumped by every change of the rows, so a stale sort is dropped
        self._request = 0  # bumped by every sort request: only the latest is applied
        self._waiting: list[Callable[[], None]] = []
        self._sort = (NAME, Qt.SortOrder.AscendingOrder)

    # -- filling ------------------------------------------------------------

    @property
    def folder(self) -> str:
        return self._folder

    @property
    def rows(self) -> list[Row]:
        return self._rows

    def resource(self, row: int) -> Resource:
        return as_resource(self._rows[row])

    def clear(self, folder: str) -> None:
        self.replace(folder, ())

    def replace(self, folder: str, rows: Iterable[Row],
                then: Callable[[], None] | None = None) -> None:
        """Show another listing whole (from the cache, or a quiet refresh), then sort it."""
        self.beginResetModel()
        self._folder = folder
        self._rows = list(rows)
        self._generation += 1
        self.endResetModel()
        self.resort(then)

    def append(self, batch: Sequence[Row]) -> None:
        if not batch:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(batch) - 1)
        self._rows.extend(batch)
        self._generation += 1
        self.endInsertRows()

    def row_of(self, name: str) -> int:
        return next((i for i, r in enumerate(self._rows) if basename(r[ROW_PATH]) == name), -1)

    # -- sorting --------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self.resort()

    def resort(self, then: Callable[[], None] | None = None) -> None:
        """Order the rows by the current sort on a worker thread, then call then().

        Only the latest request is applied, and only to the rows it was computed
        for; callbacks wait for the first sort that is applied.
        """
        if then is not None:
            self._waiting.append(then)
        self._request += 1
        rows, generation, request = tuple(self._rows), self._generation, self._request
        column, order = self._sort
        if len(rows) < 2:
            self._sorted()
            return
        self._background.submit(lambda: sorted_order(rows, column, order),
                                lambda result, error: self._apply(request, generation, result))

    def _apply(self, request: int, generation: int, order: list[int] | None) -> None:
        if request != self._request or generation != self._generation or order is None:
            return
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        position = {source: target for target, source in enumerate(order)}
        self._rows = [self._rows[i] for i in order]
        self.changePersistentIndexList(
            old, [self.index(position[i.row()], i.column()) for i in old])
        self.layoutChanged.emit()
        self._sorted()

    def _sorted(self) -> None:
        waiting, self._waiting = self._waiting, []
        for then in waiting:
            then()

    # -- reading ------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == NAME:
                return basename(row[ROW_PATH])
            if column == SIZE:
                return human_size(row[ROW_SIZE])
            if column == MODIFIED:
                modified = row[ROW_MODIFIED]
                return modified.astimezone().strftime("%Y-%m-%d %H:%M") if modified else ""
            return "Folder" if row[ROW_IS_DIR] else (row[ROW_TYPE] or "File")
        if role == Qt.ItemDataRole.DecorationRole and column == NAME:
            return self._icons[row[ROW_IS_DIR]]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == SIZE:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ToolTipRole and column == NAME:
            return row[ROW_PATH]
        if role == RESOURCE_ROLE:
            return as_resource(row)
        return None

    # -- rename in place ----------------------------------------------------

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                 | Qt.ItemFlag.ItemIsDragEnabled)
        if index.column() == NAME:
            flags |= Qt.ItemFlag.ItemIsEditable
        if self._rows[index.row()][ROW_IS_DIR]:
            flags |= Qt.ItemFlag.ItemIsDropEnabled
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """A rename is a MOVE on the server: ask for it, and let the refresh show the new name."""
        if role != Qt.ItemDataRole.EditRole or index.column() != NAME:
            return False
        resource = self.resource(index.row())
        name = str(value).strip()
        if name and name != resource.name:
            self.rename_requested.emit(resource, name)
        return False

    # -- drag and drop --------------------------------------------------------

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list"]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """The rows' URLs (without credentials): a file manager that speaks WebDAV can fetch them."""
        rows = sorted({index.row() for index in indexes})
        mime = QMimeData()
        urls = [QUrl(self._url_of(self._rows[row][ROW_PATH])) for row in rows]
        mime.setUrls(urls)
        mime.setText("\n".join(url.toString() for url in urls))
        return mime

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: Index) -> bool:
        return bool(local_files(data))

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: Index) -> bool:
        """Local files dropped on a folder row go into it; anywhere else, into this folder."""
        paths = local_files(data)
        if not paths:
            return False
        target = self._folder
        if parent.isValid() and self._rows[parent.row()][ROW_IS_DIR]:
            target = self._rows[parent.row()][ROW_PATH]
        self.files_dropped.emit(paths, target)
        return True


class FileFilterProxy(QSortFilterProxyModel):
    """Filters by name; sorting is handed to the source model (see the module docstring)."""

    def __init__(self, source: FileTableModel, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSourceModel(source)
        self.setFilterKeyColumn(NAME)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        assert isinstance(source, FileTableModel)
        source.sort(column, order)

    def resource(self, index: Index) -> Resource:
        return self.sourceModel().data(self.mapToSource(index), RESOURCE_ROLE)
