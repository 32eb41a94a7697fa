"""Why a look or a run of a pair failed, in words, and whether it will pass by itself.

A failure stops the pair's looks for a while (pair.py backs off, doubling);
the reason goes into the pair's state as it is written here, so it is said
for people: "cannot reach the server: ...", "the local disk is full".
"""

from __future__ import annotations

import errno
import sqlite3

from app.dav import errors


class Failure(Exception):
    """Why a look or a run failed, in words; needs_user: it will not pass by itself (it is
    still retried, with back-off); server: the server is what failed."""

    def __init__(self, reason: str, needs_user: bool, server: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.needs_user = needs_user
        self.server = server


def failure_of(exc: BaseException) -> Failure:
    """The reason in words, and whether only the user can fix it."""
    if isinstance(exc, errors.AuthenticationError):
        return Failure("the server refused the password (sign in again)", needs_user=True)
    if isinstance(exc, errors.CertificateError):
        return Failure(f"the server's certificate is not trusted: {exc}", needs_user=True)
    if isinstance(exc, errors.InsufficientStorageError):
        return Failure("the server has no space left", needs_user=True)
    if isinstance(exc, errors.TransportError):
        return Failure(f"cannot reach the server: {exc}", needs_user=False)
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return Failure("the local disk is full", needs_user=True, server=False)
    if isinstance(exc, FileNotFoundError):
        return Failure(
            f"the local folder is gone: {exc.filename or exc}", needs_user=True, server=False
        )
    if isinstance(exc, errors.NotFoundError):
        return Failure("the server folder is gone", needs_user=True)
    if isinstance(exc, (OSError, sqlite3.Error)):
        return Failure(str(exc), needs_user=False, server=False)
    return Failure(str(exc), needs_user=False)
