"""The results of this session's jobs as the results pane keeps them: plain data, no Qt.

What a row shows and how it is counted live here, apart from the Qt model
that presents them (model.py): which filter a user chose, where a job is, what
became of a result a retry ran again, and a job's summary (its counts in the
words of app.dav.words, as the status bar and the CLI say them).

`ResultBook` keeps every job's record and the bookkeeping between them: a
retry job is linked to the results it runs again; those are marked as
retried (shown greyed, "retried in #4: resolved"), leave the retry scopes and
the problem filters, and their job's summary counts what the retry did. What
the pane's actions ask of every change of selection (is any of these a
failure, a 412, a lock?) is kept ready as sets of result numbers per job as
results arrive, so the answer costs set operations, not a look at every row.
The Qt model calls it and tells the views what changed.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from app.dav import Outcome, words
from app.dav.outcome import OutcomeClass, Tally
from app.dav.paths import basename, parent
from app.dav.words import tally_words
from app.dav.xmlbodies import ActiveLock
from app.jobs.model import Job, JobEnded, Task, TaskResult
from app.ui.results.kinds import Fix, fixes_of

_PROBLEM_ORDER = (
    OutcomeClass.FAILED,
    OutcomeClass.UNCONFIRMED,
    OutcomeClass.CONFLICT,
    OutcomeClass.CANCELLED,
)


class Show(enum.Enum):
    """The filters: what a user looks for after a job, each one click away."""

    ALL = "All"
    PROBLEMS = "Problems"
    FAILED = "Failed only"
    CONFLICTS = "Conflicts"


SHOW_TIPS = {
    Show.ALL: "Every file of every job",
    Show.PROBLEMS: "Failed, unconfirmed, conflicts and cancelled, except those a retry ran again",
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


RETRIED_ROW = {
    Retried.PENDING: "being retried in #{}",
    Retried.RESOLVED: "retried in #{}: resolved",
    Retried.FAILED_AGAIN: "retried in #{}: failed again",
}

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
    #: Result numbers not ok, not retried and not held back (Task.blocked: a retry is held
    #: back again, as a sync's refusal is until the user renames the file): Retry Failed.
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
        """ "998 done · 2 failed — all problems resolved by a retry": the counts as the status
        bar and the CLI say them, then where the job is."""
        return f"{tally_words(self.tally)} — {self.state_words()}"

    def state_words(self) -> str:
        if self.phase is not Phase.FAILED:
            return str(self.phase.value)
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
        return next((kind for kind in _PROBLEM_ORDER if self.open_problems[kind]), OutcomeClass.OK)

    def problems(self, number: int) -> int:
        return sum(not outcome.ok for outcome in self.results[number].outcomes)

    def note(self, number: int) -> str:
        """Davdesk's words on an Outcome's row, where they tell the user something: a retry,
        why it was skipped, what it found (never what the operation and problem columns
        already say)."""
        outcome = self.outcomes[number]
        owner = self.owners[number]
        state = retry_state(self, owner)
        retried = (
            "" if state is None else RETRIED_ROW[state].format(self.retried[owner].record.number)
        )
        # Where no status came, the error on this computer (or on the way) is the whole story.
        own = words.note(outcome) or (
            outcome.detail or "" if outcome.status is None and not outcome.ok else ""
        )
        return " – ".join(filter(None, [retried, own]))


def retry_state(record: JobRecord, number: int) -> Retried | None:
    """What the retries of a result did, following a retry of the retry; None if not retried."""
    link = record.retried.get(number)
    while link is not None:
        if link.number is None:
            return Retried.PENDING
        later = link.record.retried.get(link.number)
        if later is None:
            return Retried.RESOLVED if link.record.results[link.number].ok else Retried.FAILED_AGAIN
        link = later
    return None


def name_cell(outcome: Outcome) -> str:
    """A copy or move row names both ends: "/src/a.txt → /dst/", its target folder where the
    name stays the same (short enough to show whole), both paths where it changes."""
    if not outcome.destination:
        return outcome.path
    source, target = outcome.path.rstrip("/"), outcome.destination.rstrip("/")
    if basename(source) == basename(target):
        return f"{outcome.path} → {parent(target)}"
    return f"{outcome.path} → {outcome.destination}"


def server_said(outcome: Outcome) -> str:
    """Only what the server said: its responsedescription or its error body's text."""
    return outcome.description or ""


