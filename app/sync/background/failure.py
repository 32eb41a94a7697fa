"""Why a look or a run of a pair failed: a few words for people, the detail for those who open it.

A failure stops the pair's looks for a while (pair.py backs off, doubling).
The pair's state says it at a glance ("server unreachable: trying again in
30 s", "signed out: sign in again"); the words are app.dav.words's, the ones
a job's rows use, so a kind of trouble is named alike everywhere. The
technical detail (the request, the address, the errno, the attempts) goes to
the tooltip, `davdesk pair list` and the log, never into the state line.
"""

from __future__ import annotations

import errno
import sqlite3

from app.dav import errors, words


class Failure(Exception):
    """Why a look or a run failed.

    what: the trouble in a few words ("Server unreachable"); detail: the technical rest;
    remedy: what the user can do, where only the user can fix it (needs_user: it will not
    pass by itself, though it is still retried with back-off); reconnect: the next try
    asks its front end for a new client, which the user's fix (a password, a trusted
    certificate) is in.
    """

    def __init__(
        self, what: str, detail: str, *, remedy: str = "", reconnect: bool = False
    ) -> None:
        super().__init__(f"{what}: {detail}" if detail else what)
        self.what = what
        self.detail = detail
        self.remedy = remedy
        self.reconnect = reconnect

    @property
    def needs_user(self) -> bool:
        return bool(self.remedy)


#: Troubles only the user can end, by their kind, and what to do about each.
_REMEDIES: tuple[tuple[type[BaseException], str], ...] = (
    (errors.AuthenticationError, "sign in again"),
    (errors.CertificateError, "connect to the server to check its certificate"),
    (errors.InsufficientStorageError, "make room on the server"),
    (errors.ForbiddenError, "ask for access to the server folder"),
)


def failure_of(exc: BaseException, *, connecting: bool = False) -> Failure:
    """The failure of a look or a run that raised exc, in words, with its remedy if any.

    connecting: exc came from the front end's Connect, whose own refusals (no password, no
    user, the saved servers unreadable) are plain DavErrors in its words: the detail.
    """
    detail = _detail(exc)
    if connecting and type(exc) is errors.DavError:
        return Failure("Cannot sign in", detail)
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return Failure(words.trouble(exc), detail, remedy="free some space")
    if isinstance(exc, FileNotFoundError):
        return Failure("Local folder gone", detail, remedy="restore it or remove the pair")
    if isinstance(exc, errors.NotFoundError):
        return Failure("Server folder gone", detail, remedy="restore it or remove the pair")
    if isinstance(exc, sqlite3.Error):
        return Failure("Sync records unreadable", detail)
    remedy = next((said for kind, said in _REMEDIES if isinstance(exc, kind)), "")
    reconnect = isinstance(exc, (errors.AuthenticationError, errors.CertificateError))
    return Failure(words.trouble(exc), detail, remedy=remedy, reconnect=reconnect)


def _detail(exc: BaseException) -> str:
    """What happened exactly, for those who look: the request, the errno, the attempts."""
    said = str(exc)
    if isinstance(exc, (errors.DavError, OSError)):
        return said or type(exc).__name__
    return f"{type(exc).__name__}: {said}" if said else type(exc).__name__


def lowered(what: str) -> str:
    """Words as the start of a state line, which the other states begin in lower case
    ("up to date", "syncing 3 of 12"): "server unreachable"."""
    return what[:1].lower() + what[1:]
