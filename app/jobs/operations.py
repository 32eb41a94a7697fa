"""One attempt of a task, and what its operation says about repeating it.

The description of each operation lives in its own module (app/jobs/ops/);
this is the engine's one door to them. execute() makes one attempt and
turns every failure that belongs to this one file into its Outcome.
Failures that belong to the job propagate instead: a retryable one (lost
connection, 503) so the retry loop (app/jobs/attempts.py) can try again,
AuthenticationError so the runner stops asking the server, and Cancelled so
the task ends as cancelled.
"""

from __future__ import annotations

from dataclasses import replace

from app.dav import DavClient, Outcome, errors
from app.dav.outcome import Source, from_error
from app.jobs.context import TaskContext
from app.jobs.model import Task
from app.jobs.ops import OPERATIONS

DONE_EARLIER = "completed by an earlier attempt"


def execute(client: DavClient, task: Task, ctx: TaskContext) -> list[Outcome]:
    """Perform one attempt of a task: one Outcome per resource it touched."""
    operation = OPERATIONS[task.op]
    try:
        task = operation.target(client, task)
        return operation.run(client, task, ctx)
    except errors.DavError as exc:
        if exc.retryable or isinstance(exc, errors.AuthenticationError):
            raise
        return [replace(from_error(task.op.value, task.remote, exc), destination=task.destination)]
    except OSError as exc:
        return [
            Outcome(
                task.op.value,
                task.remote,
                None,
                type(exc).__name__,
                ok=False,
                destination=task.destination,
                source=Source.LOCAL,
                detail=str(exc),
            )
        ]


def is_idempotent(task: Task) -> bool:
    """Whether sending a task again after a lost answer gives the answer the first would have."""
    return OPERATIONS[task.op].idempotent(task)


def already_done(client: DavClient, task: Task) -> list[Outcome] | None:
    """After a lost answer: the task's Outcome if the server shows it took effect, else None.

    None also for idempotent tasks (repeating them is the check), and for a
    "keep both" task whose free name was to be chosen when it ran: which
    name the lost attempt took is unknown.
    """
    took_effect = OPERATIONS[task.op].took_effect
    if is_idempotent(task) or took_effect is None or not took_effect(client, task):
        return None
    return [
        Outcome(
            task.op.value,
            task.remote,
            None,
            "already done",
            ok=True,
            note=DONE_EARLIER,
            destination=task.destination,
            source=Source.LOCAL,
        )
    ]
