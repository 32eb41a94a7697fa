"""Outcomes and errors in words for people: the one place every front end takes them from.

The results pane, the status bar, the CLI's lines and the reports all say
"Uploaded", "Replaced", "Locked by alice until 14:02" or "Changed on the
server since you looked" from here, so a word means the same wherever it is
read. HTTP statuses stay what they are (Outcome.status_line): a detail shown
in its own column, never the headline.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from app.dav.errors import CertificateError, ConnectError, DavError, StatusError, TimeoutError
from app.dav.outcome import Outcome, OutcomeClass, Source, Tally, from_error
from app.dav.paths import parent
from app.dav.xmlbodies import ActiveLock

#: Operation names (Outcome.op) -> (what was done, what was attempted).
_ACTIONS = {
    "put": ("Uploaded", "Upload"),
    "get": ("Downloaded", "Download"),
    "delete": ("Deleted", "Delete"),
    "copy": ("Copied", "Copy"),
    "move": ("Moved", "Move"),
    "mkcol": ("Created folder", "Create folder"),
    "delete-local": ("Deleted here", "Delete here"),
    "restore": ("Restored", "Restore"),
    "empty": ("Emptied", "Empty"),
    "proppatch": ("Properties set", "Set properties"),
    "lock": ("Locked", "Lock"),
    "unlock": ("Unlocked", "Unlock"),
}

#: Problems by status, where the status alone says what went wrong.
_STATUS_PROBLEMS = {
    400: "Refused by the server",
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Not on the server",
    405: "Not allowed here",
    409: "The folder it goes in is missing",
    413: "Too large for the server",
    414: "Name too long for the server",
    415: "Refused by the server",
    424: "Not done: another part failed",
    429: "Server busy",
    501: "Not supported by the server",
    502: "Server unavailable",
    503: "Server unavailable",
    504: "Server unavailable",
    507: "Server full",
}

#: Problems decided on this machine or on the way to the server: the exception's name.
_LOCAL_PROBLEMS = {
    "ConnectError": "Could not connect",
    "CertificateError": "Certificate not trusted",
    "TimeoutError": "Timed out",
    "ProtocolError": "Connection broken",
    "ClosedError": "Window closed",
    "UnsafePathError": "Unsafe name: refused",
    "ForbiddenNameError": "Name not allowed on the server",
    "PermissionError": "Not allowed on this computer",
    "FileNotFoundError": "Missing on this computer",
    "IsADirectoryError": "A folder is in the way on this computer",
    "NotADirectoryError": "A file is in the way on this computer",
    "FileExistsError": "Already exists on this computer",
    "OSError": "Error on this computer",
    "not attempted": "Not attempted: the job stopped",
    "still there": "Still there",
}

#: Parts of Davdesk's notes that only repeat what went as planned: not worth a column.
_ROUTINE_NOTES = ("mtime kept as a dead property", "mtime kept by X-OC-Mtime", "uploaded in ")
#: Parts of notes that the problem words already say.
_SAID_BY_PROBLEM = ("appeared on the server after planning",
                    "changed on the server since it was listed",
                    "exists at the destination", "exists on the server")


def action(outcome: Outcome) -> str:
    """What happened, or was tried, in words: "Uploaded", "Replaced", "Renamed", "Skipped"."""
    done, attempt = _ACTIONS.get(outcome.op, (outcome.op.capitalize(), outcome.op.capitalize()))
    kind = outcome.outcome_class
    if outcome.source is Source.DRY_RUN:  # the plan says what it would do: "would upload"
        return outcome.reason[:1].upper() + outcome.reason[1:]
    if kind is OutcomeClass.SKIPPED:
        return "Skipped"
    if not outcome.ok:
        return attempt
    if outcome.op == "put" and outcome.status in (200, 204):
        return "Replaced"
    if outcome.op == "move" and outcome.destination \
            and parent(outcome.destination.rstrip("/")) == parent(outcome.path.rstrip("/")):
        return "Renamed"
    if outcome.op in ("mkcol", "get") and (outcome.note == "already exists"
                                           or outcome.reason == "folder exists"):
        return "Folder already there"
    if outcome.op == "get" and outcome.reason == "folder created":
        return "Created folder"
    return done


def problem(outcome: Outcome, locks: Sequence[ActiveLock] = (),
            seen: datetime | None = None) -> str:
    """Why it did not work, in words ("" when it did): "Locked by alice until 14:02".

    locks: what lockdiscovery said of the path, seen at that time (for "until").
    """
    kind = outcome.outcome_class
    if outcome.ok:
        return ""
    if kind is OutcomeClass.CANCELLED:
        return "Cancelled"
    if kind is OutcomeClass.UNCONFIRMED:
        return "Not confirmed: the answer was lost"
    if outcome.is_locked:
        return lock_words(locks, seen)
    if outcome.is_conflict:
        return _conflict(outcome)
    if outcome.needs_sign_in:
        return "Sign-in needed"
    if outcome.status is not None:
        if outcome.status in _STATUS_PROBLEMS:
            return _STATUS_PROBLEMS[outcome.status]
        if outcome.status >= 500:
            return "Server error"
        return "Refused by the server"
    return _LOCAL_PROBLEMS.get(outcome.reason, outcome.reason.capitalize() or "Failed")


def _conflict(outcome: Outcome) -> str:
    said = outcome.note or outcome.description or ""
    if outcome.op == "get":
        return "Changed on this computer since you looked" if "changed" in said \
            else "Already exists on this computer"
    if outcome.op == "delete-local":
        return "Changed on this computer since you looked"
    if outcome.op in ("copy", "move"):
        return "Already exists at the destination"
    if outcome.op == "put" and said.startswith("appeared"):
        return "Already on the server"
    if outcome.op == "delete" and "not empty" in said:
        return "Folder not empty"
    return "Changed on the server since you looked"


def lock_words(locks: Sequence[ActiveLock] = (), seen: datetime | None = None) -> str:
    """"Locked by alice until 14:02"; "Locked" while nobody has said by whom."""
    if not locks:
        return "Locked"
    lock = locks[0]
    by = f" by {lock.owner}" if lock.owner else ""
    return f"Locked{by}{_until(lock.timeout, seen)}"


def _until(timeout: str | None, seen: datetime | None) -> str:
    """RFC 4918's "Second-3598" as the local time it runs out, or "Infinite" in words."""
    if not timeout:
        return ""
    if timeout.lower() == "infinite":
        return " (never expires)"
    seconds = timeout.rpartition("-")[2]
    if not seconds.isdigit():
        return ""
    ends = (seen or datetime.now().astimezone()) + timedelta(seconds=int(seconds))
    return f" until {ends.astimezone().strftime('%H:%M')}"


