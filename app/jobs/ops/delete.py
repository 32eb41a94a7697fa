"""Delete a resource on the server (DELETE; a collection goes with what it holds).

Sync guards its deletes with what planning saw (target_size set): only that
version of a file is deleted, and only an empty folder (what it held was
deleted one by one). A delete that finds nothing is done ("already gone").
A lost answer is not repeated blindly (the second DELETE would answer 404):
the resource being gone shows the first one took effect.
"""

from __future__ import annotations

from app.dav import DavClient, Outcome, errors, etags
from app.dav.outcome import Source, already_gone
from app.jobs.context import TaskContext
from app.jobs.model import Op, Task
from app.jobs.ops.operation import Operation, never, slashed


def run(client: DavClient, task: Task, ctx: TaskContext) -> list[Outcome]:
    if task.target_size is not None and task.is_dir:
        if client.listdir(slashed(task.remote, True)):
            return [
                Outcome(
                    task.op.value,
                    task.remote,
                    412,
                    "Precondition Failed",
                    ok=False,
                    note="the folder is not empty: kept",
                    source=Source.LOCAL,
                )
            ]
    elif task.target_size is not None:
        found = client.lookup(task.remote)
        seen = (etags.normal(task.etag), task.target_size)
        now = (etags.normal(found.etag), found.size) if found is not None else None
        if found is not None and now != seen:
            return [
                Outcome(
                    task.op.value,
                    task.remote,
                    412,
                    "Precondition Failed",
                    ok=False,
                    note="changed on the server since it was listed: kept",
                    source=Source.LOCAL,
                )
            ]
    try:
        return client.delete(slashed(task.remote, task.is_dir), lock_token=task.lock_token)
    except errors.NotFoundError:
        return [already_gone(task.op.value, task.remote)]


def took_effect(client: DavClient, task: Task) -> bool:
    return client.lookup(task.remote) is None


def intent(task: Task) -> tuple[str, str]:
    return "would delete", task.remote


OPERATION = Operation(Op.DELETE, run, idempotent=never, took_effect=took_effect, intent=intent)
