"""One job's results as the results pane keeps them: plain data, no Qt.

What a row shows and how it is counted live here, apart from the Qt model
that presents them (model.py): which filter a user chose, where a job is, what
became of a result a retry ran again, and a job's summary (its counts in the
words of app.dav.words, as the status bar and the CLI say them).
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from app.dav import Outcome
from app.dav.outcome import OutcomeClass, Tally
from app.dav.words import tally_words
from app.jobs.model import Job, JobEnded, Task, TaskResult
from app.ui.results.kinds import Fix

_PROBLEM_ORDER = (OutcomeClass.FAILED, OutcomeClass.UNCONFIRMED, OutcomeClass.CONFLICT,
                  OutcomeClass.CANCELLED)


class Show(enum.Enum):
    """The filters: what a user looks for after a job, each one click away."""

    ALL = "All"
    PROBLEMS = "Problems"
    FAILED = "Failed only"
    CONFLICTS = "Conflicts"


SHOW_TIPS = {
    Show.ALL: "Every file of every job",
    Show.PROBLEMS: "Failed, unconfirmed, conflicts and cancelled, except those a retry ran "
                   "again",
    Show.FAILED: "Only the files that failed (not conflicts or cancelled), except those retried",
    Show.CONFLICTS: "Only the conflicts (changed or already there), except those retried",
}
SHOWS_CLASS = {Show.FAILED: OutcomeClass.FAILED, Show.CONFLICTS: OutcomeClass.CONFLICT}


class Phase(enum.Enum):
    """Where a job is: waiting, running, or how it ended."""

    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Retried(enum.Enum):
    """What became of a result that a retry job ran again (following retries of retries)."""

    PENDING = "being retried"
    RESOLVED = "resolved by a retry"
    FAILED_AGAIN = "failed again when retried"


RETRIED_ROW = {Retried.PENDING: "being retried in #{}",
                Retried.RESOLVED: "retried in #{}: resolved",
                Retried.FAILED_AGAIN: "retried in #{}: failed again"}

#: A task as a retry of it runs it: the retry may change its conflict policy, lock token
#: and guards, never what it acts on.
TaskKey = tuple[str, str, str | None, str | None]


def task_key(task: Task) -> TaskKey:
    return task.op.value, task.remote, task.destination, str(task.local) if task.local else None


@dataclass(eq=False)
class RetryLink:
    """Where a result was run again: the retry job, and the result there once it came."""

    record: JobRecord
    number: int | None = None


@dataclass(eq=False)
class JobRecord:
    """One job's results. Lists, not objects per row: 100,000 rows cost a few list slots each."""

    job: Job
    name: str
    number: int  # "#3": the order the jobs of this session were added in
    started: datetime
    phase: Phase = Phase.RUNNING
    results: list[TaskResult] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)  # outcome number -> its result's number
    shown: list[int] = field(default_factory=list)  # outcome numbers, filtered and sorted
    counts: Counter[OutcomeClass] = field(default_factory=Counter)
    ended: JobEnded | None = None
    pending: list[TaskResult] = field(default_factory=list)
    #: Result numbers not ok and not retried: what Retry Failed runs.
    open_failures: set[int] = field(default_factory=set)
    #: Result numbers, not retried, whose Outcomes call for each fix.
    fixes: dict[Fix, set[int]] = field(default_factory=lambda: {fix: set() for fix in Fix})
    #: Problem Outcomes of results not retried, by class: the job's icon.
    open_problems: Counter[OutcomeClass] = field(default_factory=Counter)
    retried: dict[int, RetryLink] = field(default_factory=dict)  # result number -> its retry
    #: A retry job: the results (of earlier jobs) each of its tasks runs again, and, once
    #: its results came, the same by its result number.
    origins: dict[TaskKey, list[tuple[JobRecord, int]]] = field(default_factory=dict)
    retries_of: dict[int, list[tuple[JobRecord, int]]] = field(default_factory=dict)
    retry_counts: Counter[Retried] = field(default_factory=Counter)  # problem Outcomes

    @property
    def tally(self) -> Tally:
        return Tally.from_counts(self.counts)

    def summary(self) -> str:
        """"998 done · 2 failed — all problems resolved by a retry": the counts as the status
        bar and the CLI say them, then where the job is."""
        return f"{tally_words(self.tally)} — {self.state_words()}"

    def state_words(self) -> str:
        if self.phase is not Phase.FAILED:
            return self.phase.value
        if self.ended is not None and self.ended.error:
            return "stopped"
        retries = [f"{n:,} {state.value}" for state in Retried if (n := self.retry_counts[state])]
        if self.worst() is not OutcomeClass.OK:
            return " · ".join(["finished with problems", *retries])
        if self.retry_counts[Retried.PENDING]:
            return "being retried"
        if self.retry_counts[Retried.FAILED_AGAIN]:
            return " · ".join(retries)
        return "all problems resolved by a retry"

    def worst(self) -> OutcomeClass:
        """The worst problem still open; OK when every problem was resolved by a retry."""
        return next((kind for kind in _PROBLEM_ORDER if self.open_problems[kind]),
                    OutcomeClass.OK)

    def problems(self, number: int) -> int:
        return sum(not outcome.ok for outcome in self.results[number].outcomes)


def retry_state(record: JobRecord, number: int) -> Retried | None:
    """What the retries of a result did, following a retry of the retry; None if not retried."""
    link = record.retried.get(number)
    while link is not None:
        if link.number is None:
            return Retried.PENDING
        later = link.record.retried.get(link.number)
        if later is None:
            return Retried.RESOLVED if link.record.results[link.number].ok \
                else Retried.FAILED_AGAIN
        link = later
    return None