def note(outcome: Outcome) -> str:
    """Davdesk's own note, where it tells the user something: not "mtime kept" on every
    upload, nor what the problem words already say."""
    if outcome.already_gone:
        return "Already gone: nothing to delete"
    parts = [part for part in (outcome.note or "").split("; ")
             if part and not part.startswith(_ROUTINE_NOTES)]
    if not outcome.ok:
        parts = [part for part in parts if not part.startswith(_SAID_BY_PROBLEM)]
    return "; ".join(parts)


def tally_words(tally: Tally) -> str:
    """"12 done · 1 skipped · 2 failed": every class with a count, in the same order
    everywhere (done always: "0 done" says nothing worked)."""
    parts = [f"{tally.done:,} done"]
    for count, word in ((tally.skipped, "skipped"), (tally.conflicts, "conflicts"),
                        (tally.failed, "failed"), (tally.unconfirmed, "unconfirmed"),
                        (tally.cancelled, "cancelled")):
        if count:
            parts.append(f"{count:,} {'conflict' if word == 'conflicts' and count == 1 else word}")
    return " · ".join(parts)


def outcome_line(outcome: Outcome, locks: Sequence[ActiveLock] = ()) -> str:
    """One Outcome in one line: "Upload /a.txt: Locked by alice (423 Locked)"."""
    target = f" → {outcome.destination}" if outcome.destination else ""
    trouble = problem(outcome, locks)
    said = "; ".join(filter(None, [outcome.description, note(outcome)]))
    status = outcome.status_line
    # A DAV: condition names the problem exactly; a server's private one ({ns}name) does not.
    condition = f", {outcome.error}" if outcome.error and not outcome.error.startswith("{") \
        else ""
    head = f"{action(outcome)} {outcome.path}{target}"
    if trouble:
        head += f": {trouble} ({status}{condition})"
    return head + (f" – {said}" if said else "")


def status_error(error: StatusError) -> str:
    """A refused request in one line: "Not allowed (403 Forbidden): the server's words"."""
    outcome = from_error(error.method.lower(), "", error)
    condition = f", {error.condition}" if error.condition else ""
    said = f": {error.description}" if error.description else ""
    return f"{problem(outcome)} ({outcome.status_line}{condition}){said}"


def explain(error: BaseException) -> str:
    """One line for an exception from background work, in words, the details after them."""
    match error:
        case StatusError():
            return status_error(error)
        case CertificateError(reason=reason):
            return f"The server's certificate is not trusted: {reason}"
        case ConnectError():
            return f"Could not connect to the server ({error})"
        case TimeoutError():
            return f"The server did not answer in time ({error})"
        case DavError():
            return str(error)
        case OSError(filename=str(name), strerror=str(reason)):
            return f"{name}: {reason}"
        case OSError():
            return str(error.strerror or error)
    return f"unexpected error ({type(error).__name__}: {error})"
