"""The Outcomes of every job of this session as a two-level tree: jobs, then their files.

Sized for a 100,000-file job: the model keeps each job's Outcomes in plain
lists and does its own filtering and sorting (a list of row numbers per job,
rebuilt in one pass), where a QSortFilterProxyModel would call back into
Python once per row for every keystroke. Outcomes that arrive while a job
runs are buffered and added in batches, a few times a second.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush, QColor, QIcon

from app.dav import Outcome
from app.dav.outcome import OutcomeClass
from app.dav.xmlbodies import ActiveLock
from app.jobs.model import Job, JobEnded, TaskResult
from app.ui.messages import hint

Index = QModelIndex | QPersistentModelIndex
OUTCOME_ROLE = Qt.ItemDataRole.UserRole + 1
RESULT_ROLE = Qt.ItemDataRole.UserRole + 2
JOB_ROLE = Qt.ItemDataRole.UserRole + 3
CLASS_ROLE = Qt.ItemDataRole.UserRole + 4
#: Milliseconds between adding buffered Outcomes of running jobs to the view.
FLUSH_MS = 200
HEADERS = ("Name", "Operation", "Status", "Condition", "Server said", "Attempt", "Time")
PATH, OPERATION, STATUS, CONDITION, SAID, ATTEMPT, TIME = range(len(HEADERS))
#: Colours that read on light and dark backgrounds alike.
CLASS_COLOURS = {
    OutcomeClass.OK: QColor("#2e8540"),
    OutcomeClass.FAILED: QColor("#d32f2f"),
    OutcomeClass.CONFLICT: QColor("#c77700"),
    OutcomeClass.CANCELLED: QColor("#808080"),
}
_PROBLEM_ORDER = (OutcomeClass.FAILED, OutcomeClass.CONFLICT, OutcomeClass.CANCELLED)


class Show(enum.Enum):
    ALL = "All results"
    PROBLEMS = "Problems only"


@dataclass(eq=False)
class JobRecord:
    """One job's results. Lists, not objects per row: 100,000 rows cost two list slots each."""

    job: Job
    name: str
    started: datetime
    results: list[TaskResult] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)  # outcome number -> its result's number
    shown: list[int] = field(default_factory=list)  # outcome numbers, filtered and sorted
    counts: Counter[OutcomeClass] = field(default_factory=Counter)
    ended: JobEnded | None = None
    pending: list[TaskResult] = field(default_factory=list)

    def summary(self) -> str:
        """"998 ok · 2 failed · 0 cancelled", conflicts counted where there are any."""
        c = self.counts
        parts = [f"{c[OutcomeClass.OK]:,} ok", f"{c[OutcomeClass.FAILED]:,} failed"]
        if c[OutcomeClass.CONFLICT]:
            parts.append(f"{c[OutcomeClass.CONFLICT]:,} conflicts")
        parts.append(f"{c[OutcomeClass.CANCELLED]:,} cancelled")
        state = "running" if self.ended is None else self.ended.state.value
        return f"{' · '.join(parts)} ({state})"

    def worst(self) -> OutcomeClass:
        return next((kind for kind in _PROBLEM_ORDER if self.counts[kind]), OutcomeClass.OK)


