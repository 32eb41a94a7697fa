"""Create a folder on the server (MKCOL).

Ask (mkdir without -p) reports an existing folder as the server answers;
any other policy takes an existing folder as done (DavClient.make_folder
knows how servers answer MKCOL on one: quirks.MKCOL_ON_EXISTING). A lost
answer is not repeated blindly (the second MKCOL would answer 405): a
folder found there shows the first one took effect.
"""

from __future__ import annotations

from app.dav import DavClient, Outcome
from app.jobs.conflict import Conflict
from app.jobs.context import TaskContext
from app.jobs.model import Op, Task
from app.jobs.ops.operation import Operation, never, slashed


def run(client: DavClient, task: Task, ctx: TaskContext) -> list[Outcome]:
    path = slashed(task.remote, True)
    if task.conflict is Conflict.ASK:
        return [client.mkcol(path)]
    return [client.make_folder(path)]


def took_effect(client: DavClient, task: Task) -> bool:
    found = client.lookup(task.remote)
    return found is not None and found.is_dir


def intent(task: Task) -> tuple[str, str]:
    return "would create", task.remote


OPERATION = Operation(Op.MKDIR, run, idempotent=never, took_effect=took_effect, intent=intent)
