"""What a watched pair tells its front end: its state in words, its runs' results, its failures.

The pair's thread decides what to do; this keeps the PairStatus that says
it, hands every change to the Listener, and writes the lasting part to the
pair's status file (for `davdesk pair list` and a later process). A failure
is said in the state each time, and reported as the pair having stopped once
per cause: when only the user can fix it, or after NOTIFY_AFTER in a row.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable
from pathlib import Path

from app.dav import words
from app.dav.outcome import Outcome
from app.dav.paths import basename
from app.sync.background.failure import Failure, failure_of, lowered
from app.sync.background.run import RunResult
from app.sync.background.status import (
    PairState,
    PairStatus,
    printable,
    read_status,
    refused_words,
    write_status,
)
from app.sync.background.types import ConflictsFound, Listener, PairStopped

log = logging.getLogger(__name__)

#: Failures in a row after which a pair that cannot reach its server is said to have stopped.
NOTIFY_AFTER = 3


class PairReport:
    """Called on the pair's thread only (status may be read from any)."""

    def __init__(
        self,
        name: str,
        local: Path,
        status_file: Path,
        listener: Listener,
        wall: Callable[[], float],
    ) -> None:
        self._name, self._local, self._file = name, local, status_file
        self._listener = listener
        self._wall = wall
        before = read_status(status_file, name)
        self._status = dataclasses.replace(
            before, state=PairState.SCANNING, text="starting", done=0, total=0, pid=os.getpid()
        )
        self._written: tuple[object, ...] | None = None
        self.failures = 0  # failed looks in a row
        self._told: str | None = None  # the reason pair_stopped was last sent for

    @property
    def status(self) -> PairStatus:
        return self._status

    def note(self, note: str | None) -> None:
        """A lasting remark beside the state ("watching by periodic full scans: ...")."""
        self._status = dataclasses.replace(self._status, note=note)

    def good(self) -> None:
        """A look that worked: the failures in a row start again from none."""
        self.failures, self._told = 0, None

    def stopped_on(self, exc: BaseException) -> None:
        """The thread ended on something unforeseen: said, never silent."""
        failure = failure_of(exc)
        self.say(PairState.ERROR, f"stopped: {lowered(failure.what)}", detail=failure.detail)
        self._listener.pair_stopped(PairStopped(self._name, f"Stopped: {failure}"))

    def finished(
        self, result: RunResult, refused: tuple[tuple[str, str], ...], held: str | None = None
    ) -> None:
        """A run's end: its last result, conflict copies and the planner's refusals that last
        (path, why), which side's deletes the guard holds back; Failure when files failed."""
        self._status = status = dataclasses.replace(self._status, refused=refused, held=held)
        conflicts = tuple(dict.fromkeys((*status.conflict_paths, *result.conflicts)))
        if result.conflicts:
            self._listener.conflicts_found(ConflictsFound(self._name, tuple(result.conflicts)))
        if result.jobs or result.failed:
            self._status = dataclasses.replace(
                status, last_sync=self._wall(), last_result=result.words(), conflict_paths=conflicts
            )
        elif status.last_sync is None or status.last_result is None:
            self._status = dataclasses.replace(
                status, last_sync=self._wall(), last_result="up to date"
            )
        else:
            self._status = dataclasses.replace(status, last_sync=self._wall())
        if result.failed and not result.cancelled:
            raise Failure(*failed_words(result.failed))

    def idle(self) -> None:
        """Up to date and watching: with the conflict copies still waiting for the user, and
        the files the planner will not sync (those need the user more: they come first)."""
        pending = tuple(p for p in self._status.conflict_paths if (self._local / p).exists())
        self._status = dataclasses.replace(self._status, conflict_paths=pending)
        conflicts = (
            f"{len(pending)} conflict{'s' if len(pending) > 1 else ''}: both versions kept"
            if pending
            else ""
        )
        if self._status.refused:
            words = "; ".join(filter(None, [refused_words(self._status.refused), conflicts]))
            self.say(PairState.ATTENTION, words)
        elif pending:
            self.say(PairState.CONFLICTS, conflicts)
        else:
            self.say(PairState.IDLE, "up to date")

    def failed(self, failure: Failure, wait: float) -> None:
        """A failed look or run, tried again in wait seconds: its words in the state (with
        the remedy where only the user can end it, else the time of the next try), the
        detail beside them and in the log; said as a stop once per kind of trouble."""
        self.failures += 1
        log.info("%s: %s (next try in %.0f s)", self._name, failure, wait)
        if failure.needs_user:
            text = f"{lowered(failure.what)}: {failure.remedy}"
            self.say(PairState.ERROR, text, detail=failure.detail)
        else:
            retry_at = self._wall() + wait
            self.say(
                PairState.WAITING, lowered(failure.what), detail=failure.detail, retry_at=retry_at
            )
        if (failure.needs_user or self.failures >= NOTIFY_AFTER) and self._told != failure.what:
            self._told = failure.what
            then = failure.remedy or "Davdesk tries again by itself"
            self._listener.pair_stopped(PairStopped(self._name, f"{failure.what}: {then}"))

    def say(
        self,
        state: PairState,
        text: str,
        done: int = 0,
        total: int = 0,
        *,
        detail: str | None = None,
        retry_at: float | None = None,
    ) -> None:
        """The pair's state now; detail (the technical side of the words) and retry_at (when
        a failed look is tried again) belong to this state only."""
        before = self._status
        now = (state, text, done, total, detail, retry_at)
        if (
            before.state,
            before.text,
            before.done,
            before.total,
            before.detail,
            before.retry_at,
        ) == now:
            return
        status = dataclasses.replace(
            before,
            state=state,
            text=text,
            done=done,
            total=total,
            detail=detail,
            retry_at=retry_at,
            updated=self._wall(),
            pid=os.getpid(),
        )
        self._status = status
        lasting = (
            status.state,
            status.last_sync,
            status.last_result,
            status.conflict_paths,
            status.refused,
            status.held,
            status.note,
            None if state is PairState.SYNCING else status.text,
            status.detail,
            status.retry_at,
        )
        if lasting != self._written:
            self._written = lasting
            try:
                write_status(self._file, status)
            except OSError as exc:
                log.debug("status of %s not written: %s", self._name, exc)
        self._listener.status_changed(status)


#: Files a failed run names in a failure's detail, each with its problem.
_FAILED_LISTED = 5


def failed_words(failed: list[Outcome]) -> tuple[str, str]:
    """A run's failed files as a failure: "report.txt not synced (Locked)" or "3 files not
    synced", and each file's line (its problem, status and note) as the detail."""
    if len(failed) == 1:
        first = failed[0]
        what = f"{printable(basename(first.path.rstrip('/')))} not synced ({words.problem(first)})"
    else:
        what = f"{len(failed)} files not synced"
    lines = [words.outcome_line(outcome) for outcome in failed[:_FAILED_LISTED]]
    if len(failed) > _FAILED_LISTED:
        lines.append(f"and {len(failed) - _FAILED_LISTED} more")
    return what, "\n".join(lines)
