"""The results' bookkeeping without Qt: what a job counts, what a retry settles, what matches.

records.ResultBook is plain data; these tests run it on its own, with no
QApplication, as the model (model.py) would feed it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.dav.outcome import Outcome, OutcomeClass, Source, success
from app.dav.xmlbodies import ActiveLock
from app.jobs.model import Job, Op, Task, TaskResult
from app.ui.results.kinds import Fix
from app.ui.results.records import (
    Phase,
    ResultBook,
    Retried,
    Show,
    matches,
    name_cell,
    retry_state,
)

REPO = Path(__file__).resolve().parents[3]


def deletes(*names: str) -> Job:
    return Job(f"Delete {len(names)} items", (tuple(Task(Op.DELETE, f"/{n}") for n in names),))


def answer(job: Job, outcomes: dict[str, Outcome]) -> list[TaskResult]:
    """Each task's result, in the job's order, as the runner would report them."""
    return [TaskResult(job.id, task, (outcomes[task.remote],)) for task in job.tasks]


def fill(book: ResultBook, job: Job, results: list[TaskResult]) -> list[object]:
    """Add a job and all its results; returns every earlier job the results reached."""
    record = book.by_id.get(job.id) or book.add(job, job.name)
    reached: list[object] = []
    for result in results:
        reached += book.take(record, result)
    return reached


def test_results_are_counted_and_indexed_for_the_actions():
    book = ResultBook()
    job = deletes("a", "b", "c", "d")
    results = answer(
        job,
        {
            "/a": success("delete", "/a", 204),
            "/b": Outcome("delete", "/b", 412, "Precondition Failed"),
            "/c": Outcome("delete", "/c", 423, "Locked", source=Source.MULTISTATUS),
            "/d": Outcome("delete", "/d", 401, "Unauthorized"),
        },
    )
    assert fill(book, job, results) == []
    record = book.by_id[job.id]
    assert (record.number, book.jobs) == (1, [record])
    assert record.open_failures == {1, 2, 3}
    assert record.fixes == {Fix.OVERWRITE: {1}, Fix.UNLOCK: {2}, Fix.SIGN_IN: {3}}
    assert record.counts[OutcomeClass.OK] == 1 and record.worst() is OutcomeClass.FAILED
    assert record.owners == [0, 1, 2, 3]


def test_a_retry_marks_what_it_runs_again_and_counts_what_it_settled():
    book = ResultBook()
    first = deletes("a", "b")
    failed = answer(
        first,
        {
            "/a": Outcome("delete", "/a", 500, "Internal Server Error"),
            "/b": Outcome("delete", "/b", 500, "Internal Server Error"),
        },
    )
    fill(book, first, failed)
    original = book.by_id[first.id]
    original.phase = Phase.FAILED  # as its JobEnded says

    retry = deletes("a", "b")
    book.link_retry(retry.id, failed)
    retrying = book.add(retry, "Retry failed")
    assert book.link_origins(retrying) == [original]
    assert original.open_failures == set() and not original.open_problems[OutcomeClass.FAILED]
    assert [retry_state(original, n) for n in (0, 1)] == [Retried.PENDING] * 2
    assert original.note(0) == "being retried in #2"
    assert original.state_words() == "being retried"

    reached = fill(
        book,
        retry,
        answer(
            retry,
            {
                "/a": success("delete", "/a", 204),
                "/b": Outcome("delete", "/b", 500, "Internal Server Error"),
            },
        ),
    )
    assert reached == [original, original]  # each result of the retry reaches back once
    assert original.note(0) == "retried in #2: resolved"
    assert original.note(1) == "retried in #2: failed again"
    assert +original.retry_counts == {Retried.RESOLVED: 1, Retried.FAILED_AGAIN: 1}
    assert original.state_words() == "1 resolved by a retry · 1 failed again when retried"
    assert retrying.open_failures == {1}  # the retry's own failure is the one to act on


def test_a_retry_of_a_retry_settles_the_first_job_too():
    book = ResultBook()
    jobs = [deletes("a") for _ in range(3)]
    refused = Outcome("delete", "/a", 500, "Internal Server Error")
    first = answer(jobs[0], {"/a": refused})
    fill(book, jobs[0], first)
    book.by_id[jobs[0].id].phase = Phase.FAILED
    book.link_retry(jobs[1].id, first)
    book.link_origins(book.add(jobs[1], "Retry"))
    second = answer(jobs[1], {"/a": refused})
    fill(book, jobs[1], second)
    book.link_retry(jobs[2].id, second)
    book.link_origins(book.add(jobs[2], "Retry"))
    assert retry_state(book.by_id[jobs[0].id], 0) is Retried.PENDING

    reached = fill(book, jobs[2], answer(jobs[2], {"/a": success("delete", "/a", 204)}))
    assert book.by_id[jobs[1].id] in reached and book.by_id[jobs[0].id] in reached
    assert book.by_id[jobs[0].id].note(0) == "retried in #2: resolved"
    assert book.by_id[jobs[0].id].state_words() == "all problems resolved by a retry"


def test_the_problem_filters_leave_out_what_went_well_and_what_was_retried():
    book = ResultBook()
    job = deletes("a", "b", "c")
    results = answer(
        job,
        {
            "/a": success("delete", "/a", 204),
            "/b": Outcome("delete", "/b", 412, "Precondition Failed"),
            "/c": Outcome("delete", "/c", 500, "Internal Server Error"),
        },
    )
    fill(book, job, results)
    record = book.by_id[job.id]

    def shown(show: Show, text: str = "") -> list[str]:
        return [record.outcomes[n].path for n in range(3) if matches(record, n, show, text)]

    assert shown(Show.ALL) == ["/a", "/b", "/c"]
    assert shown(Show.PROBLEMS) == ["/b", "/c"]
    assert shown(Show.FAILED) == ["/c"] and shown(Show.CONFLICTS) == ["/b"]
    assert shown(Show.ALL, "server error") == ["/c"]  # the words, not only the path

    book.link_retry(deletes("c").id, [])  # a retry of nothing marks nothing
    retry = deletes("c")
    book.link_retry(retry.id, [results[2]])
    book.link_origins(book.add(retry, "Retry"))
    assert shown(Show.PROBLEMS) == ["/b"] and shown(Show.FAILED) == []


def test_lock_owners_reach_the_jobs_refused_by_the_lock_until_they_are_dropped():
    book = ResultBook()
    job = deletes("a")
    fill(book, job, answer(job, {"/a": Outcome("delete", "/a", 423, "Locked")}))
    record = book.by_id[job.id]
    lock = ActiveLock("opaquelocktoken:1", "bob@example.com", "Infinite", "0", "exclusive", None)
    assert book.problem(record.outcomes[0]) == "Locked"
    assert book.set_locks("/a", [lock]) == [record]
    assert book.problem(record.outcomes[0]).startswith("Locked by bob@example.com")
    assert book.detail_line(record, 0).startswith("Delete /a: Locked by bob@example.com")

    book.drop(record)
    assert book.jobs == [] and job.id not in book.by_id
    assert book.set_locks("/a", [lock]) == []


def test_the_bookkeeping_loads_no_qt():
    code = (
        "import sys, app.ui.results.records\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'PySide6'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_row_names_both_ends_of_a_copy_and_tells_everything_in_its_tooltip():
    book = ResultBook()
    job = Job(
        "Copy",
        (
            (
                Task(Op.COPY, "/src/a.txt", destination="/dst/a.txt"),
                Task(Op.MOVE, "/b.txt", destination="/b2.txt"),
            ),
        ),
    )
    results = [
        TaskResult(
            job.id,
            job.tasks[0],
            (
                Outcome(
                    "copy",
                    "/src/a.txt",
                    412,
                    "Precondition Failed",
                    destination="/dst/a.txt",
                    description="it is there",
                ),
            ),
        ),
        TaskResult(job.id, job.tasks[1], (success("move", "/b.txt", 201, destination="/b2.txt"),)),
    ]
    fill(book, job, results)
    record = book.by_id[job.id]
    assert [name_cell(o) for o in record.outcomes] == ["/src/a.txt → /dst/", "/b.txt → /b2.txt"]
    assert book.tooltip(record, 0).splitlines() == [
        "/src/a.txt",
        "to /dst/a.txt",
        "Copy: Already exists at the destination",
        "412 Precondition Failed (from the response, COPY)",
        "server said: it is there",
    ]


def test_a_task_held_back_is_a_problem_retry_failed_leaves_alone():
    """A background sync's refusal (a name the server refuses) comes as a task held back
    with its reason: run again it would only be held back again."""
    book = ResultBook()
    job = Job("Sync Docs", ((Task(Op.UPLOAD, "/bad", blocked="the name is refused"),),))
    refused = Outcome("put", "/bad", None, "refused", ok=False, note="the name is refused")
    record = book.add(job, job.name)
    book.take(record, TaskResult(job.id, job.tasks[0], (refused,)))
    assert record.open_failures == set()
    assert record.open_problems[OutcomeClass.FAILED] == 1 and record.worst() is OutcomeClass.FAILED
