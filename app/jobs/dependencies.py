"""Which tasks cannot be attempted because a folder they need was not made (or not listed).

A job's folders are created in stages before the files that go in them. A
folder whose MKDIR failed (after its retries) leaves its files nowhere to
go: sending each of them anyway would only collect one 409 Conflict per
file, hiding the one failure that matters. They are reported as not
attempted instead, naming the folder and what it met. The same holds for a
download's local folders, and for a folder planning could not list
(Task.blocked): what is in it is unknown, so nothing of it was sent.
"""

from __future__ import annotations

import threading
from pathlib import Path

from app.dav import Outcome
from app.dav.outcome import Source
from app.dav.paths import parent
from app.jobs.model import Op, Task

NOT_ATTEMPTED = "not attempted"


class Dependencies:
    """The folders of a running job that failed; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._remote: dict[str, str] = {}  # folder path (with its slash) -> why it is missing
        self._local: dict[Path, str] = {}

    def ended(self, task: Task, outcomes: list[Outcome]) -> None:
        """Note a folder task that did not succeed, so that what goes inside it is not sent.

        One that was not attempted itself is not noted: what is inside it is held back by
        the folder above that failed, whose failure is the one to name."""
        if all(o.ok for o in outcomes) or not task.is_dir:
            return
        failed = next(o for o in outcomes if not o.ok)
        if failed.reason == NOT_ATTEMPTED and not task.blocked:
            return
        status = f"{failed.status} {failed.reason}" if failed.status else failed.reason
        said = failed.description or failed.note or failed.detail
        why = f"{status}: {said}" if said else status
        with self._lock:
            if task.op is Op.MKDIR:
                self._remote[task.remote.rstrip("/") + "/"] = why
            elif task.op is Op.DOWNLOAD and task.local is not None:
                self._local[task.local] = why

    def blocker(self, task: Task) -> Outcome | None:
        """The "not attempted" Outcome of a task whose folder is missing; None if it may run."""
        if task.blocked:
            return not_attempted(task, task.blocked)
        with self._lock:
            if not self._remote and not self._local:
                return None
            if task.op in (Op.MKDIR, Op.UPLOAD):
                folder = parent(task.remote)
                while folder != "/":
                    if folder in self._remote:
                        return not_attempted(
                            task,
                            f"its folder {folder} could not be created ({self._remote[folder]})",
                        )
                    folder = parent(folder)
            if task.op is Op.DOWNLOAD and task.local is not None:
                for local_folder in task.local.parents:
                    if local_folder in self._local:
                        return not_attempted(
                            task,
                            f"its folder {local_folder} could not be "
                            f"created ({self._local[local_folder]})",
                        )
        return None


def not_attempted(task: Task, why: str) -> Outcome:
    return Outcome(
        task.op.value,
        task.remote,
        None,
        NOT_ATTEMPTED,
        ok=False,
        destination=task.destination,
        source=Source.LOCAL,
        note=why,
    )
