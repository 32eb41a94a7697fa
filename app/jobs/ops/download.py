"""Download a file or create a local folder (GET into a temporary file renamed into place).

Writes only the local disk, so sending it again is always safe: a lost answer
is simply repeated. The conflict policy is about the local file in the way;
sync guards a download over a local file with that file's size and time as
planned (target_size, target_modified): a file edited since is kept.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from app.dav import DavClient, Outcome, errors
from app.dav.outcome import Source
from app.dav.paths import check_local_name
from app.jobs.conflict import Conflict
from app.jobs.context import TaskContext
from app.jobs.model import Op, Task
from app.jobs.naming import free_name, local_names
from app.jobs.ops.operation import Operation, always, skipped_as_outcome
from app.jobs.ops.targets import would


def run(client: DavClient, task: Task, ctx: TaskContext) -> list[Outcome]:
    if task.local is None:  # refused by the planner: say why again, now as its Outcome
        raise errors.UnsafePathError(task.refusal or f"{task.remote}: refused when planned")
    check_local_name(task.local.name)
    if task.is_dir:
        existed = task.local.is_dir()
        task.local.mkdir(parents=True, exist_ok=True)
        return [
            Outcome(
                "get",
                task.remote,
                None,
                "folder exists" if existed else "folder created",
                ok=True,
                note=str(task.local),
                source=Source.LOCAL,
            )
        ]
    local = task.local
    if task.target_size is not None and _local_stamp(local) != (
        task.target_size,
        task.target_modified,
    ):
        return [
            Outcome(
                "get",
                task.remote,
                None,
                "changed locally",
                ok=False,
                error="target-exists",
                note=f"{local} changed since it was listed: kept",
                source=Source.LOCAL,
            )
        ]
    if os.path.lexists(local):
        if task.conflict is Conflict.ASK:
            return [
                Outcome(
                    "get",
                    task.remote,
                    None,
                    "exists locally",
                    ok=False,
                    error="target-exists",
                    note=str(local),
                    source=Source.LOCAL,
                )
            ]
        if task.conflict is Conflict.SKIP:
            return [skipped_as_outcome(task, f"{local} exists")]
        if task.conflict is Conflict.RENAME:
            local = local.with_name(free_name(local.name, local_names(local.parent)))
    local.parent.mkdir(parents=True, exist_ok=True)
    outcome = client.get(task.remote, local, progress=ctx.progress, keep_mtime=ctx.keep_mtime)
    if ctx.keep_mtime and task.mtime is not None:
        os.utime(local, (task.mtime, task.mtime))
    return [replace(outcome, note=f"saved as {local}")]


def intent(task: Task) -> tuple[str, str]:
    if task.local is None:
        return "would skip", f"{task.remote}: not a safe local name"
    if task.is_dir:
        return "would create", str(task.local)
    return would(task, "would download")


OPERATION = Operation(Op.DOWNLOAD, run, idempotent=always, intent=intent)


def _local_stamp(path: Path) -> tuple[int, float] | None:
    """What a download's target_size and target_modified describe: the local file it replaces."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_size, found.st_mtime
