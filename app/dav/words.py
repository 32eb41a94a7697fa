"""Outcomes and errors in words for people: the one place every front end takes them from.

The results pane, the status bar, the CLI's lines and the reports all say
"Uploaded", "Replaced", "Locked by alice until 14:02" or "Changed on the
server since you looked" from here, so a word means the same wherever it is
read. HTTP statuses stay what they are (Outcome.status_line): a detail shown
in its own column, never the headline.
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.dav.errors import (
    CertificateError,
    ConnectError,
    DavError,
    MultiStatusError,
    ProtocolError,
    StatusError,
    TimeoutError,
    UnconfirmedError,
    UnsafeRedirectError,
)
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
    401: "User name or password refused",
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
_SAID_BY_PROBLEM = (
    "appeared on the server after planning",
    "changed on the server since it was listed",
    "exists at the destination",
    "exists on the server",
)


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
    if (
        outcome.op == "move"
        and outcome.destination
        and parent(outcome.destination.rstrip("/")) == parent(outcome.path.rstrip("/"))
    ):
        return "Renamed"
    if outcome.op in ("mkcol", "get") and (
        outcome.note == "already exists" or outcome.reason == "folder exists"
    ):
        return "Folder already there"
    if outcome.op == "get" and outcome.reason == "folder created":
        return "Created folder"
    return done


def problem(
    outcome: Outcome, locks: Sequence[ActiveLock] = (), seen: datetime | None = None
) -> str:
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
    if outcome.status is not None:
        if outcome.status in _STATUS_PROBLEMS:
            return _STATUS_PROBLEMS[outcome.status]
        if outcome.status >= 500:
            return "Server error"
        return "Refused by the server"
    if outcome.reason == "not attempted" and outcome.note:  # held back: the note says by what
        return "Not attempted"
    return _LOCAL_PROBLEMS.get(outcome.reason, outcome.reason.capitalize() or "Failed")


def _conflict(outcome: Outcome) -> str:
    said = outcome.note or outcome.description or ""
    if outcome.op == "get":
        return (
            "Changed on this computer since you looked"
            if "changed" in said
            else "Already exists on this computer"
        )
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
    """ "Locked by alice until 14:02"; "Locked" while nobody has said by whom."""
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
    parts = [
        part
        for part in (outcome.note or "").split("; ")
        if part and not part.startswith(_ROUTINE_NOTES)
    ]
    if not outcome.ok:
        parts = [part for part in parts if not part.startswith(_SAID_BY_PROBLEM)]
    return "; ".join(parts)


def tally_words(tally: Tally) -> str:
    """ "12 done · 1 skipped · 2 failed": every class with a count, in the same order
    everywhere (done always: "0 done" says nothing worked)."""
    parts = [f"{tally.done:,} done"]
    for count, word in (
        (tally.skipped, "skipped"),
        (tally.conflicts, "conflicts"),
        (tally.failed, "failed"),
        (tally.unconfirmed, "unconfirmed"),
        (tally.cancelled, "cancelled"),
    ):
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
    condition = f", {outcome.error}" if outcome.error and not outcome.error.startswith("{") else ""
    head = f"{action(outcome)} {outcome.path}{target}"
    if trouble:
        head += f": {trouble} ({status}{condition})"
    tries = f" (after {outcome.attempt} attempts)" if trouble and outcome.attempt > 1 else ""
    return head + (f" – {said}" if said else "") + tries


def status_error(error: StatusError) -> str:
    """A refused request in one line: "Not allowed (403 Forbidden): the server's words"."""
    outcome = from_error(error.method.lower(), "", error)
    condition = f", {error.condition}" if error.condition else ""
    said = f": {error.description}" if error.description else ""
    return f"{problem(outcome)} ({outcome.status_line}{condition}){said}"


def explain(error: BaseException) -> str:
    """One line for an exception from background work, in words, the details after them."""
    match error:
        case UnconfirmedError():
            return f"Not confirmed: the answer was lost ({Exception.__str__(error)}){_tries(error)}"
        case StatusError():
            return status_error(error) + _tries(error)
        case ConnectError() | TimeoutError() | ProtocolError():
            return f"{explain_connect(error).text[:-1]} ({Exception.__str__(error)}){_tries(error)}"
        case DavError():
            return str(error)
        case OSError(filename=str(name), strerror=str(reason)):
            return f"{name}: {reason}"
        case OSError():
            return str(error.strerror or error)
    return f"unexpected error ({type(error).__name__}: {error})"


def trouble(error: BaseException) -> str:
    """What stopped background work, in a few words for a state line, a table cell or a
    menu: "Server unreachable", "Signed out", "Server error", "Disk full on this computer".

    The same words as a job's problem column where they fit (problem(), the tables above);
    what only a whole connection can meet is told apart more finely (refused, unknown name,
    TLS). The rest (method, address, errno, attempts) is the detail: str(error), explain().
    """
    match error:
        case StatusError(status=401):
            return "Signed out"
        case StatusError(status=503) if _in_maintenance(error):
            return "Server in maintenance"
        case StatusError():
            return problem(from_error(error.method.lower(), "", error))
        case CertificateError():
            return _LOCAL_PROBLEMS["CertificateError"]
        case UnsafeRedirectError():
            return "Sent to another site"
        case UnconfirmedError():
            return "Not confirmed: the answer was lost"
        case TimeoutError():
            return "Server not answering"
        case ProtocolError():
            return _LOCAL_PROBLEMS["ProtocolError"]
        case ConnectError() if _tls_reason(error) is not None:
            return "Secure connection failed"
        case ConnectError() if isinstance(_chain(error)[-1], socket.gaierror):
            return "Server name unknown"
        case ConnectError():
            return "Server unreachable"
        case MultiStatusError():
            return "Server answer unreadable"
        case OSError(errno=errno.ENOSPC):
            return "Disk full on this computer"
        case OSError():
            return _LOCAL_PROBLEMS.get(type(error).__name__, _LOCAL_PROBLEMS["OSError"])
    return "Unexpected error"


def _in_maintenance(error: StatusError) -> bool:
    """A Nextcloud in maintenance mode: its header, or its words in the 503's body."""
    return (
        error.headers.get("x-nextcloud-maintenance-mode") == "1"
        or "maintenance" in (error.description or "").lower()
    )


