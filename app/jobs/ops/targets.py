"""What operations that write to a target share (copy, move, upload, download): the target
may already exist, and the conflict policy says what then.

Skip decides locally (nothing is sent, so it is idempotent); "keep both" after
a conflict picks its free name when it runs, so which name a lost attempt
took is unknown; a dry run says what would happen to the target in the same
words for all four.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from app.dav import DavClient, Outcome, errors
from app.dav.paths import basename, join, parent
from app.jobs.conflict import Conflict
from app.jobs.model import Op, Task
from app.jobs.naming import free_name, name_key
from app.jobs.ops.operation import conflict_outcome, destination, skipped_as_outcome, slashed

#: A server-side copy or move: send(source, destination, overwrite) -> its Outcomes.
Send = Callable[[str, str, bool], list[Outcome]]


def skipped_as_there(task: Task) -> bool:
    """A target that was there when planned, with policy Skip: decided locally, nothing sent."""
    return task.exists and task.conflict is Conflict.SKIP


def server_side(task: Task, send: Send) -> list[Outcome]:
    """A COPY or MOVE onto its destination under the task's conflict policy.

    Overwrite sends Overwrite: T; every other policy F, so a target that
    appeared after planning is a 412: skipped under Skip, a conflict otherwise.
    """
    if skipped_as_there(task):
        return [skipped_as_outcome(task, "exists at the destination")]
    try:
        return send(
            slashed(task.remote, task.is_dir),
            destination(task),
            task.conflict is Conflict.OVERWRITE,
        )
    except errors.PreconditionFailedError as exc:
        if task.conflict is Conflict.SKIP:
            return [skipped_as_outcome(task, "appeared at the destination after planning")]
        return [conflict_outcome(task, exc, "exists at the destination")]


def free_target(client: DavClient, task: Task) -> Task:
    """A "keep both" task whose target was taken when it was made (a retry after a conflict).

    The planner picks free names from its listing; a retry cannot, so the
    name is picked here from a fresh listing. Overwrite: F / If-None-Match
    still guard the moment between the listing and the write.
    """
    if not name_undecided(task):
        return task
    target = destination(task) if task.op is not Op.UPLOAD else task.remote
    folder = parent(target)
    taken = {name_key(r.name) for r in client.listdir(folder)}
    name = free_name(basename(target), taken, is_dir=task.is_dir)
    free = slashed(join(folder, name), task.is_dir)
    moved = replace(task, exists=False, etag=None, target_size=None, target_modified=None)
    return replace(moved, remote=free) if task.op is Op.UPLOAD else replace(moved, destination=free)


def name_undecided(task: Task) -> bool:
    """Keep both with a target taken when planned: the free name is picked when it runs, so
    after a lost answer which name that attempt took is unknown (it is not looked for)."""
    return task.conflict is Conflict.RENAME and task.exists


def would(task: Task, verb: str) -> tuple[str, str]:
    """A dry run's words for a task with a target: (reason, the target as shown)."""
    target, source_name, target_name = _names(task)
    if task.exists:
        if task.conflict is Conflict.SKIP:
            return "would skip", f"{target} exists"
        if task.conflict is Conflict.OVERWRITE or task.op is Op.UPLOAD:
            # An upload onto an existing file was asked about when it was chosen.
            return "would overwrite", target
        if task.conflict is Conflict.RENAME:
            guess = free_name(target_name, {name_key(target_name)}, is_dir=task.is_dir)
            return f"would rename to {guess}", f"{target} exists: the first free name when it runs"
        where = "locally" if task.op is Op.DOWNLOAD else "on the server"
        return verb, f"{target} exists {where}: a conflict to resolve"
    if task.conflict is Conflict.RENAME and name_key(source_name) != name_key(target_name):
        return f"would rename to {target_name}", target
    return verb, target


def _names(task: Task) -> tuple[str, str, str]:
    """(target as shown, the source's name, the target's name)."""
    if task.op is Op.DOWNLOAD:
        assert task.local is not None
        return str(task.local), basename(task.remote), task.local.name
    if task.op is Op.UPLOAD:
        assert task.local is not None
        return task.remote, task.local.name, basename(task.remote)
    assert task.destination is not None
    return task.destination, basename(task.remote), basename(task.destination)
