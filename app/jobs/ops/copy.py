"""Copy a resource on the server (COPY; a collection with what it holds, Depth infinity).

With Overwrite, sending the COPY again gives the answer the first would
have, so a lost answer is simply repeated; otherwise (Overwrite: F) a
second COPY would find its own copy and answer 412, so a lost answer is
checked first: a resource at the destination of the source's kind (and,
for a file, size) shows the copy took effect.
"""

from __future__ import annotations

from app.dav import DavClient, Outcome
from app.jobs.conflict import Conflict
from app.jobs.context import TaskContext
from app.jobs.model import Op, Task
from app.jobs.ops.operation import Operation, destination
from app.jobs.ops.targets import free_target, name_undecided, server_side, skipped_as_there, would


def run(client: DavClient, task: Task, ctx: TaskContext) -> list[Outcome]:
    return server_side(
        task, lambda source, target, overwrite: client.copy(source, target, overwrite=overwrite)
    )


def idempotent(task: Task) -> bool:
    return skipped_as_there(task) or task.conflict is Conflict.OVERWRITE


def took_effect(client: DavClient, task: Task) -> bool:
    if name_undecided(task):
        return False
    found = client.lookup(destination(task))
    return (
        found is not None
        and found.is_dir == task.is_dir
        and (task.is_dir or found.size == task.size)
    )


def intent(task: Task) -> tuple[str, str]:
    return would(task, "would copy")


OPERATION = Operation(
    Op.COPY, run, idempotent=idempotent, took_effect=took_effect, intent=intent, target=free_target
)