def _tries(error: DavError) -> str:
    """ " (after 8 attempts)" for a request given up on, as a job's line says it."""
    return f" (after {error.attempts} attempts)" if error.attempts > 1 else ""


# -- connecting: what went wrong, and the way forward ---------------------------------


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a connection failed, in words, and what to try next."""

    text: str
    hints: tuple[str, ...] = ()
    #: The address was https only by Davdesk's guess and the server answered in plain http:
    #: the front end may offer http (with its warning), never switch by itself.
    plain_http: bool = False

    def lines(self) -> list[str]:
        return [self.text, *self.hints]


NOT_WEBDAV_HINTS = (
    (
        "Nextcloud or ownCloud: enter the server's address (https://cloud.example.com/); "
        "Davdesk finds the files folder itself."
    ),
    "Apache: the address of a folder served with `Dav On` (often …/dav/ or …/webdav/).",
)
#: OpenSSL's names for "the other side does not speak TLS here" (a plain http port).
_PLAIN_HTTP_TLS = {
    "WRONG_VERSION_NUMBER",
    "RECORD_LAYER_FAILURE",
    "PACKET_LENGTH_TOO_LONG",
    "HTTP_REQUEST",
    "UNKNOWN_PROTOCOL",
}
_OLD_TLS = {"TLSV1_ALERT_PROTOCOL_VERSION", "UNSUPPORTED_PROTOCOL", "NO_PROTOCOLS_AVAILABLE"}


def explain_connect(
    error: BaseException, *, user: str | None = None, guessed_https: bool = False
) -> Explanation:
    """A failed connection (or the first listing) in words with a way forward.

    user: the user name given, if any (a 401 then means a wrong password, not a missing
    name). guessed_https: the address had no scheme and Davdesk chose https.
    """
    tls = _tls_reason(error)
    match error:
        case StatusError(status=401):
            if not user:
                return Explanation(
                    "This server wants a user name and password.",
                    ("Enter them and connect again.",),
                )
            return Explanation(f"Wrong user name or password for {user}.")
        case StatusError(status=405 | 501, method="PROPFIND"):
            return Explanation(
                "This address does not speak WebDAV: the server "
                f"refused to list it ({error.status} {error.reason}).",
                NOT_WEBDAV_HINTS,
            )
        case StatusError(status=403):
            return Explanation(
                "The server does not let this user into this folder (403 Forbidden)."
            )
        case StatusError(status=404):
            return Explanation(
                "There is no folder at this address (404 Not Found).",
                ("Check the path after the server's name.",),
            )
        case StatusError():
            return Explanation(f"{status_error(error)}.")
        case CertificateError(reason=reason):
            return Explanation(f"The server's certificate is not trusted: {reason}.")
    if tls in _PLAIN_HTTP_TLS:
        if guessed_https:
            return Explanation(
                "This server does not speak https at this address: it answered in plain http.",
                (
                    (
                        "Connect with http:// only on a network you trust: the "
                        "password and the files would travel unencrypted."
                    ),
                ),
                plain_http=True,
            )
        return Explanation(
            "This server does not speak https at this address (it answered "
            "in plain http, or something else listens on this port).",
            ("Check the port, or use http:// on a network you trust.",),
        )
    if tls in _OLD_TLS:
        return Explanation(
            "The server offers only an old TLS version that is no longer safe, "
            "so the secure connection was refused.",
            ("Ask its administrator to enable TLS 1.2 or newer.",),
        )
    if tls is not None:
        return Explanation(
            f"The secure connection could not be set up ({tls.replace('_', ' ').lower()})."
        )
    if isinstance(error, ConnectError):
        return Explanation(_connect_failure(error))
    if isinstance(error, TimeoutError):
        return Explanation("The server did not answer in time.")
    if isinstance(error, UnsafeRedirectError):
        return Explanation(
            "The server sent Davdesk to another site; it did not follow, "
            "so the password stays with this server."
        )
    if isinstance(error, ProtocolError):
        return Explanation(f"The connection failed: {_root_cause(error)}.")
    return Explanation(sentence(str(error)))


def _tls_reason(error: BaseException) -> str | None:
    """OpenSSL's reason under the dav, httpx and httpcore wrappers ("WRONG_VERSION_NUMBER")."""
    for cause in _chain(error):
        if isinstance(cause, ssl.SSLError) and not isinstance(cause, ssl.SSLCertVerificationError):
            return str(cause.reason or "TLS ERROR")
    return None


def _connect_failure(error: BaseException) -> str:
    cause = _chain(error)[-1]
    if isinstance(cause, ConnectionRefusedError):
        return "Nothing answers at this address: the connection was refused."
    if isinstance(cause, socket.gaierror):
        return "The server's name is unknown: check the address."
    return f"Cannot connect to the server: {_root_cause(error)}."


def _root_cause(error: BaseException) -> str:
    cause = _chain(error)[-1]
    said = Exception.__str__(cause) if isinstance(cause, DavError) else str(cause)  # no attempts
    return getattr(cause, "strerror", None) or said or type(cause).__name__


def _chain(error: BaseException) -> list[BaseException]:
    """The error and the ones under it, outermost first."""
    chain, seen = [error], {id(error)}
    while (inner := chain[-1].__cause__ or chain[-1].__context__) is not None and id(
        inner
    ) not in seen:
        seen.add(id(inner))
        chain.append(inner)
    return chain


def sentence(text: str) -> str:
    """Text as a sentence on one line: a capital first, a full stop last."""
    text = " ".join(text.split())
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")
