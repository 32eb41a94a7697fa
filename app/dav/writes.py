"""WebDAV writes a person asks for outside a job (Lock, Unlock, a property's new value), retried.

A job's tasks are repeated by the job runner. These are sent by the window
(and anything else outside a job) and go through the same RetryPolicy, the
client's (DavClient.retried): the same budget, back-off and Retry-After, and
the same words when it is spent. What differs per request is whether it may
simply be sent again (docs/retries.md):

- PROPPATCH sets values and removes names: sending it twice leaves the same
  properties (removing one that is gone is no error, RFC 4918 9.2), so it is
  repeated as it is.
- LOCK is not: a LOCK whose answer was lost may have taken a lock only its
  token can release, and a second LOCK then meets our own lock (423). After
  a lost answer, a 500, 502 or 504, lockdiscovery is read first: a lock with
  our owner that was not there before is ours (its token is kept), else the
  LOCK is sent again.
- UNLOCK answers an error when repeated after it worked (the token is gone):
  after a lost answer the lock is looked for first; when our token is no
  longer listed it was released.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.dav import errors
from app.dav.client import DavClient
from app.dav.outcome import Outcome, success
from app.dav.xmlbodies import ActiveLock

#: Davdesk's note on a write whose lost answer the server showed was carried out.
EARLIER_ATTEMPT = "completed by an earlier attempt"


def set_properties(
    client: DavClient,
    path: str,
    set_props: Mapping[str, str] | None = None,
    remove: Iterable[str] = (),
    *,
    lock_token: str | None = None,
) -> Outcome:
    """PROPPATCH, repeated as it is after a retryable failure (it is idempotent)."""
    removals = tuple(remove)
    return client.retried(
        lambda: client.proppatch(path, set_props, removals, lock_token=lock_token), None
    )


def take_lock(
    client: DavClient, path: str, *, owner: str, timeout: int | None = 3600, depth: str = "0"
) -> ActiveLock:
    """An exclusive write lock, its token kept also when the answer that carried it was lost.

    The locks already on the resource are read first, so that after a lost
    answer a lock with our owner is known to be the one this LOCK took, not
    one somebody else (another Davdesk, the same owner text) took earlier.
    """
    try:
        before: set[str | None] | None = {lock.token for lock in _locks(client, path)}
    except errors.StatusError:
        before = None  # a server that will not list its locks may still take one

    def taken() -> ActiveLock | None:
        if before is None:
            raise errors.CannotTell("the server does not list the locks on it")
        new = [
            lock
            for lock in _locks(client, path)
            if lock.owner == owner and lock.token not in before
        ]
        if any(lock.token is None for lock in new):
            raise errors.CannotTell(
                "the resource is locked, but the server does not show the "
                "lock's token, so it cannot be released before it times out"
            )
        return new[0] if new else None

    return client.retried(
        lambda: client.lock(path, owner=owner, timeout=timeout, depth=depth), taken
    )


def release_lock(client: DavClient, path: str, token: str) -> Outcome:
    """UNLOCK; after a lost answer, done when the lock with our token is no longer there."""

    def released() -> Outcome | None:
        locks = _locks(client, path)
        if any(lock.token == token for lock in locks):
            return None
        if any(lock.token is None for lock in locks):
            raise errors.CannotTell(
                "the server does not show lock tokens, so whether ours is gone is not known"
            )
        return success("unlock", path, 204, note=EARLIER_ATTEMPT)

    return client.retried(lambda: client.unlock(path, token), released)


def _locks(client: DavClient, path: str) -> list[ActiveLock]:
    """The locks on a resource; none on one that is not there (a lock on it is gone too)."""
    try:
        return client.locks(path)
    except errors.NotFoundError:
        return []
