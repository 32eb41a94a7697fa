"""The Outcomes of every job of this session as a two-level tree: jobs, then their files.

Sized for a 100,000-file job: the model keeps each job's Outcomes in plain
lists and does its own filtering and sorting (a list of row numbers per job,
rebuilt in one pass), where a QSortFilterProxyModel would call back into
Python once per row for every keystroke. Outcomes that arrive while a job
runs are buffered and added in batches, a few times a second. What the
pane's actions ask of every change of selection (is any of these a failure,
a 412, a lock?) is kept ready as sets of result numbers per job, so the
answer costs set operations, not a look at every row.

A retry job is linked to the results it runs again: those are marked as
retried (shown greyed, "retried in #4: resolved"), leave the retry scopes and
the problem filters, and their job's summary counts what the retry did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime

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

from app.dav import Outcome
from app.dav import words
from app.dav.outcome import OutcomeClass
from app.dav.paths import basename, parent
from app.dav.xmlbodies import ActiveLock
from app.jobs.model import Job, JobEnded, TaskResult
from app.ui.results.kinds import fixes_of
from app.ui.results.records import (
    RETRIED_ROW,
    SHOWS_CLASS,
    JobRecord,
    Phase,
    RetryLink,
    Show,
    TaskKey,
    retry_state,
    task_key,
)

Index = QModelIndex | QPersistentModelIndex
OUTCOME_ROLE = Qt.ItemDataRole.UserRole + 1
RESULT_ROLE = Qt.ItemDataRole.UserRole + 2
JOB_ROLE = Qt.ItemDataRole.UserRole + 3
CLASS_ROLE = Qt.ItemDataRole.UserRole + 4
#: Milliseconds between adding buffered Outcomes of running jobs to the view.
FLUSH_MS = 200
HEADERS = ("Name", "Operation", "Problem", "Status", "Server said", "Davdesk's note",
           "Attempt", "Time")
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

    def __init__(self, icons: Mapping[OutcomeClass, QIcon], phase_icons: Mapping[Phase, QIcon],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icons = icons
        self._phase_icons = phase_icons
        self._greyed = {kind: _greyed(icon) for kind, icon in icons.items()}
        self._jobs: list[JobRecord] = []  # newest first
        self._by_id: dict[int, JobRecord] = {}
        # The jobs shown (those with matching rows, while a filter is on) and their rows: Qt
        # asks for an index's parent and children for every row it lays out, 100,000 times
        # for one expanded job, so the answers are looked up, not worked out.
        self._shown_jobs: list[JobRecord] = []
        self._job_rows: dict[int, int] = {}
        self._added = 0
        self._show = Show.ALL
        self._text = ""
        self._sort: tuple[int, Qt.SortOrder] | None = None  # None: the order they arrived in
        self._locks: dict[str, tuple[list[ActiveLock], datetime]] = {}  # path -> (locks, seen)
        self._locked_in: dict[str, dict[int, JobRecord]] = {}  # 423 path -> jobs with such rows
        self._links: dict[int, dict[TaskKey, list[tuple[JobRecord, int]]]] = {}  # job id ->
        self._flush_timer = QTimer(self, interval=FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush)

    # -- feeding it ------------------------------------------------------------------------

    def add_job(self, job: Job, name: str, queued: bool = False) -> None:
        self._added += 1
        record = JobRecord(job, name, self._added, datetime.now().astimezone(),
                           Phase.QUEUED if queued else Phase.RUNNING)
        visible = self._job_visible(record)
        if visible:
            self.beginInsertRows(QModelIndex(), 0, 0)
        self._by_id[job.id] = record
        self._jobs.insert(0, record)
        self._update_visible()
        if visible:
            self.endInsertRows()
        record.origins = self._links.pop(job.id, {})
        changed: dict[int, JobRecord] = {}
        for originals in record.origins.values():
            for original, number in originals:
                for reached in self._mark_retried(original, number, RetryLink(record)):
                    changed[id(reached)] = reached
        self._records_changed(list(changed.values()))

    def link_retry(self, job_id: int, originals: Sequence[TaskResult]) -> None:
        """The job about to be added (job_id) runs these results again."""
        links: dict[TaskKey, list[tuple[JobRecord, int]]] = {}
        numbers: dict[int, dict[int, int]] = {}  # job id -> id(result) -> its number
        for result in originals:
            record = self._by_id.get(result.job_id)
            if record is None:
                continue
            if result.job_id not in numbers:
                numbers[result.job_id] = {id(r): n for n, r in enumerate(record.results)}
            number = numbers[result.job_id].get(id(result))
            if number is not None:
                links.setdefault(task_key(result.task), []).append((record, number))
        self._links[job_id] = links

    def start_job(self, job_id: int) -> None:
        """A queued job left the queue."""
        record = self._by_id.get(job_id)
        if record is not None and record.ended is None:
            record.phase = Phase.RUNNING
            self._job_changed(record)

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
        record.phase = Phase(ended.state.value)
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
        retried: dict[int, JobRecord] = {}  # the earlier jobs whose retries these results are
        for result in pending:
            for earlier in self._take(record, result):
                retried[id(earlier)] = earlier
        matching = [n for n in range(first_new, len(record.outcomes)) if self._accepts(record, n)]
        parent = self._job_index(record)
        if parent is None:
            if matching:
                self._reveal(record, matching)
        elif self._sort is None:
            if matching:
                self.beginInsertRows(parent, len(record.shown),
                                     len(record.shown) + len(matching) - 1)
                record.shown.extend(matching)
                self.endInsertRows()
        elif matching:
            self._relayout(lambda: self._sort_in(record, matching))
        self._job_changed(record)
        self._records_changed(list(retried.values()))

    def _take(self, record: JobRecord, result: TaskResult) -> list[JobRecord]:
        """One result into the lists and the indexes the actions read; returns the jobs
        whose results this one retried."""
        number = len(record.results)
        record.results.append(result)
        for outcome in result.outcomes:
            record.outcomes.append(outcome)
            record.owners.append(number)
            record.counts[outcome.outcome_class] += 1
            if not outcome.ok:
                record.open_problems[outcome.outcome_class] += 1
                if outcome.is_locked:
                    self._locked_in.setdefault(outcome.path, {})[id(record)] = record
        if not result.ok:
            record.open_failures.add(number)
            for fix in fixes_of(result.outcomes):
                record.fixes[fix].add(number)
        originals = record.origins.get(task_key(result.task), [])
        if originals:
            record.retries_of[number] = originals
        reached: list[JobRecord] = []
        for original, was in originals:
            link = original.retried.get(was)
            if link is not None and link.record is record and link.number is None:
                reached += self._update_retry(original, was,
                                              lambda link=link: setattr(link, "number", number))
        return reached

    def _sort_in(self, record: JobRecord, matching: list[int]) -> None:
        record.shown = [*record.shown, *matching]
        self._sort_record(record)

    def set_locks(self, path: str, locks: list[ActiveLock]) -> None:
        """What lockdiscovery said of a locked path: its rows say who holds it, until when."""
        self._locks[path] = (locks, datetime.now().astimezone())
        for record in self._locked_in.get(path, {}).values():
            parent = self._job_index(record)
            if parent is not None and record.shown:
                self.dataChanged.emit(self.index(0, PROBLEM, parent),
                                      self.index(len(record.shown) - 1, PROBLEM, parent))

    def clear_finished(self) -> None:
        """Remove the finished jobs' rows, leaving the running ones (and their selection) be."""
        for row in reversed(range(len(self._shown_jobs))):
            record = self._shown_jobs[row]
            if record.ended is not None:
                self.beginRemoveRows(QModelIndex(), row, row)
                self._drop(record)
                self.endRemoveRows()
        for record in [r for r in self._jobs if r.ended is not None]:
            self._drop(record)  # filtered out, so not shown

    def trim(self, kept: int) -> None:
        """Keep the newest `kept` finished jobs (the preference); running ones always stay."""
        finished = [r for r in self._jobs if r.ended is not None]
        for record in finished[kept:]:
            row = self._visible_row(record)
            if row is None:
                self._drop(record)
                continue
            self.beginRemoveRows(QModelIndex(), row, row)
            self._drop(record)
            self.endRemoveRows()

    def _drop(self, record: JobRecord) -> None:
        self._jobs.remove(record)
        del self._by_id[record.job.id]
        for holders in self._locked_in.values():
            holders.pop(id(record), None)
        self._update_visible()

    # -- retries ---------------------------------------------------------------------------

    def _mark_retried(self, record: JobRecord, number: int, link: RetryLink) -> list[JobRecord]:
        """A result is run again by link's job: it leaves the retry scopes and the problems."""
        if number not in record.retried:
            record.open_failures.discard(number)
            for numbers in record.fixes.values():
                numbers.discard(number)
            for outcome in record.results[number].outcomes:
                if not outcome.ok:
                    record.open_problems[outcome.outcome_class] -= 1
        return self._update_retry(record, number,
                                  lambda: record.retried.__setitem__(number, link))

    def _update_retry(self, record: JobRecord, number: int,
                      change: Callable[[], None]) -> list[JobRecord]:
        """Change a retry link and recount what the retries did in every job it reaches back
        to (a retry of a retry of ...); returns those jobs."""
        reached = [(record, number)]
        for earlier, was in reached:  # grows as it goes
            reached.extend(earlier.retries_of.get(was, ()))
        before = [retry_state(r, n) for r, n in reached]
        change()
        for (r, n), old in zip(reached, before, strict=True):
            new = retry_state(r, n)
            if new is not old:
                problems = r.problems(n)
                if old is not None:
                    r.retry_counts[old] -= problems
                if new is not None:
                    r.retry_counts[new] += problems
        return [r for r, _ in reached]

    def _records_changed(self, records: list[JobRecord]) -> None:
        """Retry links changed in these jobs: their rows look different, or no longer match."""
        if not records:
            return
        if self._show is not Show.ALL:
            self._relayout(lambda: [self._refilter(r) for r in records])
        for record in records:
            parent = self._job_index(record)
            if parent is not None and record.shown:
                self.dataChanged.emit(self.index(0, 0, parent),
                                      self.index(len(record.shown) - 1, len(HEADERS) - 1, parent))
            self._job_changed(record)

    # -- filtering and sorting -------------------------------------------------------------

    def set_filter(self, show: Show, text: str) -> None:
        def change() -> None:
            self._show, self._text = show, text.strip().casefold()
            for record in self._jobs:
                self._refilter(record)

        self._relayout(change)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        def change() -> None:
            self._sort = (column, order) if 0 <= column < len(HEADERS) else None
            for record in self._jobs:
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
        self.layoutAboutToBeChanged[_PARENTS, _HINT].emit([], hint_)
        old_jobs = list(self._shown_jobs)
        old_shown = {r.job.id: r.shown for r in self._jobs}  # change() assigns new lists
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
                record, before = self._by_id.get(job_id), old_shown.get(job_id)
                if record is not None and before is not None and row < len(before) \
                        and id(record) in new_rows:
                    if job_id not in places:
                        places[job_id] = {n: r for r, n in enumerate(record.shown)}
                    new_row = places[job_id].get(before[row])
                    if new_row is not None:
                        target = self.createIndex(new_row, index.column(), job_id)
            moved_from.append(index)
            moved_to.append(target)
        self.changePersistentIndexList(moved_from, moved_to)
        self.layoutChanged[_PARENTS, _HINT].emit([], hint_)

    def _refilter(self, record: JobRecord) -> None:
        record.shown = [n for n in range(len(record.outcomes)) if self._accepts(record, n)]
        if self._sort is not None:
            self._sort_record(record)

    def _sort_record(self, record: JobRecord) -> None:
        assert self._sort is not None
        column, order = self._sort
        key = _sort_key(column, record.outcomes)
        record.shown = sorted(record.shown, key=key,
                              reverse=order is Qt.SortOrder.DescendingOrder)

    def _accepts(self, record: JobRecord, number: int) -> bool:
        outcome = record.outcomes[number]
        if self._show is not Show.ALL:
            if outcome.ok or record.owners[number] in record.retried:
                return False
            wanted = SHOWS_CLASS.get(self._show)
            if wanted is not None and outcome.outcome_class is not wanted:
                return False
        if not self._text:
            return True
        return self._text in _searchable(outcome)

    def _job_visible(self, record: JobRecord) -> bool:
        return (self._show is Show.ALL and not self._text) or bool(record.shown)

    def _update_visible(self) -> None:
        """After jobs came or went, or rows matching the filter did."""
        everything = self._show is Show.ALL and not self._text
        self._shown_jobs = list(self._jobs) if everything else [r for r in self._jobs if r.shown]
        self._job_rows = {r.job.id: row for row, r in enumerate(self._shown_jobs)}

    def _visible_row(self, record: JobRecord) -> int | None:
        return self._job_rows.get(record.job.id)

    def _reveal(self, record: JobRecord, matching: list[int]) -> None:
        """A job that had no matching rows got some: it appears in its place."""
        row = sum(1 for r in self._jobs[:self._jobs.index(record)] if r.shown)
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
        return self._by_id.get(index.internalId())

    def job_at(self, row: int) -> JobRecord | None:
        """The job shown in a top-level row."""
        jobs = self._shown_jobs
        return jobs[row] if 0 <= row < len(jobs) else None

    def number_at(self, index: Index) -> tuple[JobRecord, int] | None:
        """The job and outcome number of an Outcome row."""
        if not index.isValid() or index.internalId() == 0:
            return None
        record = self._by_id.get(index.internalId())
        if record is None or index.row() >= len(record.shown):
            return None
        return record, record.shown[index.row()]

    def records(self) -> list[JobRecord]:
        return list(self._jobs)

    def shown_outcomes(self) -> Iterator[tuple[str, Outcome]]:
        """What the view shows (filter applied), jobs oldest first: what Export writes."""
        for record in reversed(self._shown_jobs):
            for number in record.shown:
                yield record.name, record.outcomes[number]

    def job_row(self, job_id: int) -> QModelIndex:
        record = self._by_id.get(job_id)
        index = self._job_index(record) if record else None
        return index if index is not None else QModelIndex()

    def server_said(self, outcome: Outcome) -> str:
        """Only what the server said: its responsedescription or its error body's text."""
        return outcome.description or ""

    def note(self, record: JobRecord, number: int) -> str:
        """Davdesk's words on a row, where they tell the user something: a retry, why it was
        skipped, what it found (never what the operation and problem columns already say)."""
        outcome = record.outcomes[number]
        state = retry_state(record, record.owners[number])
        retried = "" if state is None else RETRIED_ROW[state].format(
            record.retried[record.owners[number]].record.number)
        # Where no status came, the error on this computer (or on the way) is the whole story.
        own = words.note(outcome) or (outcome.detail or "" if outcome.status is None
                                      and not outcome.ok else "")
        return " – ".join(filter(None, [retried, own]))

    def problem(self, outcome: Outcome) -> str:
        """Why it did not work, in words; a lock with its owner once lockdiscovery said."""
        locks, seen = self._locks.get(outcome.path, ([], None)) if outcome.is_locked \
            else ([], None)
        return words.problem(outcome, locks, seen)

    def detail_line(self, record: JobRecord, number: int) -> str:
        """One Outcome as a line of text, the server's words apart from Davdesk's: Copy Details."""
        outcome = record.outcomes[number]
        target = f" → {outcome.destination}" if outcome.destination else ""
        condition = f" ({outcome.error})" if outcome.error else ""
        trouble = self.problem(outcome)
        said, note = self.server_said(outcome), self.note(record, number)
        return (f"{words.action(outcome)} {outcome.path}{target}"
                + (f": {trouble}" if trouble else "")
                + f" – {outcome.status_line}{condition}"
                + (f" – server said: {said}" if said else "")
                + (f" – Davdesk: {note}" if note else ""))

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

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
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
            return self._tooltip(record, number)
        if role == Qt.ItemDataRole.DecorationRole and index.column() == PATH:
            icons = self._greyed if owner in record.retried else self._icons
            return icons[outcome.outcome_class]
        if role == Qt.ItemDataRole.ForegroundRole:
            if owner in record.retried:
                return QGuiApplication.palette().brush(QPalette.ColorGroup.Disabled,
                                                       QPalette.ColorRole.Text)
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
            return "\n".join(filter(None, [f"#{record.number} {record.name}", record.summary(),
                                           error]))
        if role == JOB_ROLE:
            return record.job.id
        return None

    def _cell(self, record: JobRecord, number: int, column: int) -> str:
        outcome = record.outcomes[number]
        if column == PATH:
            return _source_and_destination(outcome)
        if column == OPERATION:
            return words.action(outcome)
        if column == PROBLEM:
            return self.problem(outcome)
        if column == STATUS:
            return outcome.status_line
        if column == SAID:
            return self.server_said(outcome)
        if column == NOTE:
            return self.note(record, number)
        if column == ATTEMPT:
            return str(outcome.attempt)
        if column == TIME:
            return outcome.time.astimezone().strftime("%H:%M:%S")
        return ""

    def _tooltip(self, record: JobRecord, number: int) -> str:
        outcome = record.outcomes[number]
        lines = [outcome.path]
        if outcome.destination:
            lines.append(f"to {outcome.destination}")
        trouble = self.problem(outcome)
        lines.append(f"{words.action(outcome)}" + (f": {trouble}" if trouble else ""))
        lines.append(f"{outcome.status_line} (from the {outcome.source.value}, "
                     f"{outcome.op.upper()})")
        said, note = self.server_said(outcome), self.note(record, number)
        lines += filter(None, [outcome.error and f"condition: {outcome.error}",
                               outcome.detail and f"detail: {outcome.detail}",
                               said and f"server said: {said}", note and f"Davdesk: {note}",
                               outcome.location and f"location: {outcome.location}"])
        return "\n".join(lines)


def _source_and_destination(outcome: Outcome) -> str:
    """A copy or move row names both ends: "/src/a.txt → /dst/", its target folder where the
    name stays the same (short enough to show whole), both paths where it changes."""
    if not outcome.destination:
        return outcome.path
    source, target = outcome.path.rstrip("/"), outcome.destination.rstrip("/")
    if basename(source) == basename(target):
        return f"{outcome.path} → {parent(target)}"
    return f"{outcome.path} → {outcome.destination}"


def _greyed(icon: QIcon) -> QIcon:
    """The icon as a disabled button shows it: a retried row's, present but out of the way."""
    greyed = QIcon()
    for size in (16, 22, 32):
        greyed.addPixmap(icon.pixmap(QSize(size, size), QIcon.Mode.Disabled))
    return greyed


def _searchable(outcome: Outcome) -> str:
    return " ".join(filter(None, [outcome.path, outcome.destination, outcome.op,
                                  words.action(outcome), words.problem(outcome),
                                  str(outcome.status or ""), outcome.reason, outcome.error,
                                  outcome.description, outcome.note, outcome.detail])).casefold()


def _sort_key(column: int, outcomes: list[Outcome]) -> Callable[[int], object]:
    keys: dict[int, Callable[[Outcome], object]] = {
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
