"""Move or rename a resource on the server (MOVE).

Never repeated blindly after a lost answer (the second MOVE would find no
source, 404): the source gone and the destination there show the first one
took effect.
"""

from __future__ import annotations

from app.dav import DavClient, Outcome
from app.jobs.context import TaskContext
from app.jobs.model import Op, Task
from app.jobs.ops.operation import Operation, destination
from app.jobs.ops.targets import free_target, name_undecided, server_side, skipped_as_there, would


def run(client: DavClient, task: Task, ctx: TaskContext) -> list[Outcome]:
    return server_side(
        task,
        lambda source, target, overwrite: client.move(
            source, target, overwrite=overwrite, lock_token=task.lock_token
        ),
    )


def took_effect(client: DavClient, task: Task) -> bool:
    if name_undecided(task):
        return False
    return client.lookup(task.remote) is None and client.lookup(destination(task)) is not None


def intent(task: Task) -> tuple[str, str]:
    return would(task, "would move")


OPERATION = Operation(
    Op.MOVE,
    run,
    idempotent=skipped_as_there,
    took_effect=took_effect,
    intent=intent,
    target=free_target,
)
