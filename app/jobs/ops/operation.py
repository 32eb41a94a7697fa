"""What describes one job operation, and the small helpers several operations share.

An Operation keeps together everything the engine needs to know about one
kind of task, so that adding one means writing one module (see
app/jobs/ops/__init__.py): how an attempt runs, whether it may simply be sent
again after a lost answer, how to tell whether a lost attempt took effect
anyway, and what a dry run says it would do. The retry loop around them is
app/jobs/attempts.py, the same for every operation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from app.dav import DavClient, Outcome, Resource, errors
from app.dav.outcome import from_error, skipped
from app.jobs.context import TaskContext
from app.jobs.model import Op, Task

#: One attempt of a task: one Outcome per resource it touched. A failure that belongs to
#: this one file becomes its Outcome; one that belongs to the job (a retryable error,
#: AuthenticationError, Cancelled) propagates to the retry loop.
Run = Callable[[DavClient, Task, TaskContext], list[Outcome]]


def as_planned(client: DavClient, task: Task) -> Task:
    """The task as planned: the target of most operations is fixed when they are planned."""
    return task


def never(task: Task) -> bool:
    return False


def always(task: Task) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Operation:
    """One kind of task, described in one place.

    run: one attempt (the retry loop repeats it). idempotent: sending the
    task again after a lost answer gives the answer the first attempt would
    have, so repeating it is the check; stricter than "safe to repeat": a
    DELETE that took effect answers 404 the second time, and a guarded PUT
    412 (its own write changed the ETag), so those are not. intent: a dry
    run's words, (reason, the target as shown). took_effect: asked after an
    attempt that is not idempotent lost its answer, with read-only requests
    only; True when the server shows the task was carried out, False when it
    shows it was not or cannot tell (the task is then sent again, or
    reported as it ended); None for an operation that is always idempotent.
    target: the task as it is sent, for an operation
    whose target is decided only when it runs (keep both after a conflict:
    a free name from a fresh listing); its Outcomes name that target.
    """

    op: Op
    run: Run
    idempotent: Callable[[Task], bool]
    intent: Callable[[Task], tuple[str, str]]
    took_effect: Callable[[DavClient, Task], bool] | None = None
    target: Callable[[DavClient, Task], Task] = as_planned


# -- shared by several operations ------------------------------------------------


def slashed(path: str, is_dir: bool) -> str:
    """Collections get their trailing slash: without it some servers redirect or answer 409."""
    return path.rstrip("/") + "/" if is_dir else path


def destination(task: Task) -> str:
    assert task.destination is not None
    return slashed(task.destination, task.is_dir)


def skipped_as_outcome(task: Task, why: str) -> Outcome:
    return skipped(task.op.value, task.remote, why, destination=task.destination)


def conflict_outcome(task: Task, exc: errors.PreconditionFailedError, why: str) -> Outcome:
    outcome = from_error(task.op.value, task.remote, exc)
    return replace(outcome, note=outcome.note or why, destination=task.destination)


def stamp(resource: Resource) -> tuple[int | None, float | None]:
    """What stands in for an ETag on servers without one: size and getlastmodified."""
    return resource.size, resource.modified.timestamp() if resource.modified else None
