"""What the results pane's actions do: retry, unlock, sign in again, export.

Each fix builds a new job of exactly the tasks behind the chosen Outcomes
(``retry_job``) and hands it to the same start_job as every other job, so
its Outcomes come back to the pane as a job of their own. Whatever talks to
the server or the disk runs on the Background pool.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from app.dav import DavClient, DavError, Outcome
from app.dav.hrefs import href_to_path
from app.dav.paths import parent
from app.dav.words import lock_words
from app.dav.writes import release_lock
from app.dav.xmlbodies import ActiveLock
from app.jobs.conflict import Conflict
from app.jobs.model import Job, TaskResult
from app.jobs.report import write_report
from app.logs import redact_value
from app.ui.background import Background
from app.ui.locks import LockKeeper
from app.ui.messages import readable

StartJob = Callable[[str, Job, list[str]], None]
#: Lock owners looked up per finished job at most: a folder of 10,000 locked files is
#: shown with the first ones' owners rather than 10,000 PROPFINDs.
LOCK_LOOKUPS = 50


def changed_folders(results: Sequence[TaskResult]) -> list[str]:
    """The server folders a retry of these results will change: the window refreshes them."""
    folders = set()
    for result in results:
        folders.add(parent(result.task.remote))
        if result.task.destination:
            folders.add(parent(result.task.destination))
    return sorted(folders)


class ResultFixer(QObject):
    message = Signal(str)
    locks_found = Signal(str, list)  # path, [ActiveLock]
    #: A retry job is about to start: its id and the TaskResults it runs again (the pane
    #: marks them retried, so no scope offers them again).
    retrying = Signal(int, list)

    def __init__(
        self,
        client: DavClient,
        background: Background,
        locks: LockKeeper,
        start_job: StartJob,
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self._client = client
        self._background = background
        self._locks = locks
        self._start_job = start_job
        self._window = window

    # -- retries ------------------------------------------------------------------------------

    def retry(
        self,
        results: Sequence[TaskResult],
        name: str,
        conflict: Conflict | None = None,
        lock_token: str | None = None,
    ) -> None:
        if not results:
            return
        from app.jobs.planner import retry_job  # loaded with the first retry

        job = retry_job(results, conflict=conflict, lock_token=lock_token, name=name)
        self.retrying.emit(job.id, list(results))
        self._start_job(f"{name} ({_count(job)})", job, changed_folders(results))

    # -- locks --------------------------------------------------------------------------------

    def look_up_locks(self, paths: Sequence[str]) -> None:
        """Ask lockdiscovery who holds the locks behind 423s; the pane shows the owners."""
        for path in list(dict.fromkeys(paths))[:LOCK_LOOKUPS]:
            self._background.submit(partial(self._client.locks, path), partial(self._found, path))

    def _found(
        self, path: str, locks: list[ActiveLock] | None, error: BaseException | None
    ) -> None:
        if error is None and locks is not None:
            self.locks_found.emit(path, locks)

    def unlock_and_retry(self, results: Sequence[TaskResult]) -> None:
        """Unlock what the failures name, then retry them.

        The app's own locks are released with their tokens at once. A lock
        someone else holds is shown (owner, timeout) and released only when
        the user confirms and the server reveals its token in lockdiscovery.
        """
        paths = sorted({o.path for r in results for o in r.outcomes if o.is_locked})
        if not paths:
            return
        self.message.emit(f"Looking up the locks on {_plural(len(paths), 'file')}…")
        self._background.submit(
            lambda: {path: self._client.locks(path) for path in paths},
            lambda found, error: self._confirm_unlock(results, found, error),
        )

    def _confirm_unlock(
        self,
        results: Sequence[TaskResult],
        found: dict[str, list[ActiveLock]] | None,
        error: BaseException | None,
    ) -> None:
        if error is not None or found is None:
            self.message.emit(f"Could not look up the locks: {readable(error) if error else ''}")
            return
        releases: dict[str, str] = {}  # lock root -> token
        foreign: list[str] = []
        hidden: list[str] = []
        for path, locks in found.items():
            self.locks_found.emit(path, locks)
            for lock in locks:
                root = self._lock_root(path, lock)
                mine = self._locks.held(root) or self._locks.held(path)
                token = mine.token if mine and mine.token else lock.token
                if token is None:
                    hidden.append(f"{path}: {lock_words([lock])}")
                elif root not in releases:
                    releases[root] = token
                    if mine is None:
                        foreign.append(f"{path}: {lock_words([lock])}")
        if hidden:
            QMessageBox.warning(
                self._window,
                "Cannot unlock",
                "The server does not reveal the token of these locks, so only "
                "their owners can release them (or wait until they expire):\n\n"
                + "\n".join(hidden),
            )
            return
        if foreign and not self._confirm_foreign(foreign):
            self.message.emit("Nothing was unlocked")
            return
        self.message.emit(f"Unlocking {_plural(len(releases), 'lock')}…")
        self._background.submit(
            lambda: [release_lock(self._client, root, token) for root, token in releases.items()],
            lambda _, err: self._unlocked(results, list(releases), err),
        )

    def _lock_root(self, path: str, lock: ActiveLock) -> str:
        """Where the lock was taken (a folder's depth-infinity lock covers its members)."""
        if not lock.root:
            return path
        try:
            return href_to_path(lock.root, self._client.base_url)
        except DavError:
            return path

    def _confirm_foreign(self, foreign: list[str]) -> bool:
        answer = QMessageBox.question(
            self._window,
            "Unlock files someone else locked?",
            "These locks were not taken in this window. Whoever holds them may be editing the "
            "files and could lose their changes:\n\n"
            + "\n".join(foreign[:20])
            + ("\n…" if len(foreign) > 20 else "")
            + "\n\nUnlock them and retry?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _unlocked(
        self, results: Sequence[TaskResult], roots: list[str], error: BaseException | None
    ) -> None:
        for root in roots:
            self._locks.forget_below(root)
        if error is not None:
            self.message.emit(f"Could not unlock: {readable(error)}")
            return
        self.retry(results, "Unlock and retry")

    # -- credentials ----------------------------------------------------------------------------

    def sign_in_and_retry(self, results: Sequence[TaskResult]) -> None:
        user = self._client.auth.user if self._client.auth else ""
        if not user:
            user, ok = QInputDialog.getText(self._window, "Sign in again", "User name:")
            if not ok or not user:
                return
        password, ok = QInputDialog.getText(
            self._window,
            "Sign in again",
            f"The server refused the password. Password for {user} at {self._client.origin}:",
            QLineEdit.EchoMode.Password,
        )
        if not ok:
            return
        redact_value(password)  # before anything can log it: a 401 body, a traceback
        self._client.sign_in(user, password)
        self.retry(results, "Sign in and retry")

    # -- export -----------------------------------------------------------------------------------

    def export(self, path: Path, rows: list[tuple[str, Outcome]]) -> None:
        self._background.submit(
            lambda: write_report(path, rows),
            lambda count, error: self._exported(path, count, error),
        )

    def _exported(self, path: Path, count: int | None, error: BaseException | None) -> None:
        if error is not None:
            self.message.emit(f"Could not export to {path}: {readable(error)}")
        else:
            self.message.emit(f"Exported {count:,} results to {path}")


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _count(job: Job) -> str:
    return _plural(len(job.tasks), "item")
