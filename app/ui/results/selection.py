"""The results pane's selection, read once from its ranges.

A select-all of a 100,000-file job is a handful of ranges; asking Qt for its
selected rows instead makes 100,000 QModelIndex objects in Python, and each
action that asked again made them again. Picked holds what every action and
every enabled state needs: the selected jobs and, per job, the numbers of the
selected Outcomes (slices of the job's shown list, taken in C).

KeptSelection remembers the selected rows a filter hides and selects them
again when a filter shows them: a look at "Conflicts" and back to "All"
leaves the user's choice as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from PySide6.QtCore import QItemSelection, QItemSelectionModel

from app.jobs.model import TaskResult
from app.ui.results.kinds import Fix
from app.ui.results.model import ResultsModel
from app.ui.results.records import JobRecord


@dataclass
class Picked:
    #: Selected job rows, and the jobs of selected Outcome rows: what "the selected jobs" means.
    jobs: dict[int, JobRecord] = field(default_factory=dict)
    job_rows: list[JobRecord] = field(default_factory=list)  # selected job rows, as shown
    #: Job id -> its record and the numbers of its selected Outcomes, as shown.
    outcomes: dict[int, tuple[JobRecord, list[int]]] = field(default_factory=dict)

    @classmethod
    def read(cls, selection: QItemSelectionModel, model: ResultsModel) -> Picked:
        picked = cls()
        spans: dict[int, tuple[JobRecord, list[list[int]]]] = {}
        ranges = selection.selection()
        for span in (ranges.at(i) for i in range(ranges.count())):
            parent = span.parent()
            if not parent.isValid():
                for row in range(span.top(), span.bottom() + 1):
                    record = model.job_at(row)
                    if record is not None and record not in picked.job_rows:
                        picked.jobs.setdefault(record.job.id, record)
                        picked.job_rows.append(record)
                continue
            record = model.record(parent)
            if record is not None:
                picked.jobs.setdefault(record.job.id, record)
                spans.setdefault(record.job.id, (record, []))[1].append(
                    record.shown[span.top() : span.bottom() + 1]
                )
        for job_id, (record, parts) in spans.items():
            numbers = (
                parts[0]
                if len(parts) == 1
                else list(dict.fromkeys(n for part in parts for n in part))
            )  # ranges may overlap: each row once
            picked.outcomes[job_id] = (record, numbers)
        return picked

    @property
    def rows(self) -> int:
        return len(self.job_rows) + sum(len(numbers) for _, numbers in self.outcomes.values())

    def single(self) -> tuple[JobRecord, int] | None:
        """The one Outcome selected, if exactly one row is and it is an Outcome."""
        if self.job_rows or len(self.outcomes) != 1:
            return None
        [(record, numbers)] = self.outcomes.values()
        return (record, numbers[0]) if len(numbers) == 1 else None

    def result_numbers(self) -> Iterator[tuple[JobRecord, set[int]]]:
        """Per job, the results behind the selected Outcomes that were not retried since."""
        for record, numbers in self.outcomes.values():
            owners = record.owners
            chosen = {owners[n] for n in numbers}
            chosen.difference_update(record.retried)
            if chosen:
                yield record, chosen

    def scope(self, model: ResultsModel) -> list[JobRecord]:
        """The jobs selected or holding a selected row; all of them when nothing is selected."""
        return list(self.jobs.values()) or model.records()


def failures(jobs: list[JobRecord]) -> Iterator[tuple[JobRecord, set[int]]]:
    """The open failures (not retried) of the jobs that ended."""
    for record in jobs:
        if record.ended is not None and record.open_failures:
            yield record, record.open_failures


def results_of(
    chosen: Iterator[tuple[JobRecord, set[int]]], fix: Fix | None = None
) -> list[TaskResult]:
    """The TaskResults of chosen result numbers (only those calling for fix, if given)."""
    found = []
    for record, numbers in chosen:
        wanted = numbers if fix is None else numbers & record.fixes[fix]
        found += [record.results[n] for n in sorted(wanted)]
    return found


class KeptSelection:
    """Selected rows hidden by a filter, by job id and outcome number (jobs' own rows too)."""

    def __init__(self) -> None:
        self._outcomes: dict[int, set[int]] = {}
        self._jobs: set[int] = set()

    def forget(self) -> None:
        """The user chose anew: what the filter hid is no longer part of the selection."""
        self._outcomes.clear()
        self._jobs.clear()

    def around(
        self, selection: QItemSelectionModel, model: ResultsModel, change: Callable[[], None]
    ) -> None:
        """Run a filter change; keep what it hides, select again what it shows."""
        before = Picked.read(selection, model)
        change()
        after = Picked.read(selection, model)
        for job_id, (_, numbers) in before.outcomes.items():
            still = after.outcomes.get(job_id)
            hidden = set(numbers).difference(still[1] if still else ())
            if hidden:
                self._outcomes.setdefault(job_id, set()).update(hidden)
        self._jobs |= {r.job.id for r in before.job_rows} - {r.job.id for r in after.job_rows}
        again = QItemSelection()
        last = model.columnCount() - 1
        for row in range(model.rowCount()):
            job = model.index(row, 0)
            record = model.record(job)
            if record is None:
                continue
            if record.job.id in self._jobs:
                self._jobs.discard(record.job.id)
                again.select(job, model.index(row, last))
            wanted = self._outcomes.get(record.job.id)
            if not wanted:
                continue
            rows = [r for r, number in enumerate(record.shown) if number in wanted]
            for top, bottom in _runs(rows):
                again.select(model.index(top, 0, job), model.index(bottom, last, job))
            wanted.difference_update(record.shown[r] for r in rows)
        if not again.isEmpty():
            selection.select(again, QItemSelectionModel.SelectionFlag.Select)


def _runs(rows: list[int]) -> Iterator[tuple[int, int]]:
    """Ascending row numbers as (first, last) of each run of consecutive ones."""
    start = previous = None
    for row in rows:
        if previous is not None and row == previous + 1:
            previous = row
            continue
        if start is not None and previous is not None:
            yield start, previous
        start = previous = row
    if start is not None and previous is not None:
        yield start, previous
