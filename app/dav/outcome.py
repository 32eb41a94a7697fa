"""Outcome: what happened to one resource in one operation.

Every file a job touches ends in exactly one Outcome, and every front end
(results pane, ``--json``, ``--report``, retry actions) reads this one type, so
it holds only facts the server gave us plus where they came from.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from app.dav.errors import DavError, StatusError, TransportError, reason_phrase


class Source(enum.StrEnum):
    """Where the status of an Outcome came from."""

    MULTISTATUS = "multistatus"  # a <d:response> in a 207 (or 424) body
    RESPONSE = "response"  # the status line of a plain response
    TRANSPORT = "transport"  # no response: connection refused, reset, timeout
    LOCAL = "local"  # decided on this machine: cancelled, skipped, refused name
    DRY_RUN = "dry-run"  # what would be done


class OutcomeClass(enum.StrEnum):
    """How the results pane groups and colours an Outcome."""

    OK = "ok"
    FAILED = "failed"
    CONFLICT = "conflict"
    CANCELLED = "cancelled"
    #: An attempt lost its answer and the server would not say whether it took effect.
    UNCONFIRMED = "unconfirmed"


#: The reason of an Outcome whose effect on the server is unknown (OutcomeClass.UNCONFIRMED).
UNCONFIRMED = "unconfirmed"


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
    time: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def outcome_class(self) -> OutcomeClass:
        if self.ok:
            return OutcomeClass.OK
        if self.source is Source.LOCAL and self.status is None and self.reason == "cancelled":
            return OutcomeClass.CANCELLED
        if self.status is None and self.reason == UNCONFIRMED:
            return OutcomeClass.UNCONFIRMED
        if self.status == 412 or self.error in {"no-conflicting-lock", "target-exists"}:
            return OutcomeClass.CONFLICT
        return OutcomeClass.FAILED

    def with_attempt(self, attempt: int) -> Outcome:
        return replace(self, attempt=attempt)

    def to_json(self) -> dict[str, Any]:
        """The CLI's and the reports' representation: plain JSON types only."""
        data = asdict(self)
        data["source"] = self.source.value
        data["time"] = self.time.isoformat()
        data["class"] = self.outcome_class.value
        return data


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
    return Outcome(op, path, None, type(exc).__name__, ok=False, source=source,
                   attempt=attempt, detail=str(exc))


def cancelled(op: str, path: str) -> Outcome:
    """The Outcome of a task that never ran because its job was cancelled."""
    return Outcome(op, path, None, "cancelled", ok=False, source=Source.LOCAL)
