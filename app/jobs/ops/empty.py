"""Empty a trash bin: one DELETE of the collection, then a look at what is still in it.

The collection itself stays (it is the trash bin), so the check for a delete
that removed nothing is a listing of its members: each one left is reported
by name. Emptying twice leaves the bin as empty as once: a lost answer is
simply repeated.
"""

from __future__ import annotations

from dataclasses import replace

from app.dav import DavClient, Outcome
from app.dav.outcome import Source
from app.jobs.context import TaskContext
from app.jobs.model import Op, Task
from app.jobs.ops.operation import Operation, always, slashed


def run(client: DavClient, task: Task, ctx: TaskContext) -> list[Outcome]:
    folder = slashed(task.remote, True)
    outcomes = client.delete(folder, expect_gone=False)
    left = [
        Outcome(
            task.op.value,
            member.path,
            None,
            "still there",
            ok=False,
            source=Source.LOCAL,
            note="still in the trash bin after the server said it was emptied",
        )
        for member in client.listdir(folder)
    ]
    return [replace(o, op=task.op.value) for o in outcomes] + left


def intent(task: Task) -> tuple[str, str]:
    return "would empty", task.remote


OPERATION = Operation(Op.EMPTY, run, idempotent=always, intent=intent)
