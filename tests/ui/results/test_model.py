"""The results model on its own: 100,000 Outcomes, filters, sorting, selection kept."""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon

from app.dav.outcome import Outcome, OutcomeClass, Source, success
from app.dav.words import lock_words
from app.dav.xmlbodies import ActiveLock
from app.jobs.model import Job, JobEnded, JobState, Op, Task, TaskResult
from app.ui.results.model import OUTCOME_ROLE, PATH, STATUS, ResultsModel
from app.ui.results.records import Phase, Show

ICONS = {kind: QIcon() for kind in OutcomeClass}
PHASE_ICONS = {phase: QIcon() for phase in Phase}


def big_job(count: int, failing_every: int) -> tuple[Job, list[TaskResult]]:
    tasks = [Task(Op.DELETE, f"/big/file {n:06d}.txt") for n in range(count)]
    job = Job("Delete many", (tuple(tasks),))
    results = [
        TaskResult(
            job.id,
            task,
            (
                Outcome("delete", task.remote, 423, "Locked", source=Source.MULTISTATUS)
                if n % failing_every == 0
                else success("delete", task.remote, 204),
            ),
        )
        for n, task in enumerate(tasks)
    ]
    return job, results


def feed(model: ResultsModel, job: Job, results: list[TaskResult]) -> None:
    model.add_job(job, job.name)
    for result in results:
        model.add_result(result)
    model.end_job(JobEnded(job.id, JobState.FAILED, 0, 0, 0))


def test_100000_outcomes_load_filter_and_sort(qtbot):
    model = ResultsModel(ICONS, PHASE_ICONS)
    job, results = big_job(100_000, failing_every=1000)
    started = time.perf_counter()
    feed(model, job, results)
    loaded = time.perf_counter()
    parent = model.index(0, 0)
    assert model.rowCount(parent) == 100_000
    assert "99,900 done · 100 failed — finished with problems" in parent.data()

    model.set_filter(Show.PROBLEMS, "")
    filtered = time.perf_counter()
    parent = model.index(0, 0)
    assert model.rowCount(parent) == 100
    assert {model.index(r, STATUS, parent).data() for r in range(100)} == {"423 Locked"}

    model.set_filter(Show.ALL, "FILE 04242")
    parent = model.index(0, 0)
    assert [model.index(r, PATH, parent).data() for r in range(model.rowCount(parent))] == [
        f"/big/file 04242{n}.txt" for n in range(10)
    ]

    model.set_filter(Show.ALL, "")
    model.sort(STATUS, Qt.SortOrder.DescendingOrder)
    sorted_at = time.perf_counter()
    parent = model.index(0, 0)
    assert model.index(0, STATUS, parent).data() == "423 Locked"
    assert model.index(100, STATUS, parent).data() == "204 No Content"
    print(
        f"\n100,000 outcomes: added in {loaded - started:.2f} s, filtered in "
        f"{filtered - loaded:.3f} s, all filters and a sort by {sorted_at - filtered:.3f} s"
    )


def test_a_sort_keeps_the_selected_outcome_selected(qtbot):
    model = ResultsModel(ICONS, PHASE_ICONS)
    job, results = big_job(50, failing_every=7)
    feed(model, job, results)
    parent = model.index(0, 0)
    kept = QPersistentModelIndex(model.index(3, 0, parent))
    chosen = kept.data(OUTCOME_ROLE)
    model.sort(PATH, Qt.SortOrder.DescendingOrder)
    assert kept.isValid() and kept.data(OUTCOME_ROLE) is chosen
    assert kept.row() == 46


def test_newest_job_first_and_indexes_survive_a_new_job(qtbot):
    model = ResultsModel(ICONS, PHASE_ICONS)
    first, first_results = big_job(3, failing_every=2)
    feed(model, first, first_results)
    kept = QPersistentModelIndex(model.index(1, 0, model.index(0, 0)))
    second, second_results = big_job(2, failing_every=5)
    feed(model, second, second_results)
    assert model.rowCount(QModelIndex()) == 2
    assert model.record(model.index(0, 0)).job is second
    assert kept.isValid() and kept.parent().row() == 1
    assert kept.data(OUTCOME_ROLE).path == "/big/file 000001.txt"


def test_rows_arrive_in_batches_while_a_job_runs(qtbot):
    model = ResultsModel(ICONS, PHASE_ICONS)
    job, results = big_job(10, failing_every=3)
    model.add_job(job, job.name)
    for result in results[:4]:
        model.add_result(result)
    assert model.rowCount(model.index(0, 0)) == 0  # buffered
    qtbot.waitUntil(lambda: model.rowCount(model.index(0, 0)) == 4)
    assert model.index(0, 0).data().endswith("— running")


def test_lock_owners_are_said_in_words():
    lock = ActiveLock("opaquelocktoken:1", "bob@example.com", "Second-3598", "0", "exclusive", None)
    seen = datetime(2026, 5, 4, 13, 2, 30).astimezone()
    assert lock_words([lock], seen) == "Locked by bob@example.com until 14:02"
    forever = ActiveLock(None, None, "Infinite", None, None, None)
    assert lock_words([forever]) == "Locked (never expires)"
    assert lock_words([]) == "Locked"


def test_rows_arriving_in_a_sorted_view_go_to_their_place(qtbot):
    model = ResultsModel(ICONS, PHASE_ICONS)
    job, results = big_job(20, failing_every=4)
    model.add_job(job, job.name)
    model.sort(PATH, Qt.SortOrder.DescendingOrder)
    for result in results[:10]:
        model.add_result(result)
    model.flush()
    kept = QPersistentModelIndex(model.index(0, 0, model.index(0, 0)))
    assert kept.data(OUTCOME_ROLE).path == "/big/file 000009.txt"
    for result in results[10:]:
        model.add_result(result)
    model.flush()
    parent = model.index(0, 0)
    assert [model.index(r, PATH, parent).data() for r in range(20)] == [
        f"/big/file {n:06d}.txt" for n in reversed(range(20))
    ]
    assert kept.data(OUTCOME_ROLE).path == "/big/file 000009.txt" and kept.row() == 10


def test_an_unconfirmed_outcome_is_neither_ok_nor_failed(qtbot):
    """A file whose fate the server would not confirm is counted and shown as unknown, and
    is one of the problems (a retry asks again)."""
    tasks = [Task(Op.UPLOAD, "/a.txt"), Task(Op.UPLOAD, "/b.txt")]
    job = Job("Upload", (tuple(tasks),))
    unsure = Outcome(
        "put",
        "/b.txt",
        None,
        "unconfirmed",
        source=Source.TRANSPORT,
        note="could not be confirmed",
        marked=OutcomeClass.UNCONFIRMED,
    )
    assert unsure.outcome_class is OutcomeClass.UNCONFIRMED
    model = ResultsModel(ICONS, PHASE_ICONS)
    feed(
        model,
        job,
        [
            TaskResult(job.id, tasks[0], (success("put", "/a.txt", 201),)),
            TaskResult(job.id, tasks[1], (unsure,)),
        ],
    )
    assert "1 done · 1 unconfirmed" in model.index(0, 0).data()
    model.set_filter(Show.PROBLEMS, "")
    parent = model.index(0, 0)
    assert [
        model.index(r, PATH, parent).data(OUTCOME_ROLE).path for r in range(model.rowCount(parent))
    ] == ["/b.txt"]
