"""Delete a local file or empty folder (sync: deleted on the server since the last sync).

Sync plans this when the state database proves the local copy was in sync:
a file edited since then (another size or time) is kept, and its Outcome
says why. Only the local disk is touched, so no answer can be lost; were
one asked, the file being gone is what shows it took effect.

A file goes to the desktop's trash, not away for good: a delete made on the
server by mistake can still be undone here (send2trash: the freedesktop
trash on Linux, also on other disks, the Recycle Bin, the macOS Trash). A
file that cannot go to the trash (a disk without one) is kept, and its
Outcome says why: the user deletes it, or the next run tries again. An
empty folder is removed (nothing in it to recover).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from app.dav import DavClient, Outcome
from app.dav.outcome import Source
from app.jobs.context import TaskContext
from app.jobs.model import Op, Task
from app.jobs.ops.operation import Operation, never


def run(client: DavClient, task: Task, ctx: TaskContext) -> list[Outcome]:
    assert task.local is not None
    local = task.local
    if task.is_dir:
        local.rmdir()
    else:
        found = local.stat()
        if found.st_size != task.size or (task.mtime is not None and found.st_mtime != task.mtime):
            return [
                Outcome(
                    task.op.value,
                    task.remote,
                    None,
                    "changed locally",
                    ok=False,
                    error="target-exists",
                    note=f"{local} changed since it was listed: kept",
                    source=Source.LOCAL,
                )
            ]
        try:
            _to_trash(local)
        except OSError as exc:
            return [
                Outcome(
                    task.op.value,
                    task.remote,
                    None,
                    "not moved to the trash",
                    ok=False,
                    note=f"{local}: cannot move it to the trash ({str(exc) or type(exc).__name__})"
                    ": kept",
                    source=Source.LOCAL,
                )
            ]
    return [
        Outcome(
            task.op.value,
            task.remote,
            None,
            "deleted",
            ok=True,
            note=str(local) if task.is_dir else f"moved to the trash: {local}",
            source=Source.LOCAL,
        )
    ]


#: One file at a time goes to the trash in this process. send2trash makes the trash's folders
#: when they are missing and picks a free name there without a lock: a sync's workers
#: trashing at once, one of them failed to make a folder the other had just made ("not
#: moved to the trash"), and two files of one name could take the same free name, the
#: second replacing the first's bytes in the trash.
_TRASHING = threading.Lock()


def _to_trash(path: Path) -> None:
    """Loaded when a file is first deleted: a sync that deletes nothing never loads it."""
    from send2trash import send2trash

    with _TRASHING:
        send2trash(path)


def took_effect(client: DavClient, task: Task) -> bool:
    return task.local is not None and not os.path.lexists(task.local)


def intent(task: Task) -> tuple[str, str]:
    return "would delete", str(task.local) if task.is_dir else f"{task.local} (to the trash)"


OPERATION = Operation(
    Op.DELETE_LOCAL, run, idempotent=never, took_effect=took_effect, intent=intent
)
