"""The write locks this window took, so it can release them and use them.

A lock token is only known to whoever took the lock: if the window forgot it,
nobody could unlock the file until the lock times out. Jobs on a locked
resource (or a folder holding one) carry its token, so the user's own lock
does not make their own delete or move fail with 423. Lock and Unlock are
retried under the connection's policy (app/dav/writes.py: a LOCK whose answer
was lost is looked for before it is sent again).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Signal, SignalInstance

from app.dav import DavClient, Resource
from app.dav.paths import same_resource
from app.dav.writes import release_lock, take_lock
from app.dav.xmlbodies import ActiveLock
from app.jobs.model import Task
from app.ui.background import Background
from app.ui.messages import readable

LOCK_OWNER = "davdesk"
LOCK_SECONDS = 3600


def _inside(path: str, folder: str) -> bool:
    return same_resource(path, folder) or path.startswith(folder.rstrip("/") + "/")


def describe(lock: ActiveLock) -> str:
    return f"owner {lock.owner or 'unknown'}, timeout {lock.timeout or 'not given'}"


class LockKeeper(QObject):
    changed = Signal()

    def __init__(
        self,
        client: DavClient,
        background: Background,
        message: SignalInstance,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._background = background
        self._message = message
        self._locks: dict[str, ActiveLock] = {}

    def held(self, path: str) -> ActiveLock | None:
        return next(
            (lock for locked, lock in self._locks.items() if same_resource(locked, path)), None
        )

    def lock(self, resource: Resource) -> None:
        path = resource.path
        self._message.emit(f"Locking {resource.name}…")
        self._background.submit(
            lambda: take_lock(self._client, path, owner=LOCK_OWNER, timeout=LOCK_SECONDS),
            lambda lock, error: self._locked(resource, lock, error),
        )

    def _locked(
        self, resource: Resource, lock: ActiveLock | None, error: BaseException | None
    ) -> None:
        if error is not None or lock is None:
            why = readable(error) if error else "no lock was returned"
            self._message.emit(f"Could not lock {resource.name}: {why}")
            return
        self._locks[resource.path] = lock
        self._message.emit(f"Locked {resource.name} ({describe(lock)})")
        self.changed.emit()

    def unlock(self, resource: Resource) -> None:
        lock = self.held(resource.path)
        if lock is None or lock.token is None:
            return
        token = lock.token
        self._background.submit(
            lambda: release_lock(self._client, resource.path, token),
            lambda _, error: self._unlocked(resource, error),
        )

    def _unlocked(self, resource: Resource, error: BaseException | None) -> None:
        if error is not None:
            self._message.emit(f"Could not unlock {resource.name}: {readable(error)}")
            return
        self.forget_below(resource.path)
        self._message.emit(f"Unlocked {resource.name}")

    def forget_below(self, path: str) -> None:
        """The locks on path and below it are gone (it was unlocked, deleted or moved)."""
        gone = [locked for locked in self._locks if _inside(locked, path)]
        for locked in gone:
            del self._locks[locked]
        if gone:
            self.changed.emit()

    def submit_token(self, task: Task) -> Task:
        """The task with the token of a lock we hold on its resource or below it, if any."""
        if task.lock_token:
            return task
        token = next(
            (lock.token for locked, lock in self._locks.items() if _inside(locked, task.remote)),
            None,
        )
        return replace(task, lock_token=token) if token else task
