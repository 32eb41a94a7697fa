"""The pane with 100,000 Outcomes: select all, and the actions know what they would act on.

Behaviour only; how long each step took is printed (pytest -s) for whoever
tunes it, never asserted.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QGuiApplication

from app.dav.outcome import Outcome, Source, success
from app.dav.xmlbodies import ActiveLock
from app.jobs.model import Job, JobEnded, JobState, Op, Task, TaskResult
from app.ui.job_bridge import JobBridge
from app.ui.results.model import PROBLEM
from app.ui.results.records import Show

COUNT = 100_000


def outcome_for(n: int, path: str) -> Outcome:
    """Every 100th fails: a conflict, a lock, a refused password or a plain failure, in turn."""
    if n % 100:
        return success("delete", path, 204)
    kind = n // 100 % 4
    if kind == 0:
        return Outcome("delete", path, 412, "Precondition Failed")
    if kind == 1:
        return Outcome("delete", path, 423, "Locked", source=Source.MULTISTATUS)
    if kind == 2:
        return Outcome("delete", path, 401, "Unauthorized")
    return Outcome("delete", path, 500, "Internal Server Error")


def test_100000_outcomes_select_all_and_the_actions_follow(
    wsgidav_server, open_window, qtbot, monkeypatch
):
    window = open_window(wsgidav_server)
    pane, model, view = window.results, window.results.model, window.results.view
    client = window.browser._client
    started: list[Job] = []

    def start_job(name: str, job: Job, changed: list[str]) -> None:
        """What Operations.start_job shows the pane, without running the job."""
        started.append(job)
        pane.add_job(JobBridge(client, job, parent=window), name, queued=False)

    monkeypatch.setattr(window.fixer, "_start_job", start_job)
    monkeypatch.setattr(window.fixer, "look_up_locks", lambda paths: None)  # no 1,000 PROPFINDs
    tasks = [Task(Op.DELETE, f"/big/file {n:06d}.txt") for n in range(COUNT)]
    job = Job("Delete 100,000 items", (tuple(tasks),))
    bridge = JobBridge(client, job, parent=window)
    pane.add_job(bridge, job.name, queued=False)
    started_at = time.perf_counter()
    for n, task in enumerate(tasks):
        model.add_result(TaskResult(job.id, task, (outcome_for(n, task.remote),)))
    pane.end_job(JobEnded(job.id, JobState.FAILED, 99_000, 1_000, 0))
    timings = {"add and end": time.perf_counter() - started_at}
    assert view.isExpanded(model.job_row(job.id))  # failed: opened, its row selected

    started_at = time.perf_counter()
    view.selectAll()
    pane._update_actions()
    timings["select all, actions"] = time.perf_counter() - started_at
    assert pane.picked().rows == COUNT + 1
    for action in (
        pane.retry_failed,
        pane.retry_selected,
        pane.retry_overwrite,
        pane.unlock_retry,
        pane.reauth_retry,
        pane.copy_details,
        pane.export,
    ):
        assert action.isEnabled(), action.objectName()
    assert not pane.show_raw.isEnabled() and not pane.reveal.isEnabled()  # not one row

    started_at = time.perf_counter()
    pane.copy_details.trigger()
    timings["copy details"] = time.perf_counter() - started_at
    copied = QGuiApplication.clipboard().text().splitlines()
    assert len(copied) == COUNT + 1 and copied[0].startswith("#1 Delete 100,000 items: ")
    assert (
        copied[1] == "Delete /big/file 000000.txt: Changed on the server since you looked – "
        "412 Precondition Failed"
    )
    assert copied[101] == "Delete /big/file 000100.txt: Locked – 423 Locked"

    lock = ActiveLock("opaquelocktoken:1", "bob@example.com", "Second-3600", "0", "exclusive", None)
    locked = [f"/big/file {n:06d}.txt" for n in range(100, COUNT, 400)][:50]
    started_at = time.perf_counter()
    for path in locked:
        window.fixer.locks_found.emit(path, [lock])
    qtbot.wait(0)
    timings["50 lock owners"] = time.perf_counter() - started_at
    parent = model.job_row(job.id)
    assert model.index(100, PROBLEM, parent).data().startswith("Locked by bob@example.com until ")

    started_at = time.perf_counter()
    pane.retry_overwrite.trigger()
    timings["overwrite"] = time.perf_counter() - started_at
    assert [len(j.tasks) for j in started] == [250]  # the 412s, and only those
    assert {t.remote for t in started[0].tasks} == {
        f"/big/file {n:06d}.txt" for n in range(0, COUNT, 400)
    }

    parent = model.job_row(job.id)  # a row down: the retry job is the newest
    view.selectionModel().select(
        parent,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    qtbot.waitUntil(lambda: not pane.retry_overwrite.isEnabled(), timeout=2_000)
    assert pane.retry_failed.isEnabled() and pane.unlock_retry.isEnabled()
    started_at = time.perf_counter()
    pane.retry_failed.trigger()
    timings["retry failed"] = time.perf_counter() - started_at
    assert [len(j.tasks) for j in started] == [250, 750]  # the other failures, not the 412s

    view.selectAll()
    started_at = time.perf_counter()
    pane.show_box.setCurrentIndex(pane.show_box.findData(Show.FAILED))
    timings["filter: failed only"] = time.perf_counter() - started_at
    assert model.rowCount(model.job_row(job.id)) == 0 and model.rowCount() == 0  # all retried
    pane.show_box.setCurrentIndex(pane.show_box.findData(Show.ALL))
    assert pane.picked().rows == COUNT + 3  # the selection came back with the rows
    print(
        "\n100,000 outcomes in the pane: "
        + ", ".join(f"{step} {seconds:.3f} s" for step, seconds in timings.items())
    )
