"""Job ids: the one process-wide counter below the window, and why it may be one.

Front ends match events to their job by its id (the results pane, the jobs
panel, a job's bridge), and one process runs the window's jobs, drags, the
background sync's runs and the CLI's side by side: ids must differ across all
of them, whichever thread made the job (docs/architecture.md, Threads).
"""

from __future__ import annotations

import threading

from app.jobs.model import Job

PER_THREAD = 2_000
THREADS = 8


def test_jobs_made_on_many_threads_at_once_get_different_ids():
    made: list[list[int]] = [[] for _ in range(THREADS)]
    start = threading.Barrier(THREADS)

    def make(into: list[int]) -> None:
        start.wait()
        into.extend(Job("j", ()).id for _ in range(PER_THREAD))

    threads = [threading.Thread(target=make, args=(ids,)) for ids in made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    every = [job_id for ids in made for job_id in ids]
    assert len(set(every)) == THREADS * PER_THREAD
    assert all(ids == sorted(ids) for ids in made)  # each thread's jobs in the order made


def test_a_later_job_has_a_higher_id():
    first, second = Job("first", ()), Job("second", ())
    assert 0 < first.id < second.id
