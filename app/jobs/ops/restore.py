"""Put a trash bin item back (Nextcloud: a MOVE to restore/; the server picks the place, its
original one or the root). Also restores a file version (a MOVE to restore/target).

Not repeated blindly after a lost answer (the second MOVE would find no
source): the item gone from the trash bin shows the first one took effect.
"""

from __future__ import annotations

from dataclasses import replace

from app.dav import DavClient, Outcome
from app.jobs.context import TaskContext
from app.jobs.model import Op, Task
from app.jobs.ops.operation import Operation, destination, never, slashed


def run(client: DavClient, task: Task, ctx: TaskContext) -> list[Outcome]:
    outcomes = client.move(slashed(task.remote, task.is_dir), destination(task))
    return [replace(o, op=task.op.value) for o in outcomes]


def took_effect(client: DavClient, task: Task) -> bool:
    return client.lookup(task.remote) is None


def intent(task: Task) -> tuple[str, str]:
    return "would restore", task.remote


OPERATION = Operation(Op.RESTORE, run, idempotent=never, took_effect=took_effect, intent=intent)