class ResultsModel(QAbstractItemModel):
    """Top-level rows are jobs, newest first; their children are Outcomes.

    A child's internal id is its job's id, so indexes stay valid as newer
    jobs are inserted above.
    """

    def __init__(self, icons: dict[OutcomeClass, QIcon], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icons = icons
        self._jobs: list[JobRecord] = []  # newest first: the rows
        self._by_id: dict[int, JobRecord] = {}
        self._show = Show.ALL
        self._text = ""
        self._sort: tuple[int, Qt.SortOrder] | None = None  # None: the order they arrived in
        self._locks: dict[str, list[ActiveLock]] = {}
        self._flush_timer = QTimer(self, interval=FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush)

    # -- feeding it ------------------------------------------------------------------------

    def add_job(self, job: Job, name: str) -> None:
        record = JobRecord(job, name, datetime.now().astimezone())
        visible = self._job_visible(record)
        if visible:
            self.beginInsertRows(QModelIndex(), 0, 0)
        self._by_id[job.id] = record
        self._jobs.insert(0, record)
        if visible:
            self.endInsertRows()

    def add_result(self, result: TaskResult) -> None:
        record = self._by_id.get(result.job_id)
        if record is None:
            return
        record.pending.append(result)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def end_job(self, ended: JobEnded) -> None:
        record = self._by_id.get(ended.job_id)
        if record is None:
            return
        self._flush_record(record)
        record.ended = ended
        self._job_changed(record)

    def flush(self) -> None:
        """Add the buffered Outcomes of every job to the view."""
        for record in self._jobs:
            if record.pending:
                self._flush_record(record)
        self._flush_timer.stop()

    def _flush_record(self, record: JobRecord) -> None:
        pending, record.pending = record.pending, []
        if not pending:
            return
        first_new = len(record.outcomes)
        for result in pending:
            number = len(record.results)
            record.results.append(result)
            for outcome in result.outcomes:
                record.outcomes.append(outcome)
                record.owners.append(number)
                record.counts[outcome.outcome_class] += 1
        was_visible = self._visible_row(record) is not None
        matching = [n for n in range(first_new, len(record.outcomes)) if self._accepts(record, n)]
        if not was_visible:
            record.shown.extend(matching)
            if record.shown:
                self._show_job(record)
            return
        parent = self._job_index(record)
        if self._sort is None:
            if matching:
                self.beginInsertRows(parent, len(record.shown),
                                     len(record.shown) + len(matching) - 1)
                record.shown.extend(matching)
                self.endInsertRows()
        elif matching:
            self.layoutAboutToBeChanged.emit()
            old = {id(record): list(record.shown)}
            record.shown.extend(matching)
            self._sort_record(record)
            self._move_persistent_indexes(old, [record])
            self.layoutChanged.emit()
        self._job_changed(record)

    def set_locks(self, path: str, locks: list[ActiveLock]) -> None:
        """What lockdiscovery said of a locked path, shown beside its 423 rows."""
        self._locks[path] = locks
        for record in self._jobs:
            parent = self._job_index(record)
            if parent is None:
                continue
            for row, number in enumerate(record.shown):
                if record.outcomes[number].path == path:
                    index = self.index(row, SAID, parent)
                    self.dataChanged.emit(index, index)

    def locks_of(self, path: str) -> list[ActiveLock] | None:
        return self._locks.get(path)

    def clear_finished(self) -> None:
        self.beginResetModel()
        self._jobs = [r for r in self._jobs if r.ended is None]
        self._by_id = {r.job.id: r for r in self._jobs}
        self.endResetModel()

    # -- filtering and sorting -------------------------------------------------------------

    def set_filter(self, show: Show, text: str) -> None:
        self.beginResetModel()
        self._show, self._text = show, text.strip().casefold()
        for record in self._jobs:
            self._refilter(record)
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        old = {id(r): list(r.shown) for r in self._jobs}
        self._sort = (column, order) if 0 <= column < len(HEADERS) else None
        for record in self._jobs:
            if self._sort is None:
                record.shown.sort()
            else:
                self._sort_record(record)
        self._move_persistent_indexes(old, self._jobs)
        self.layoutChanged.emit()

    def _move_persistent_indexes(self, old: dict[int, list[int]],
                                 records: list[JobRecord]) -> None:
        """Keep the selection on the same Outcomes across a sort."""
        moved_from, moved_to = [], []
        for record in records:
            before = old[id(record)]
            row_of = {number: row for row, number in enumerate(record.shown)}
            for index in self.persistentIndexList():
                if index.internalId() == record.job.id and index.row() < len(before):
                    moved_from.append(index)
                    moved_to.append(self.createIndex(row_of[before[index.row()]], index.column(),
                                                     record.job.id))
        if moved_from:
            self.changePersistentIndexList(moved_from, moved_to)

    def _refilter(self, record: JobRecord) -> None:
        record.shown = [n for n in range(len(record.outcomes)) if self._accepts(record, n)]
        if self._sort is not None:
            self._sort_record(record)

    def _sort_record(self, record: JobRecord) -> None:
        assert self._sort is not None
        column, order = self._sort
        key = _sort_key(column, record.outcomes)
        record.shown.sort(key=key, reverse=order is Qt.SortOrder.DescendingOrder)

    def _accepts(self, record: JobRecord, number: int) -> bool:
        outcome = record.outcomes[number]
        if self._show is Show.PROBLEMS and outcome.ok:
            return False
        if not self._text:
            return True
        return self._text in _searchable(outcome)

    def _job_visible(self, record: JobRecord) -> bool:
        return (self._show is Show.ALL and not self._text) or bool(record.shown)

    def _visible_jobs(self) -> list[JobRecord]:
        if self._show is Show.ALL and not self._text:
            return self._jobs
        return [r for r in self._jobs if r.shown]

    def _visible_row(self, record: JobRecord) -> int | None:
        for row, shown in enumerate(self._visible_jobs()):
            if shown is record:
                return row
        return None

    def _show_job(self, record: JobRecord) -> None:
        """A job that had no matching rows got some: it appears in its place."""
        self.beginResetModel()
        self.endResetModel()

    def _job_index(self, record: JobRecord) -> QModelIndex | None:
        row = self._visible_row(record)
        return None if row is None else self.createIndex(row, 0, 0)

    def _job_changed(self, record: JobRecord) -> None:
        index = self._job_index(record)
        if index is not None:
            last = self.createIndex(index.row(), len(HEADERS) - 1, 0)
            self.dataChanged.emit(index, last)

    # -- reading it --------------------------------------------------------------------------

    def record(self, index: Index) -> JobRecord | None:
        """The job of a job row or of one of its Outcome rows."""
        if not index.isValid():
            return None
        if index.internalId() == 0:
            jobs = self._visible_jobs()
            return jobs[index.row()] if index.row() < len(jobs) else None
        return self._by_id.get(index.internalId())

    def result_at(self, index: Index) -> tuple[Outcome, TaskResult] | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        record = self._by_id[index.internalId()]
        number = record.shown[index.row()]
        return record.outcomes[number], record.results[record.owners[number]]

    def records(self) -> list[JobRecord]:
        return list(self._jobs)

    def shown_outcomes(self) -> Iterator[tuple[str, Outcome]]:
        """What the view shows (filter applied), jobs oldest first: what Export writes."""
        for record in reversed(self._visible_jobs()):
            for number in record.shown:
                yield record.name, record.outcomes[number]

    def job_row(self, job_id: int) -> QModelIndex:
        record = self._by_id.get(job_id)
        index = self._job_index(record) if record else None
        return index if index is not None else QModelIndex()

    # -- QAbstractItemModel --------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if not parent.isValid():
            if 0 <= row < len(self._visible_jobs()):
                return self.createIndex(row, column, 0)
            return QModelIndex()
        if parent.internalId() != 0:
            return QModelIndex()
        record = self.record(parent)
        if record is None or not 0 <= row < len(record.shown):
            return QModelIndex()
        return self.createIndex(row, column, record.job.id)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        record = self._by_id.get(index.internalId())
        index_of = self._job_index(record) if record else None
        return index_of if index_of is not None else QModelIndex()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._visible_jobs())
        if parent.internalId() != 0 or parent.column() != 0:
            return 0
        record = self.record(parent)
        return len(record.shown) if record else 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return len(HEADERS)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:
        return self.rowCount(parent) > 0

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            record = self.record(index)
            return self._job_data(record, index.column(), role) if record else None
        found = self.result_at(index)
        if found is None:
            return None
        outcome, result = found
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell(outcome, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(outcome)
        if role == Qt.ItemDataRole.DecorationRole and index.column() == PATH:
            return self._icons[outcome.outcome_class]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == STATUS:
            return QBrush(CLASS_COLOURS[outcome.outcome_class])
        if role == OUTCOME_ROLE:
            return outcome
        if role == RESULT_ROLE:
            return result
        if role == CLASS_ROLE:
            return outcome.outcome_class
        if role == JOB_ROLE:
            return result.job_id
        return None

    def _job_data(self, record: JobRecord, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == PATH:
                return f"{record.name}  —  {record.summary()}"
            if column == TIME:
                return record.started.strftime("%H:%M:%S")
            return None
        if role == Qt.ItemDataRole.DecorationRole and column == PATH:
            return self._icons[record.worst()]
        if role == Qt.ItemDataRole.ToolTipRole:
            error = record.ended.error if record.ended and record.ended.error else ""
            return "\n".join(filter(None, [record.name, record.summary(), error]))
        if role == JOB_ROLE:
            return record.job.id
        return None

    def _cell(self, outcome: Outcome, column: int) -> str:
        if column == PATH:
            return f"{outcome.path} → {outcome.destination}" if outcome.destination else \
                outcome.path
        if column == OPERATION:
            return outcome.op
        if column == STATUS:
            return f"{outcome.status} {outcome.reason}" if outcome.status else outcome.reason
        if column == CONDITION:
            return outcome.error or ""
        if column == SAID:
            return self._said(outcome)
        if column == ATTEMPT:
            return str(outcome.attempt)
        if column == TIME:
            return outcome.time.astimezone().strftime("%H:%M:%S")
        return ""

    def _said(self, outcome: Outcome) -> str:
        locks = self._locks.get(outcome.path) if outcome.status == 423 else None
        held = "; ".join(lock_text(lock) for lock in locks) if locks else ""
        said = outcome.description or outcome.note or outcome.detail or ""
        return " – ".join(filter(None, [held, said])) or ("" if outcome.ok else
                                                          hint(outcome.status))

    def _tooltip(self, outcome: Outcome) -> str:
        lines = [outcome.path]
        if outcome.destination:
            lines.append(f"to {outcome.destination}")
        status = f"{outcome.status} {outcome.reason}" if outcome.status else outcome.reason
        lines.append(f"{outcome.op}: {status} (from the {outcome.source.value})")
        lines += filter(None, [outcome.error and f"condition: {outcome.error}",
                               self._said(outcome), outcome.location and
                               f"location: {outcome.location}"])
        return "\n".join(lines)


def lock_text(lock: ActiveLock) -> str:
    """"locked by alice@example.com, expires in 59 min"."""
    return f"locked by {lock.owner or 'someone'}{_expiry(lock.timeout)}"


def _expiry(timeout: str | None) -> str:
    """RFC 4918's "Second-3598" or "Infinite" in words."""
    if not timeout:
        return ""
    if timeout.lower() == "infinite":
        return ", never expires"
    seconds = timeout.rpartition("-")[2]
    if not seconds.isdigit():
        return f", timeout {timeout}"
    minutes = int(seconds) // 60
    if minutes < 1:
        return f", expires in {seconds} s"
    if minutes < 120:
        return f", expires in {minutes} min"
    return f", expires in {minutes // 60} h"


def _searchable(outcome: Outcome) -> str:
    return " ".join(filter(None, [outcome.path, outcome.destination, outcome.op,
                                  str(outcome.status or ""), outcome.reason, outcome.error,
                                  outcome.description, outcome.note, outcome.detail])).casefold()


def _sort_key(column: int, outcomes: list[Outcome]) -> Callable[[int], object]:
    keys: dict[int, Callable[[Outcome], object]] = {
        PATH: lambda o: o.path.casefold(),
        OPERATION: lambda o: o.op,
        STATUS: lambda o: (o.status or 0, o.reason),
        CONDITION: lambda o: o.error or "",
        SAID: lambda o: o.description or o.note or o.detail or "",
        ATTEMPT: lambda o: o.attempt,
        TIME: lambda o: o.time,
    }
    get = keys[column]
    return lambda number: get(outcomes[number])
