"""The Outcomes of every job of this session as a two-level tree: jobs, then their files.

A Qt adapter over records.ResultBook, which keeps the jobs, their results
and the retry bookkeeping as plain data: this module turns its changes into
Qt's row signals and its records into cells.

Sized for a 100,000-file job: each job's Outcomes are plain lists and the
model does its own filtering and sorting (a list of row numbers per job,
rebuilt in one pass), where a QSortFilterProxyModel would call back into
Python once per row for every keystroke. Outcomes that arrive while a job
runs are buffered and added in batches, a few times a second.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QIcon, QPalette

from app.dav import Outcome, words
from app.dav.outcome import OutcomeClass
from app.dav.xmlbodies import ActiveLock
from app.jobs.model import Job, JobEnded, TaskResult
from app.ui.results.records import (
    JobRecord,
    Phase,
    ResultBook,
    Show,
    matches,
    name_cell,
    server_said,
)

Index = QModelIndex | QPersistentModelIndex
OUTCOME_ROLE = Qt.ItemDataRole.UserRole + 1
RESULT_ROLE = Qt.ItemDataRole.UserRole + 2
JOB_ROLE = Qt.ItemDataRole.UserRole + 3
CLASS_ROLE = Qt.ItemDataRole.UserRole + 4
#: Milliseconds between adding buffered Outcomes of running jobs to the view.
FLUSH_MS = 200
HEADERS = (
    "Name",
    "Operation",
    "Problem",
    "Status",
    "Server said",
    "Davdesk's note",
    "Attempt",
    "Time",
)
PATH, OPERATION, PROBLEM, STATUS, SAID, NOTE, ATTEMPT, TIME = range(len(HEADERS))
HEADER_TIPS = {
    OPERATION: "What was done (Uploaded, Replaced, Deleted…), or tried where it failed",
    PROBLEM: "Why it did not work, in words: a lock and its owner, a conflict, a refusal",
    STATUS: "The server's HTTP status (the WebDAV condition it named is in the tooltip)",
    SAID: "Only what the server wrote in its answer: its responsedescription or error text",
    NOTE: "What Davdesk found out or decided: a retry, why a file was skipped, an error on "
    "this computer",
}
#: Colours that read on light and dark backgrounds alike.
CLASS_COLOURS = {
    OutcomeClass.OK: QColor("#2e8540"),
    OutcomeClass.SKIPPED: QColor("#5f7f99"),
    OutcomeClass.FAILED: QColor("#d32f2f"),
    OutcomeClass.CONFLICT: QColor("#c77700"),
    OutcomeClass.CANCELLED: QColor("#808080"),
    OutcomeClass.UNCONFIRMED: QColor("#7b1fa2"),
}
#: The layout signals' overload that carries a hint, as PySide names it.
_PARENTS, _HINT = "QList<QPersistentModelIndex>", "QAbstractItemModel::LayoutChangeHint"


class ResultsModel(QAbstractItemModel):
    """Top-level rows are jobs, newest first; their children are Outcomes.

    A child's internal id is its job's id, so indexes stay valid as newer
    jobs are inserted above.
    """

    def __init__(
        self,
        icons: Mapping[OutcomeClass, QIcon],
        phase_icons: Mapping[Phase, QIcon],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._icons = icons
        self._phase_icons = phase_icons
        self._greyed = {kind: _greyed(icon) for kind, icon in icons.items()}
        self.book = ResultBook()
        # The jobs shown (those with matching rows, while a filter is on) and their rows: Qt
        # asks for an index's parent and children for every row it lays out, 100,000 times
        # for one expanded job, so the answers are looked up, not worked out.
        self._shown_jobs: list[JobRecord] = []
        self._job_rows: dict[int, int] = {}
        self._show = Show.ALL
        self._text = ""
        self._sort: tuple[int, Qt.SortOrder] | None = None  # None: the order they arrived in
        self._flush_timer = QTimer(self, interval=FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush)

    # -- feeding it ------------------------------------------------------------------------

    def add_job(self, job: Job, name: str, queued: bool = False) -> None:
        visible = self._everything()  # a new job has no rows yet to match a filter
        if visible:
            self.beginInsertRows(QModelIndex(), 0, 0)
        record = self.book.add(job, name, queued)
        self._update_visible()
        if visible:
            self.endInsertRows()
        self._records_changed(self.book.link_origins(record))

    def link_retry(self, job_id: int, originals: Sequence[TaskResult]) -> None:
        """The job about to be added (job_id) runs these results again."""
        self.book.link_retry(job_id, originals)

    def start_job(self, job_id: int) -> None:
        """A queued job left the queue."""
        record = self.book.by_id.get(job_id)
        if record is not None and record.ended is None:
            record.phase = Phase.RUNNING
            self._job_changed(record)

    def add_result(self, result: TaskResult) -> None:
        record = self.book.by_id.get(result.job_id)
        if record is None:
            return
        record.pending.append(result)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def end_job(self, ended: JobEnded) -> None:
        record = self.book.by_id.get(ended.job_id)
        if record is None:
            return
        self._flush_record(record)
        record.ended = ended
        record.phase = Phase(ended.state.value)
        self._job_changed(record)

    def flush(self) -> None:
        """Add the buffered Outcomes of every job to the view."""
        for record in self.book.jobs:
            if record.pending:
                self._flush_record(record)
        self._flush_timer.stop()

    def _flush_record(self, record: JobRecord) -> None:
        pending, record.pending = record.pending, []
        if not pending:
            return
        first_new = len(record.outcomes)
        retried: dict[int, JobRecord] = {}  # the earlier jobs whose retries these results are
        for result in pending:
            for earlier in self.book.take(record, result):
                retried[id(earlier)] = earlier
        matching = [n for n in range(first_new, len(record.outcomes)) if self._accepts(record, n)]
        parent = self._job_index(record)
        if parent is None:
            if matching:
                self._reveal(record, matching)
        elif self._sort is None:
            if matching:
                self.beginInsertRows(
                    parent, len(record.shown), len(record.shown) + len(matching) - 1
                )
                record.shown.extend(matching)
                self.endInsertRows()
        elif matching:
            self._relayout(lambda: self._sort_in(record, matching))
        self._job_changed(record)
        self._records_changed(list(retried.values()))

    def _sort_in(self, record: JobRecord, matching: list[int]) -> None:
        record.shown = [*record.shown, *matching]
        self._sort_record(record)

    def set_locks(self, path: str, locks: list[ActiveLock]) -> None:
        """What lockdiscovery said of a locked path: its rows say who holds it, until when."""
        for record in self.book.set_locks(path, locks):
            parent = self._job_index(record)
            if parent is not None and record.shown:
                self.dataChanged.emit(
                    self.index(0, PROBLEM, parent),
                    self.index(len(record.shown) - 1, PROBLEM, parent),
                )

    def clear_finished(self) -> None:
        """Remove the finished jobs' rows, leaving the running ones (and their selection) be."""
        for row in reversed(range(len(self._shown_jobs))):
            record = self._shown_jobs[row]
            if record.ended is not None:
                self.beginRemoveRows(QModelIndex(), row, row)
                self._drop(record)
                self.endRemoveRows()
        for record in [r for r in self.book.jobs if r.ended is not None]:
            self._drop(record)  # filtered out, so not shown

    def trim(self, kept: int) -> None:
        """Keep the newest `kept` finished jobs (the preference); running ones always stay."""
        finished = [r for r in self.book.jobs if r.ended is not None]
        for record in finished[kept:]:
            row = self._visible_row(record)
            if row is None:
                self._drop(record)
                continue
            self.beginRemoveRows(QModelIndex(), row, row)
            self._drop(record)
            self.endRemoveRows()

    def _drop(self, record: JobRecord) -> None:
        self.book.drop(record)
        self._update_visible()

    def _records_changed(self, records: list[JobRecord]) -> None:
        """Retry links changed in these jobs: their rows look different, or no longer match."""
        if not records:
            return
        if self._show is not Show.ALL:

            def refilter_all() -> None:
                for record in records:
                    self._refilter(record)

            self._relayout(refilter_all)
        for record in records:
            parent = self._job_index(record)
            if parent is not None and record.shown:
                self.dataChanged.emit(
                    self.index(0, 0, parent),
                    self.index(len(record.shown) - 1, len(HEADERS) - 1, parent),
                )
            self._job_changed(record)

    # -- filtering and sorting -------------------------------------------------------------

    def set_filter(self, show: Show, text: str) -> None:
        def change() -> None:
            self._show, self._text = show, text.strip().casefold()
            for record in self.book.jobs:
                self._refilter(record)

        self._relayout(change)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        def change() -> None:
            self._sort = (column, order) if 0 <= column < len(HEADERS) else None
            for record in self.book.jobs:
                if self._sort is None:
                    record.shown = sorted(record.shown)
                else:
                    self._sort_record(record)

        self._relayout(change)

    def _relayout(self, change: Callable[[], None]) -> None:
        """Apply a change to which rows show or in what order, as a layout change: the
        selection and the expanded jobs stay on the rows that are still shown (a model
        reset would drop both)."""
        # Rows move, columns do not: the selection model then keeps one index per selected
        # row across the change, not one per cell (800,000 for a 100,000-row selection).
        hint_ = QAbstractItemModel.LayoutChangeHint.VerticalSortHint
        # PySide6's stub of SignalInstance lacks [signature], Qt's pick of an overload.
        self.layoutAboutToBeChanged[_PARENTS, _HINT].emit([], hint_)  # type: ignore[index]
        old_jobs = list(self._shown_jobs)
        old_shown = {r.job.id: r.shown for r in self.book.jobs}  # change() assigns new lists
        change()
        self._update_visible()
        new_rows = {id(r): row for row, r in enumerate(self._shown_jobs)}
        places: dict[int, dict[int, int]] = {}
        moved_from, moved_to = [], []
        for index in self.persistentIndexList():
            job_id, row = index.internalId(), index.row()
            target = QModelIndex()
            if job_id == 0:
                new_row = new_rows.get(id(old_jobs[row])) if row < len(old_jobs) else None
                if new_row is not None:
                    target = self.createIndex(new_row, index.column(), 0)
            else:
                record, before = self.book.by_id.get(job_id), old_shown.get(job_id)
                if (
                    record is not None
                    and before is not None
                    and row < len(before)
                    and id(record) in new_rows
                ):
                    if job_id not in places:
                        places[job_id] = {n: r for r, n in enumerate(record.shown)}
                    new_row = places[job_id].get(before[row])
                    if new_row is not None:
                        target = self.createIndex(new_row, index.column(), job_id)
            moved_from.append(index)
            moved_to.append(target)
        self.changePersistentIndexList(moved_from, moved_to)
        self.layoutChanged[_PARENTS, _HINT].emit([], hint_)  # type: ignore[index]

    def _refilter(self, record: JobRecord) -> None:
        record.shown = [n for n in range(len(record.outcomes)) if self._accepts(record, n)]
        if self._sort is not None:
            self._sort_record(record)

    def _sort_record(self, record: JobRecord) -> None:
        assert self._sort is not None
        column, order = self._sort
        key = _sort_key(column, record.outcomes)
        record.shown = sorted(record.shown, key=key, reverse=order is Qt.SortOrder.DescendingOrder)

    def _accepts(self, record: JobRecord, number: int) -> bool:
        return matches(record, number, self._show, self._text)

    def _everything(self) -> bool:
        """No filter: every job shows, also one without rows."""
        return self._show is Show.ALL and not self._text

    def _update_visible(self) -> None:
        """After jobs came or went, or rows matching the filter did."""
        jobs = self.book.jobs
        self._shown_jobs = list(jobs) if self._everything() else [r for r in jobs if r.shown]
        self._job_rows = {r.job.id: row for row, r in enumerate(self._shown_jobs)}

    def _visible_row(self, record: JobRecord) -> int | None:
        return self._job_rows.get(record.job.id)

    def _reveal(self, record: JobRecord, matching: list[int]) -> None:
        """A job that had no matching rows got some: it appears in its place."""
        row = sum(1 for r in self.book.jobs[: self.book.jobs.index(record)] if r.shown)
        self.beginInsertRows(QModelIndex(), row, row)
        record.shown = [*record.shown, *matching]
        if self._sort is not None:
            self._sort_record(record)
        self._update_visible()
        self.endInsertRows()

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
            return self.job_at(index.row())
        return self.book.by_id.get(index.internalId())

    def job_at(self, row: int) -> JobRecord | None:
        """The job shown in a top-level row."""
        jobs = self._shown_jobs
        return jobs[row] if 0 <= row < len(jobs) else None

    def number_at(self, index: Index) -> tuple[JobRecord, int] | None:
        """The job and outcome number of an Outcome row."""
        if not index.isValid() or index.internalId() == 0:
            return None
        record = self.book.by_id.get(index.internalId())
        if record is None or index.row() >= len(record.shown):
            return None
        return record, record.shown[index.row()]

    def records(self) -> list[JobRecord]:
        return list(self.book.jobs)

    def shown_outcomes(self) -> Iterator[tuple[str, Outcome]]:
        """What the view shows (filter applied), jobs oldest first: what Export writes."""
        for record in reversed(self._shown_jobs):
            for number in record.shown:
                yield record.name, record.outcomes[number]

    def job_row(self, job_id: int) -> QModelIndex:
        record = self.book.by_id.get(job_id)
        index = self._job_index(record) if record else None
        return index if index is not None else QModelIndex()

    def problem(self, outcome: Outcome) -> str:
        """Why it did not work, in words; a lock with its owner once lockdiscovery said."""
        return self.book.problem(outcome)

    # -- QAbstractItemModel --------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        jobs = self._shown_jobs
        if not parent.isValid():
            return self.createIndex(row, column, 0) if 0 <= row < len(jobs) else QModelIndex()
        if parent.internalId() or not 0 <= parent.row() < len(jobs):
            return QModelIndex()
        record = jobs[parent.row()]
        if not 0 <= row < len(record.shown):
            return QModelIndex()
        return self.createIndex(row, column, record.job.id)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        job_id = index.internalId() if index.isValid() else 0
        row = self._job_rows.get(job_id) if job_id else None
        return QModelIndex() if row is None else self.createIndex(row, 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        jobs = self._shown_jobs
        if not parent.isValid():
            return len(jobs)
        if parent.internalId() or parent.column() or not 0 <= parent.row() < len(jobs):
            return 0
        return len(jobs[parent.row()].shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return len(HEADERS)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:
        if parent.isValid() and parent.internalId():
            return False  # an Outcome: asked of every row laid out
        return self.rowCount(parent) > 0

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            record = self.record(index)
            return self._job_data(record, index.column(), role) if record else None
        found = self.number_at(index)
        if found is None:
            return None
        record, number = found
        outcome, owner = record.outcomes[number], record.owners[number]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell(record, number, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.book.tooltip(record, number)
        if role == Qt.ItemDataRole.DecorationRole and index.column() == PATH:
            icons = self._greyed if owner in record.retried else self._icons
            return icons[outcome.outcome_class]
        if role == Qt.ItemDataRole.ForegroundRole:
            if owner in record.retried:
                return QGuiApplication.palette().brush(
                    QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
                )
            if index.column() in (OPERATION, PROBLEM):
                return QBrush(CLASS_COLOURS[outcome.outcome_class])
            return None
        if role == OUTCOME_ROLE:
            return outcome
        if role == RESULT_ROLE:
            return record.results[owner]
        if role == CLASS_ROLE:
            return outcome.outcome_class
        if role == JOB_ROLE:
            return record.job.id
        return None

    def _job_data(self, record: JobRecord, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == PATH:
                return f"#{record.number}  {record.name}  —  {record.summary()}"
            if column == TIME:
                return record.started.strftime("%H:%M:%S")
            return None
        if role == Qt.ItemDataRole.DecorationRole and column == PATH:
            if record.phase is Phase.FAILED:
                return self._icons[record.worst()]
            return self._phase_icons[record.phase]
        if role == Qt.ItemDataRole.ToolTipRole:
            error = record.ended.error if record.ended and record.ended.error else ""
            return "\n".join(
                filter(None, [f"#{record.number} {record.name}", record.summary(), error])
            )
        if role == JOB_ROLE:
            return record.job.id
        return None

    def _cell(self, record: JobRecord, number: int, column: int) -> str:
        outcome = record.outcomes[number]
        if column == PATH:
            return name_cell(outcome)
        if column == OPERATION:
            return words.action(outcome)
        if column == PROBLEM:
            return self.problem(outcome)
        if column == STATUS:
            return outcome.status_line
        if column == SAID:
            return server_said(outcome)
        if column == NOTE:
            return record.note(number)
        if column == ATTEMPT:
            return str(outcome.attempt)
        if column == TIME:
            return outcome.time.astimezone().strftime("%H:%M:%S")
        return ""


def _greyed(icon: QIcon) -> QIcon:
    """The icon as a disabled button shows it: a retried row's, present but out of the way."""
    greyed = QIcon()
    for size in (16, 22, 32):
        greyed.addPixmap(icon.pixmap(QSize(size, size), QIcon.Mode.Disabled))
    return greyed


def _sort_key(column: int, outcomes: list[Outcome]) -> Callable[[int], Any]:
    """A row number's sort key in that column (a string, a number or a tuple of them)."""
    keys: dict[int, Callable[[Outcome], Any]] = {
        PATH: lambda o: o.path.casefold(),
        OPERATION: words.action,
        PROBLEM: words.problem,
        STATUS: lambda o: (o.status or 0, o.reason),
        SAID: lambda o: o.description or "",
        NOTE: words.note,
        ATTEMPT: lambda o: o.attempt,
        TIME: lambda o: o.time,
    }
    get = keys[column]
    return lambda number: get(outcomes[number])
