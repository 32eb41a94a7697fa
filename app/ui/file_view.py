"""The two views: the file table, a details list as file managers show it, and the folder tree.

The table is built for very long folders: fixed row heights and no
size-to-contents column, so it never asks the model about rows that are not
on screen; and it says so in words when it is empty.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QTreeView, QWidget

from app.dav import Resource
from app.ui.models.file_table import FileFilterProxy, FileTableModel
from app.ui.models.folder_tree import FolderTreeModel
from app.ui.models.row_order import MODIFIED, NAME, SIZE, TYPE


class FileTableView(QTableView):
    def __init__(self, proxy: FileFilterProxy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fileTable")
        self.setAccessibleName("Files")
        self.proxy = proxy
        source = proxy.sourceModel()
        assert isinstance(source, FileTableModel)
        self.source = source
        self.setModel(proxy)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setDropIndicatorShown(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        columns = self.horizontalHeader()
        columns.setHighlightSections(False)
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        columns.setStretchLastSection(False)
        for column, width in ((SIZE, 90), (MODIFIED, 140), (TYPE, 160)):
            self.setColumnWidth(column, width)
        # Name takes what the others leave: a narrow window shortens names, never pushes Size,
        # Modified and Type out of sight.
        columns.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        self.setSortingEnabled(True)
        self.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)

        self.placeholder = QLabel(self.viewport())
        self.placeholder.setObjectName("fileTablePlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setEnabled(False)  # drawn muted, like the desktop's empty views
        self.placeholder.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._kept: tuple[str, list[str], str | None] | None = None
        proxy.modelAboutToBeReset.connect(self._remember_selection)
        proxy.modelReset.connect(self._restore_selection)

    # -- what is selected ---------------------------------------------------------------

    def selected_resources(self) -> list[Resource]:
        return [self.proxy.resource(index) for index in self.selectionModel().selectedRows(NAME)]

    def selected_count(self) -> int:
        selection = self.selectionModel().selection()
        return sum(selection.at(i).height() for i in range(selection.count()))

    def selection_allows(self, letters: str) -> bool:
        """Whether every selected row grants these oc:permissions letters.

        Asked on every click: the rows are looked at only where some row of
        the folder lacks one of the letters, which is never on a plain server.
        """
        if not self.source.restricts(letters):
            return True
        rows = self.proxy.source_rows(self.selectionModel().selection())
        return self.source.rows_allow(rows, letters)

    def _remember_selection(self) -> None:
        """A refresh swaps the rows whole; the same names stay selected afterwards."""
        current = self.currentIndex()
        self._kept = (
            self.source.folder,
            [r.name for r in self.selected_resources()],
            self.proxy.resource(current).name if current.isValid() else None,
        )

    def _restore_selection(self) -> None:
        kept, self._kept = self._kept, None
        if kept is None or kept[0] != self.source.folder:
            return
        _, names, current = kept
        selection = QItemSelection()
        for name in names:
            row = self.source.row_of(name)
            if row >= 0:
                index = self.proxy.mapFromSource(self.source.index(row, NAME))
                selection.select(index, index)
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        self.selectionModel().select(selection, flags)
        if current is not None and (row := self.source.row_of(current)) >= 0:
            self.selectionModel().setCurrentIndex(
                self.proxy.mapFromSource(self.source.index(row, NAME)),
                QItemSelectionModel.SelectionFlag.NoUpdate,
            )

    # -- the empty state ---------------------------------------------------------------

    def show_placeholder(self, text: str) -> None:
        self.placeholder.setText(text)
        self.placeholder.setVisible(bool(text))
        self._place()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place()

    def _place(self) -> None:
        self.placeholder.setGeometry(self.viewport().rect().adjusted(24, 24, -24, -24))

    def rename_current(self) -> None:
        index = self.currentIndex()
        if index.isValid():
            index = index.siblingAtColumn(NAME)
            self.setCurrentIndex(index)
            self.edit(index)


class FolderTreeView(QTreeView):
    """Folders only, one column; files from the desktop can be dropped on a folder."""

    def __init__(self, model: FolderTreeModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("folderTree")
        self.setAccessibleName("Folders")
        self.setModel(model)
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setDropIndicatorShown(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
