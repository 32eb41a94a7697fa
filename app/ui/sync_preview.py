"""The sync preview as a model: the plan grouped by action, every item a checkbox.

A plan can hold 100,000 items, and ticking one must not walk them all: each
group keeps its items' ticks in a bytearray and its ticked count and bytes
as running totals, so a tick is O(1) and ticking a whole group one slice
assignment. The view asks only for the rows it shows; nothing here makes
a Qt object per item.

Rows: one per action (its checkbox ticks or unticks all of it, partly
ticked when some are), under it one per item; then, if the plan refused
anything, a "Not synced" row with a row per refusal and its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.dav import Outcome
from app.sync import Action, PlanItem, SyncPlan
from app.ui.models.file_table import human_size

Index = QModelIndex | QPersistentModelIndex
_COLUMNS = ("Path", "Reason", "Size")
_TOP = 0  # internal id of a top-level row; a child's is its group's row + 1
_CHECKED, _UNCHECKED, _PARTLY = (
    Qt.CheckState.Checked,
    Qt.CheckState.Unchecked,
    Qt.CheckState.PartiallyChecked,
)


@dataclass(eq=False)
class _Group:
    action: Action
    items: list[PlanItem] = field(default_factory=list)
    ticks: bytearray = field(default_factory=bytearray)
    ticked: int = 0
    ticked_bytes: int = 0
    total_bytes: int = 0

    def label(self) -> str:
        size = f", {human_size(self.ticked_bytes)}" if self.ticked_bytes else ""
        return f"{self.action.value}: {self.ticked} of {len(self.items)}{size}"

    def state(self) -> Qt.CheckState:
        return (
            _CHECKED
            if self.ticked == len(self.items)
            else _UNCHECKED
            if not self.ticked
            else _PARTLY
        )

    def tick_all(self, on: bool) -> None:
        self.ticks[:] = (b"\x01" if on else b"\x00") * len(self.items)
        self.ticked, self.ticked_bytes = (len(self.items), self.total_bytes) if on else (0, 0)

    def tick(self, row: int, on: bool) -> bool:
        """Whether that changed anything."""
        if bool(self.ticks[row]) == on:
            return False
        self.ticks[row] = on
        step = 1 if on else -1
        self.ticked += step
        self.ticked_bytes += step * self.items[row].size
        return True


class SyncPreviewModel(QAbstractItemModel):
    ticked = Signal()  # some item was ticked or unticked

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._groups: list[_Group] = []
        self._refused: list[Outcome] = []

    def show(self, plan: SyncPlan) -> None:
        """Every item of the plan, ticked."""
        self.beginResetModel()
        groups: dict[Action, _Group] = {}
        for item in plan.items:
            group = groups.get(item.action)
            if group is None:
                group = groups[item.action] = _Group(item.action)
            group.items.append(item)
        for group in groups.values():
            group.total_bytes = sum(item.size for item in group.items)
            group.tick_all(True)
        self._groups = list(groups.values())
        self._refused = list(plan.refused)
        self.endResetModel()

    def chosen(self) -> list[PlanItem]:
        return [
            item
            for group in self._groups
            for item, on in zip(group.items, group.ticks, strict=True)
            if on
        ]

    def totals(self) -> dict[Action, tuple[int, int, int]]:
        """Per action: items ticked, of how many, and the bytes the ticked ones transfer."""
        return {g.action: (g.ticked, len(g.items), g.ticked_bytes) for g in self._groups}

    # -- the tree --------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _TOP)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == _TOP:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _TOP)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._groups) + (1 if self._refused else 0)
        if parent.internalId() != _TOP or parent.column() != 0:
            return 0
        if parent.row() < len(self._groups):
            return len(self._groups[parent.row()].items)
        return len(self._refused)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return len(_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0 and self._group_of(index) is not None:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        group = self._group_of(index)
        column = index.column()
        if index.internalId() == _TOP:
            if role == Qt.ItemDataRole.DisplayRole and column == 0:
                return group.label() if group else f"Not synced: {len(self._refused)}"
            if role == Qt.ItemDataRole.CheckStateRole and column == 0 and group:
                return group.state()
            return None
        if group is None:
            return self._refusal(self._refused[index.row()], column, role)
        item = group.items[index.row()]
        if role == Qt.ItemDataRole.CheckStateRole and column == 0:
            return _CHECKED if group.ticks[index.row()] else _UNCHECKED
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return item.reason
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                item.rel + ("/" if item.is_dir else ""),
                item.reason,
                human_size(item.size) if item.size else "",
            )[column]
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        group = self._group_of(index) if index.isValid() else None
        if role != Qt.ItemDataRole.CheckStateRole or group is None or index.column() != 0:
            return False
        on = Qt.CheckState(value) != _UNCHECKED
        row = self._groups.index(group)
        top = self.index(row, 0)
        if index.internalId() == _TOP:
            group.tick_all(on)
            if group.items:
                self.dataChanged.emit(
                    self.index(0, 0, top),
                    self.index(len(group.items) - 1, 0, top),
                    [Qt.ItemDataRole.CheckStateRole],
                )
        elif not group.tick(index.row(), on):
            return True
        else:
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.dataChanged.emit(
            top, top, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.CheckStateRole]
        )
        self.ticked.emit()
        return True

    def _group_of(self, index: Index) -> _Group | None:
        """The action group a row is (top level) or is in; None for the refusals."""
        row = index.row() if index.internalId() == _TOP else index.internalId() - 1
        return self._groups[row] if row < len(self._groups) else None

    @staticmethod
    def _refusal(outcome: Outcome, column: int, role: int) -> Any:
        why = outcome.note or outcome.description or outcome.reason
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return why
        if role == Qt.ItemDataRole.DisplayRole:
            return (outcome.path, why, "")[column]
        return None