def matches(record: JobRecord, number: int, show: Show, text: str) -> bool:
    """Whether an Outcome's row passes the filter: a problem filter leaves out what went well
    and what a retry ran again; text (casefolded) is looked for in everything the row says."""
    outcome = record.outcomes[number]
    if show is not Show.ALL:
        if outcome.ok or record.owners[number] in record.retried:
            return False
        wanted = SHOWS_CLASS.get(show)
        if wanted is not None and outcome.outcome_class is not wanted:
            return False
    if not text:
        return True
    return text in _searchable(outcome)


def _searchable(outcome: Outcome) -> str:
    return " ".join(
        filter(
            None,
            [
                outcome.path,
                outcome.destination,
                outcome.op,
                words.action(outcome),
                words.problem(outcome),
                str(outcome.status or ""),
                outcome.reason,
                outcome.error,
                outcome.description,
                outcome.note,
                outcome.detail,
            ],
        )
    ).casefold()


#: Earlier jobs reached by a change, each once (keyed by identity: records compare by it).
Reached = dict[int, JobRecord]


class ResultBook:
    """Every job of this session, newest first, and what became of their results.

    Read `jobs` and `by_id`; change them through the methods, which keep the
    retry links, the per-job sets the actions read and the lock index true.
    Each method that changes earlier jobs returns them: their rows look
    different, or no longer match a filter.
    """

    def __init__(self) -> None:
        self.jobs: list[JobRecord] = []  # newest first
        self.by_id: dict[int, JobRecord] = {}
        self._added = 0
        self._locks: dict[str, tuple[list[ActiveLock], datetime]] = {}  # path -> (locks, seen)
        self._locked_in: dict[str, Reached] = {}  # 423 path -> jobs with such rows
        #: A retry job not yet added (its id) -> the results each of its tasks runs again.
        self._links: dict[int, dict[TaskKey, list[tuple[JobRecord, int]]]] = {}

    # -- jobs coming and going -------------------------------------------------------------

    def add(self, job: Job, name: str, queued: bool = False) -> JobRecord:
        """A new job, the newest; link_origins() then marks what it retries."""
        self._added += 1
        record = JobRecord(
            job,
            name,
            self._added,
            datetime.now().astimezone(),
            Phase.QUEUED if queued else Phase.RUNNING,
        )
        self.by_id[job.id] = record
        self.jobs.insert(0, record)
        return record

    def link_retry(self, job_id: int, originals: Sequence[TaskResult]) -> None:
        """The job about to be added (job_id) runs these results again."""
        links: dict[TaskKey, list[tuple[JobRecord, int]]] = {}
        numbers: dict[int, dict[int, int]] = {}  # job id -> id(result) -> its number
        for result in originals:
            record = self.by_id.get(result.job_id)
            if record is None:
                continue
            if result.job_id not in numbers:
                numbers[result.job_id] = {id(r): n for n, r in enumerate(record.results)}
            number = numbers[result.job_id].get(id(result))
            if number is not None:
                links.setdefault(task_key(result.task), []).append((record, number))
        self._links[job_id] = links

    def link_origins(self, record: JobRecord) -> list[JobRecord]:
        """A job just added that link_retry() announced: the results it runs again are marked
        retried; returns the jobs that changed."""
        record.origins = self._links.pop(record.job.id, {})
        changed: Reached = {}
        for originals in record.origins.values():
            for original, number in originals:
                for reached in _mark_retried(original, number, RetryLink(record)):
                    changed[id(reached)] = reached
        return list(changed.values())

    def drop(self, record: JobRecord) -> None:
        self.jobs.remove(record)
        del self.by_id[record.job.id]
        for holders in self._locked_in.values():
            holders.pop(id(record), None)

    # -- results arriving --------------------------------------------------------------------

    def take(self, record: JobRecord, result: TaskResult) -> list[JobRecord]:
        """One result into the lists and the indexes the actions read; returns the jobs whose
        results this one retried."""
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
            if not result.task.blocked:  # held back (a sync's refusal): it would be again
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
                reached += _update_retry(original, was, partial(_arrived, link, number))
        return reached

    def set_locks(self, path: str, locks: list[ActiveLock]) -> list[JobRecord]:
        """What lockdiscovery said of a locked path; returns the jobs with rows refused by it."""
        self._locks[path] = (locks, datetime.now().astimezone())
        return list(self._locked_in.get(path, {}).values())

    # -- what a row says -----------------------------------------------------------------------

    def problem(self, outcome: Outcome) -> str:
        """Why it did not work, in words; a lock with its owner once lockdiscovery said."""
        locks, seen = self._locks.get(outcome.path, ([], None)) if outcome.is_locked else ([], None)
        return words.problem(outcome, locks, seen)

    def detail_line(self, record: JobRecord, number: int) -> str:
        """One Outcome as a line of text, the server's words apart from Davdesk's: Copy Details."""
        outcome = record.outcomes[number]
        target = f" → {outcome.destination}" if outcome.destination else ""
        condition = f" ({outcome.error})" if outcome.error else ""
        trouble = self.problem(outcome)
        said, note = server_said(outcome), record.note(number)
        return (
            f"{words.action(outcome)} {outcome.path}{target}"
            + (f": {trouble}" if trouble else "")
            + f" – {outcome.status_line}{condition}"
            + (f" – server said: {said}" if said else "")
            + (f" – Davdesk: {note}" if note else "")
        )

    def tooltip(self, record: JobRecord, number: int) -> str:
        """An Outcome's row in full, a line each: its paths, what happened and why, where the
        status came from, the condition, the server's words apart from Davdesk's."""
        outcome = record.outcomes[number]
        lines = [outcome.path]
        if outcome.destination:
            lines.append(f"to {outcome.destination}")
        trouble = self.problem(outcome)
        lines.append(f"{words.action(outcome)}" + (f": {trouble}" if trouble else ""))
        lines.append(
            f"{outcome.status_line} (from the {outcome.source.value}, {outcome.op.upper()})"
        )
        said, note = server_said(outcome), record.note(number)
        lines += filter(
            None,
            [
                outcome.error and f"condition: {outcome.error}",
                outcome.detail and f"detail: {outcome.detail}",
                said and f"server said: {said}",
                note and f"Davdesk: {note}",
                outcome.location and f"location: {outcome.location}",
            ],
        )
        return "\n".join(lines)


def _arrived(link: RetryLink, number: int) -> None:
    """The retry's result for a linked one came: it is this result number of the retry job."""
    link.number = number


def _mark_retried(record: JobRecord, number: int, link: RetryLink) -> list[JobRecord]:
    """A result is run again by link's job: it leaves the retry scopes and the problems."""
    if number not in record.retried:
        record.open_failures.discard(number)
        for numbers in record.fixes.values():
            numbers.discard(number)
        for outcome in record.results[number].outcomes:
            if not outcome.ok:
                record.open_problems[outcome.outcome_class] -= 1
    return _update_retry(record, number, lambda: record.retried.__setitem__(number, link))


def _update_retry(record: JobRecord, number: int, change: Callable[[], None]) -> list[JobRecord]:
    """Change a retry link and recount what the retries did in every job it reaches back to
    (a retry of a retry of ...); returns those jobs."""
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
