"""The current folder as a table model: name, size, modified, type.

Rows arrive in batches while a listing streams, each batch one
beginInsertRows, so a 100,000-entry folder fills in without freezing the
window. Sorting is done here, not by QSortFilterProxyModel: the proxy would
call data() from C++ for every comparison (millions of Python calls for a big
folder), while here the order is computed once, on a worker thread, from
plain keys. The proxy only filters.

Hidden files (names starting with a dot) are filtered out by the proxy's
regular expression, which reads every row's name through data(): a Python
call per row for each insertion. So the expression is set only while the
model holds hidden rows; a folder without any is filtered by no Python at all.

On a server that says what the user may do with each entry (Nextcloud's
oc:permissions), the model counts the rows that lack each per-item letter as
they arrive, so the window can tell on every click whether a selection may
be deleted, renamed or moved without looking at 100,000 rows: only where some
row lacks a letter is the selection itself looked at.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QIcon

from app.dav import Resource
from app.dav.paths import basename, parent
from app.ui.background import Background
from app.ui.drag_out import DragOutMime
from app.ui.icons import status_icon
from app.ui.models.headers import header_data
from app.ui.models.listing_cache import (
    ROW_IS_DIR,
    ROW_LOCK,
    ROW_MODIFIED,
    ROW_PATH,
    ROW_PERMISSIONS,
    ROW_SIZE,
    ROW_TYPE,
    Row,
    as_resource,
)
from app.ui.models.row_order import MODIFIED, NAME, SIZE, TYPE, sorted_order, type_name
from app.ui.permissions import ITEM_LETTERS, RENAME, allows

Index = QModelIndex | QPersistentModelIndex

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


def local_files(mime: QMimeData) -> list[Path]:
    """The local files of a drop from a file manager; empty unless every URL is a local file.

    Rows dragged from Davdesk itself are not local files yet: asking for their
    URLs would download them (see drag_out), so they are refused unasked.
    """
    if isinstance(mime, DragOutMime):
        return []
    urls = mime.urls() if mime.hasUrls() else []
    if not urls or not all(url.isLocalFile() for url in urls):
        return []
    return [Path(url.toLocalFile()) for url in urls]


def _hidden_count(rows: Iterable[Row]) -> int:
    """How many rows are hidden files (names starting with a dot); "/." finds the few
    candidates without splitting every path."""
    return sum(
        1 for row in rows if "/." in row[ROW_PATH] and basename(row[ROW_PATH]).startswith(".")
    )


class FileTableModel(QAbstractTableModel):
    """Rows (see listing_cache.Row) in display order; renames and drops are requests, not edits."""

    rename_requested = Signal(object, str)  # Resource, new name
    files_dropped = Signal(list, str)  # local Paths, server folder to upload into
    #: Whether any row is a hidden file changes: sent before the rows that change it are
    #: inserted (or replace the others), so the filter proxy is ready for them.
    hidden_rows_changed = Signal()

    def __init__(
        self,
        background: Background,
        folder_icon: QIcon,
        file_icon: QIcon,
        stage_for_drag: Callable[[Sequence[Resource]], list[Path]],
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._background = background
        self._icons = (file_icon, folder_icon)
        #: A locked entry's icon (lockdiscovery in the listing named an active lock).
        self.lock_icon = status_icon("security-high", QColor("#c77700"))
        self._stage_for_drag = stage_for_drag  # downloads dragged rows, returns local paths
        self._rows: list[Row] = []
        self._folder = "/"
        self._generation = 0  # bumped by every change of the rows, so a stale sort is dropped
        self._request = 0  # bumped by every sort request: only the latest is applied
        self._waiting: list[Callable[[], None]] = []
        self._sort = (NAME, Qt.SortOrder.AscendingOrder)
        self._lacking = dict.fromkeys(ITEM_LETTERS, 0)  # rows without each per-item letter
        self._hidden = 0  # rows that are hidden files
        #: While search results are shown: the share's root, to show each row's folder from it
        #: in the Type column (titled Folder then); None for a folder's listing.
        self.search_root: str | None = None

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

    def replace(
        self,
        folder: str,
        rows: Iterable[Row],
        then: Callable[[], None] | None = None,
        order: tuple[int, bool] | None = None,
    ) -> None:
        """Show another listing whole (from the cache, or a quiet refresh), then sort it.

        order: the (column, descending) the rows are in already (Listing.order): where it
        is the table's, they are shown as they are and then() is called at once."""
        rows = list(rows)
        self._count_hidden(_hidden_count(rows), replacing=True)
        self.beginResetModel()
        self._folder = folder
        self._rows = rows
        searched, self.search_root = self.search_root, None
        self._generation += 1
        self._lacking = dict.fromkeys(ITEM_LETTERS, 0)
        self._count_lacking(self._rows)
        self.endResetModel()
        if searched is not None:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, TYPE, TYPE)
        column, sort_order = self._sort
        if order is None or order != (column, sort_order == Qt.SortOrder.DescendingOrder):
            self.resort(then)
            return
        self._request += 1  # a sort still under way was of other rows
        if then is not None:
            self._waiting.append(then)
        self._sorted()

    def show_search(self, folder: str, root: str) -> None:
        """Empty the table for the results of a search below folder, appended as found."""
        self.replace(folder, ())
        self.search_root = root
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, TYPE, TYPE)

    def append(self, batch: Sequence[Row]) -> None:
        if not batch:
            return
        self._count_hidden(_hidden_count(batch), replacing=False)
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(batch) - 1)
        self._rows.extend(batch)
        self._generation += 1
        self._count_lacking(batch)
        self.endInsertRows()

    @property
    def has_hidden_rows(self) -> bool:
        return self._hidden > 0

    def _count_hidden(self, count: int, *, replacing: bool) -> None:
        had = self.has_hidden_rows
        self._hidden = count if replacing else self._hidden + count
        if self.has_hidden_rows != had:
            self.hidden_rows_changed.emit()

    def _count_lacking(self, rows: Iterable[Row]) -> None:
        for row in rows:
            granted = row[ROW_PERMISSIONS]
            if granted is not None:
                for letter in ITEM_LETTERS:
                    if letter not in granted:
                        self._lacking[letter] += 1

    # -- what the user may do ------------------------------------------------

    def restricts(self, letters: str) -> bool:
        """Whether some row lacks one of these per-item letters (if not, any selection has them)."""
        return any(self._lacking.get(letter, 0) for letter in letters)

    def rows_allow(self, rows: Iterable[int], letters: str) -> bool:
        """Whether every one of these rows grants all the letters."""
        return all(allows(self._rows[row][ROW_PERMISSIONS], letters) for row in rows)

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
        self._background.submit(
            lambda: sorted_order(rows, column, order == Qt.SortOrder.DescendingOrder),
            lambda result, error: self._apply(request, generation, result),
        )

    def _apply(
        self, request: int, generation: int, result: tuple[list[Row], list[int]] | None
    ) -> None:
        if request != self._request or generation != self._generation or result is None:
            return
        ordered, moved_to = result
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        self._rows = ordered
        self.changePersistentIndexList(
            old, [self.index(moved_to[i.row()], i.column()) for i in old]
        )
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

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            self.search_root is not None
            and section == TYPE
            and role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
        ):
            return "Folder"
        return header_data(HEADERS, (SIZE,), section, orientation, role)

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
            if self.search_root is not None:
                return "/" + parent(row[ROW_PATH])[len(self.search_root) :]
            return type_name(row[ROW_IS_DIR], row[ROW_TYPE])
        if role == Qt.ItemDataRole.DecorationRole and column == NAME:
            return self.lock_icon if row[ROW_LOCK] is not None else self._icons[row[ROW_IS_DIR]]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == SIZE:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == NAME and row[ROW_LOCK] is not None:
                return f"{row[ROW_PATH]}\nLocked by {row[ROW_LOCK] or 'someone'}"
            return row[ROW_PATH] if column == NAME else row[ROW_TYPE] if column == TYPE else None
        if role == RESOURCE_ROLE:
            return as_resource(row)
        return None

    # -- rename in place ----------------------------------------------------

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )
        if index.column() == NAME and allows(self._rows[index.row()][ROW_PERMISSIONS], RENAME):
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
        """The rows, downloaded only if they are dropped outside the window (see drag_out)."""
        rows = sorted({index.row() for index in indexes})
        return DragOutMime([self.resource(row) for row in rows], self._stage_for_drag)

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        return bool(local_files(data))

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
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
        self._source = source
        self._text = ""
        self._show_hidden = True
        source.hidden_rows_changed.connect(self._set_pattern)

    def set_name_filter(self, text: str, show_hidden: bool) -> None:
        """Names containing text (any case); dot-files only with show_hidden. One regular
        expression, matched in C++ (none at all where nothing is to be filtered out, see
        the module docstring)."""
        self._text, self._show_hidden = text, show_hidden
        self._set_pattern()

    def _set_pattern(self) -> None:
        hide = not self._show_hidden and self._source.has_hidden_rows
        text = self._text
        pattern = (r"^(?!\.)" if hide else "") + (f".*{re.escape(text)}" if text else "")
        if pattern != self.filterRegularExpression().pattern():
            self.setFilterRegularExpression(
                QRegularExpression(pattern, QRegularExpression.PatternOption.CaseInsensitiveOption)
            )

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        assert isinstance(source, FileTableModel)
        source.sort(column, order)

    def resource(self, index: Index) -> Resource:
        found: Resource = self.sourceModel().data(self.mapToSource(index), RESOURCE_ROLE)
        return found

    def source_rows(self, selection: QItemSelection) -> Iterator[int]:
        """The source rows of a selection of this proxy's rows.

        This proxy never sorts (see sort), so without a filter its rows are
        the source's, and a selection of 100,000 rows is read as ranges;
        mapSelectionToSource would map every cell, for seconds.
        """
        identity = not self.filterRegularExpression().pattern()
        for selected in (selection.at(i) for i in range(selection.count())):
            for row in range(selected.top(), selected.bottom() + 1):
                yield row if identity else self.mapToSource(self.index(row, NAME)).row()
