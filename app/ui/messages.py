"""Errors and results in words a user can act on, never a traceback."""

from __future__ import annotations

from app.dav import Outcome, errors
from app.jobs.model import JobEnded

#: What a status means to someone who did not write the server, where the reason phrase is terse.
_HINTS = {
    401: "the server did not accept the user name or password",
    403: "the server does not allow this",
    404: "it is not there (any more)",
    405: "the server does not allow this here",
    409: "the folder it belongs in does not exist",
    412: "something with that name is already there, or it changed since it was listed",
    423: "it is locked",
    507: "the server is out of space",
}


def hint(status: int | None) -> str:
    """What a failure status means to the user, where the reason phrase is terse ("" if unknown)."""
    return _HINTS.get(status or 0, "")


def readable(error: BaseException) -> str:
    """One line for an exception from background work."""
    if isinstance(error, errors.StatusError):
        hint = _HINTS.get(error.status)
        said = error.description or (error.condition and f"({error.condition})")
        parts = [f"{error.status} {error.reason}", hint, said]
        return " – ".join(str(p) for p in parts if p)
    if isinstance(error, errors.DavError):
        return str(error)
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror or error}"
    return f"unexpected error ({type(error).__name__}: {error})"


def outcome_line(outcome: Outcome) -> str:
    """One failed (or skipped) resource: path, status and reason, and what the server added."""
    status = f"{outcome.status} {outcome.reason}" if outcome.status else outcome.reason
    condition = f" ({outcome.error})" if outcome.error else ""
    why = outcome.description or outcome.note or outcome.detail or _HINTS.get(outcome.status or 0)
    target = f" → {outcome.destination}" if outcome.destination else ""
    return f"{outcome.path}{target}: {status}{condition}" + (f" – {why}" if why else "")


def summary(name: str, ended: JobEnded) -> str:
    """The one-line status-bar summary of a finished job: "Copy 3 items: 3 ok · 1 failed"."""
    parts = [f"{ended.ok} ok"]
    if ended.failed:
        parts.append(f"{ended.failed} failed")
    if ended.cancelled:
        parts.append(f"{ended.cancelled} cancelled")
    line = f"{name}: {' · '.join(parts)}"
    return f"{line} – {ended.error}" if ended.error else line
