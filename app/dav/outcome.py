"""Outcome: what happened to one resource in one operation.

Every file a job touches ends in exactly one Outcome, and every front end
(results pane, ``--json``, ``--report``, retry actions) reads this one type, so
it holds only facts the server gave us plus where they came from.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from app.dav.errors import DavError, StatusError, TransportError, reason_phrase


class Source(enum.StrEnum):
    """Where the status of an Outcome came from."""

    MULTISTATUS = "multistatus"  # a <d:response> in a 207 (or 424) body
    JSON_BATCH = "json-batch"  # an entry of Nextcloud's bulk upload answer (a JSON map)
    RESPONSE = "response"  # the status line of a plain response
    TRANSPORT = "transport"  # no response: connection refused, reset, timeout
    LOCAL = "local"  # decided on this machine: cancelled, skipped, refused name
    DRY_RUN = "dry-run"  # what would be done


class OutcomeClass(enum.StrEnum):
    """How every front end groups, counts and colours an Outcome.

    SKIPPED, CANCELLED and UNCONFIRMED are decided by Davdesk, not read from a
    status: an Outcome carries them explicitly (Outcome.marked).
    """

    OK = "ok"
    SKIPPED = "skipped"  # ok (nothing left to do), but nothing was done either
    FAILED = "failed"
    CONFLICT = "conflict"
    CANCELLED = "cancelled"
    #: An attempt lost its answer and the server would not say whether it took effect.
    UNCONFIRMED = "unconfirmed"


#: The reason of an Outcome whose effect on the server is unknown (OutcomeClass.UNCONFIRMED).
UNCONFIRMED = "unconfirmed"
#: The DAV conditions that say a lock stopped a request.
LOCK_CONDITIONS = frozenset({"lock-token-submitted", "no-conflicting-lock"})
#: The reason of a delete whose target was not there: done, as asked.
ALREADY_GONE = "already gone"


@dataclass(frozen=True, slots=True)
class Outcome:
    """The end state of one resource in one operation. Immutable: safe to hand across threads."""

    op: str
    path: str
    status: int | None
    reason: str = ""
    ok: bool = False
    error: str | None = None
    description: str | None = None
    location: str | None = None
    destination: str | None = None
    etag: str | None = None
    source: Source = Source.RESPONSE
    attempt: int = 1
    detail: str | None = None
    #: What Davdesk found out or decided, in its own words. description holds only what
    #: the server said (responsedescription, an error body's text), so the two never mix.
    note: str | None = None
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: The class Davdesk decided itself (skipped, cancelled, unconfirmed); None: the status
    #: decides.
    marked: OutcomeClass | None = None

    @property
    def outcome_class(self) -> OutcomeClass:
        if self.marked is not None:
            return self.marked
        if self.ok:
            return OutcomeClass.OK
        if self.is_conflict:
            return OutcomeClass.CONFLICT
        return OutcomeClass.FAILED

    # -- what it means: the one vocabulary every front end reads ------------------------

    @property
    def is_locked(self) -> bool:
        """A lock stopped it: 423, or a lock condition in a 207 member or a 412/409."""
        return not self.ok and (self.status == 423 or self.error in LOCK_CONDITIONS)

    @property
    def is_conflict(self) -> bool:
        """Its target was taken or changed: settled by overwriting, skipping or keeping both
        (a 412, Overwrite: F refused, a local file in the way). A lock is not a conflict."""
        return (
            not self.ok
            and not self.is_locked
            and (self.status == 412 or self.error == "target-exists")
        )

    @property
    def needs_sign_in(self) -> bool:
        return not self.ok and self.status == 401

    @property
    def already_gone(self) -> bool:
        """A delete that found nothing to delete: a success, the file is not there."""
        return self.ok and self.reason == ALREADY_GONE

    @property
    def status_line(self) -> str:
        """ "412 Precondition Failed", or the reason when no status came ("skipped")."""
        if self.already_gone:
            return "404 Not Found"
        return f"{self.status} {self.reason}".strip() if self.status else self.reason

    def with_attempt(self, attempt: int) -> Outcome:
        return replace(self, attempt=attempt)

    def to_json(self) -> dict[str, Any]:
        """The CLI's and the reports' representation: plain JSON types only.

        Every field in its order, then "class". Built by hand: dataclasses.asdict copies each
        value deeply, which cost a sync's --json 0.1 ms a line (tests/dav/test_outcome.py
        holds the two equal).
        """
        return {
            "op": self.op,
            "path": self.path,
            "status": self.status,
            "reason": self.reason,
            "ok": self.ok,
            "error": self.error,
            "description": self.description,
            "location": self.location,
            "destination": self.destination,
            "etag": self.etag,
            "source": self.source.value,
            "attempt": self.attempt,
            "detail": self.detail,
            "note": self.note,
            "time": self.time.isoformat(),
            "marked": self.marked.value if self.marked else None,
            "class": self.outcome_class.value,
        }


def success(op: str, path: str, status: int, reason: str = "", **extra: Any) -> Outcome:
    """An Outcome for a 2xx answer."""
    return Outcome(op, path, status, reason or reason_phrase(status), ok=True, **extra)


def from_error(op: str, path: str, exc: DavError, *, attempt: int = 1) -> Outcome:
    """The Outcome of a request that raised: the status the server sent, or why none came."""
    if isinstance(exc, StatusError):
        return Outcome(
            op,
            path,
            exc.status,
            exc.reason,
            ok=False,
            error=exc.condition,
            description=None if exc.local else exc.description,
            location=exc.headers.get("location"),
            # A precondition Davdesk checked itself (a weak ETag, size and time) was never a
            # server's answer: its status is what the server would have said.
            source=Source.LOCAL if exc.local else Source.RESPONSE,
            attempt=attempt,
            note=exc.description if exc.local else None,
        )
    source = Source.TRANSPORT if isinstance(exc, TransportError) else Source.LOCAL
    return Outcome(
        op,
        path,
        None,
        type(exc).__name__,
        ok=False,
        source=source,
        attempt=attempt,
        detail=str(exc),
    )


def cancelled(op: str, path: str) -> Outcome:
    """The Outcome of a task that never ran because its job was cancelled."""
    return Outcome(
        op, path, None, "cancelled", ok=False, source=Source.LOCAL, marked=OutcomeClass.CANCELLED
    )


def skipped(op: str, path: str, why: str, **extra: Any) -> Outcome:
    """Nothing done, as the conflict policy asked: ok, and counted apart from what was done."""
    return Outcome(
        op,
        path,
        None,
        "skipped",
        ok=True,
        note=why,
        source=Source.LOCAL,
        marked=OutcomeClass.SKIPPED,
        **extra,
    )


def already_gone(op: str, path: str, **extra: Any) -> Outcome:
    """A delete answered 404: the file is not there, as asked; nothing to retry."""
    return Outcome(op, path, 404, ALREADY_GONE, ok=True, **extra)


@dataclass(frozen=True, slots=True)
class Tally:
    """How many Outcomes of a job ended in each class: one count every front end shows, so
    the header, the status bar and the CLI add up the same."""

    done: int = 0
    skipped: int = 0
    failed: int = 0
    conflicts: int = 0
    unconfirmed: int = 0
    cancelled: int = 0

    @classmethod
    def of(cls, outcomes: Iterable[Outcome]) -> Tally:
        counts: dict[OutcomeClass, int] = dict.fromkeys(OutcomeClass, 0)
        for outcome in outcomes:
            counts[outcome.outcome_class] += 1
        return cls.from_counts(counts)

    @classmethod
    def from_counts(cls, counts: Mapping[OutcomeClass, int]) -> Tally:
        return cls(
            counts.get(OutcomeClass.OK, 0),
            counts.get(OutcomeClass.SKIPPED, 0),
            counts.get(OutcomeClass.FAILED, 0),
            counts.get(OutcomeClass.CONFLICT, 0),
            counts.get(OutcomeClass.UNCONFIRMED, 0),
            counts.get(OutcomeClass.CANCELLED, 0),
        )

    @property
    def total(self) -> int:
        return self.done + self.skipped + self.problems

    @property
    def problems(self) -> int:
        """Everything not ok: what Retry Failed would run again."""
        return self.failed + self.conflicts + self.unconfirmed + self.cancelled
