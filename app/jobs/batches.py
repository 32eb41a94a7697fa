"""Which uploads of a stage travel together in a bulk upload (app.dav.bulk), and which alone.

Only a file that planning saw absent, small enough, not locked, and headed
for the account's files goes in a batch: the bulk endpoint writes without
If-None-Match or If-Match, so a file that was there (whose version the user
chose to overwrite, or not) keeps its guarded PUT. Every file still ends in
its own task's Outcome: the runner turns the batch's JSON answer into one
TaskResult per file, so results, reports, retries and sync records see no
difference.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.dav.bulk import BulkUploads
from app.dav.extensions import ServerExtensions
from app.dav.paths import basename
from app.jobs.model import Op, Task

#: Batches are split to keep every worker busy only down to this many files each: below it,
#: the request saved is worth more than the parallel one.
SPREAD_FROM = 10
#: A stage's work: a task run alone, or a batch of uploads sent in one request.
WorkItem = Task | tuple[Task, ...]


def batched(
    stage: Sequence[Task], extensions: ServerExtensions, workers: int = 1
) -> list[WorkItem]:
    """The stage as work items: the batches first (they carry most files per request), then the
    tasks that go alone, in their order. A batch of one is sent as a plain PUT. A name the
    server refuses never goes in a batch: alone, it is refused here before anything is sent.

    Batches are no bigger than it takes to give every worker one: 300 files on 4 workers
    go as 4 batches of 75 in parallel, not 3 of 100 and an idle worker.
    """
    bulk = extensions.bulk
    if bulk is None:
        return list(stage)
    batches: list[tuple[Task, ...]] = []
    alone: list[WorkItem] = []
    fitting: list[Task] = []
    for task in stage:
        if not _fits(task, bulk) or (
            extensions.names is not None and extensions.names.problem(basename(task.remote))
        ):
            alone.append(task)
        else:
            fitting.append(task)
    most = min(bulk.batch_files, max(SPREAD_FROM, -(-len(fitting) // max(1, workers))))
    current: list[Task] = []
    size = 0
    for task in fitting:
        if current and (len(current) >= most or size + task.size > bulk.batch_bytes):
            batches.append(tuple(current))
            current, size = [], 0
        current.append(task)
        size += task.size
    if current:
        batches.append(tuple(current))
    singles = [batch[0] for batch in batches if len(batch) == 1]
    return [batch for batch in batches if len(batch) > 1] + singles + alone


def _fits(task: Task, bulk: BulkUploads) -> bool:
    return (
        task.op is Op.UPLOAD
        and task.local is not None
        and not task.exists
        and task.lock_token is None
        and bulk.applies_to(task.remote, task.size)
    )
