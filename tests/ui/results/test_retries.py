"""Retries on real servers: what each retry runs, and that what a retry settled is never run again.

A retry job is linked to the results it runs again: those rows are greyed
("retried in #2: resolved"), their job's summary counts what the retry did,
and no retry scope (Retry Failed, Overwrite, Unlock, Sign In, Retry Selected)
offers them again.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QMessageBox

from app.dav import DavClient
from app.jobs.model import Conflict, JobState
from app.jobs.planner import plan_copy, plan_delete
from app.ui.main_window import MainWindow
from app.ui.results.model import PATH
from tests.ui.results.test_pane import newest, notes, rows, select_row, wait_for_jobs
from tests.ui.results.token_hiding import TokenHidingProxy

#: The debounced look at the actions after the model changed (pane._ACTIONS_DELAY_MS).
SETTLED = 2_000


def copy_with_conflicts(window: MainWindow, h, names: tuple[str, ...]) -> None:
    for name in names:
        h.make_file(f"src/{name}", b"new " + name.encode())
        h.make_file(f"dst/{name}", b"old")
    client = window.browser._client
    base = client.root
    sources = [client.stat(base + f"src/{name}") for name in names]
    window.operations.start_job(
        f"Copy {len(names)} items",
        plan_copy(client, sources, base + "dst/", Conflict.ASK),
        [base + "dst/"],
    )


def test_retry_selected_runs_exactly_the_selected_file(dav_server, open_window, qtbot):
    h = dav_server
    window = open_window(h)
    base = window.browser._client.root
    pane = window.results
    copy_with_conflicts(window, h, ("a.txt", "b.txt"))
    record = wait_for_jobs(qtbot, window, 1)
    assert {status for status, _ in rows(window, record).values()} == {"412 Precondition Failed"}
    (h.root / "dst" / "a.txt").unlink()  # the user took the old one away elsewhere

    select_row(window, base + "src/a.txt", record)
    assert pane.retry_selected.isEnabled()
    pane.retry_selected.trigger()

    retried = wait_for_jobs(qtbot, window, 2)
    assert [(o.path, o.ok) for o in retried.outcomes] == [(base + "src/a.txt", True)]
    assert (h.root / "dst" / "a.txt").read_bytes() == b"new a.txt"
    assert (h.root / "dst" / "b.txt").read_bytes() == b"old"  # not selected, not run
    assert notes(window, record)[f"{base}src/a.txt"].startswith("retried in #2: resolved")
    assert "1 resolved by a retry" in pane.model.job_row(record.job.id).data()
    select_row(window, base + "src/a.txt", record)  # settled: nothing to retry
    qtbot.waitUntil(lambda: not pane.retry_selected.isEnabled(), timeout=SETTLED)
    assert not pane.retry_overwrite.isEnabled()
    select_row(window, base + "src/b.txt", record)
    assert pane.retry_selected.isEnabled() and pane.retry_overwrite.isEnabled()


def test_what_overwrite_resolved_is_never_retried_again(dav_server, open_window, qtbot):
    h = dav_server
    window = open_window(h)
    pane, model = window.results, window.results.model
    copy_with_conflicts(window, h, ("a.txt", "b ü.txt"))
    record = wait_for_jobs(qtbot, window, 1)
    pane.view.clearSelection()
    pane.retry_overwrite.trigger()
    retried = wait_for_jobs(qtbot, window, 2)
    assert retried.ended.state is JobState.FINISHED

    for selected in ("nothing", "the original job"):
        if selected == "the original job":
            pane.view.selectionModel().select(
                model.job_row(record.job.id),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        else:
            pane.view.clearSelection()
        qtbot.waitUntil(lambda: not pane.retry_failed.isEnabled(), timeout=SETTLED)
        assert (
            not pane.retry_overwrite.isEnabled()
            and not pane.unlock_retry.isEnabled()
            and not pane.reauth_retry.isEnabled()
        ), selected

    pane.retry_failed.trigger()  # disabled: nothing runs
    qtbot.wait(300)
    assert len(model.records()) == 2
    job_row = model.job_row(record.job.id)
    assert job_row.data().endswith("2 conflicts — all problems resolved by a retry")
    assert record.worst().value == "ok"  # its icon: nothing left to do
    original_rows = [model.index(r, PATH, job_row) for r in range(model.rowCount(job_row))]
    greyed = QGuiApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    for index in original_rows:
        assert index.data(Qt.ItemDataRole.ForegroundRole).color() == greyed
    assert all(
        note.startswith("retried in #2: resolved") for note in notes(window, record).values()
    )
    for name in ("a.txt", "b ü.txt"):
        assert (h.root / "dst" / name).read_bytes() == b"new " + name.encode()


def test_a_retry_that_failed_again_is_what_the_next_retry_runs(wsgidav_server, open_window, qtbot):
    h = wsgidav_server
    h.make_file("busy.txt", b"x")
    window = open_window(h)
    client = window.browser._client
    pane, model = window.results, window.results.model
    with DavClient(h.url, user=h.user, password=h.password) as colleague:
        lock = colleague.lock(client.root + "busy.txt", owner="bob@example.com")
        window.operations.start_job(
            "Delete busy.txt",
            plan_delete(client, [client.stat(client.root + "busy.txt")]),
            [client.root],
        )
        first = wait_for_jobs(qtbot, window, 1)
        assert [o.status for o in first.outcomes] == [423]
        pane.view.clearSelection()
        pane.retry_failed.trigger()  # still locked
        second = wait_for_jobs(qtbot, window, 2)
        assert [o.status for o in second.outcomes] == [423]
        assert model.job_row(first.job.id).data().endswith("1 failed again when retried")
        assert notes(window, first)[client.root + "busy.txt"].startswith(
            "retried in #2: failed again"
        )
        colleague.unlock(client.root + "busy.txt", lock.token)

    pane.view.clearSelection()
    qtbot.waitUntil(pane.retry_failed.isEnabled, timeout=SETTLED)
    started: list[int] = []
    window.operations.job_added.connect(lambda bridge, *_: started.append(len(bridge.job.tasks)))
    pane.retry_failed.trigger()  # the second job's failure, once: the first one's is retried

    third = wait_for_jobs(qtbot, window, 3)
    assert started == [1] and third.ended.state is JobState.FINISHED
    assert not (h.root / "busy.txt").exists()
    # Resolved in the end, through the retry of the retry: both earlier jobs say so.
    assert model.job_row(first.job.id).data().endswith("all problems resolved by a retry")
    assert model.job_row(second.job.id).data().endswith("all problems resolved by a retry")
    qtbot.waitUntil(lambda: not pane.retry_failed.isEnabled(), timeout=SETTLED)


def test_unlock_and_retry_with_this_window_s_own_lock_asks_nothing(
    dav_server, open_window, qtbot, monkeypatch
):
    h = dav_server
    h.make_file("mine.txt", b"x")
    window = open_window(h)
    client = window.browser._client
    path = client.root + "mine.txt"
    resource = client.stat(path)
    held: list = []

    def hold_first(bridge, name, queued):
        if not held:
            held.append(bridge)
            bridge.pause()

    # The delete is planned and queued before the user locks the file: it goes without the token.
    window.operations.job_added.connect(hold_first)
    window.operations.start_job("Delete mine.txt", plan_delete(client, [resource]), [client.root])
    locks = window.operations.locks
    locks.lock(resource)
    qtbot.waitUntil(lambda: locks.held(path) is not None, timeout=10_000)
    held[0].resume()
    record = wait_for_jobs(qtbot, window, 1)
    assert [o.status for o in record.outcomes] == [423]
    assert (h.root / "mine.txt").exists()
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda parent, title, text, *a: asked.append(text) or QMessageBox.StandardButton.No,
    )
    qtbot.waitUntil(pane_enabled(window, "unlock_retry"), timeout=SETTLED)

    window.results.unlock_retry.trigger()

    retried = wait_for_jobs(qtbot, window, 2)
    assert asked == []  # this window's lock: released with its own token, no question
    assert retried.ended.state is JobState.FINISHED
    assert not (h.root / "mine.txt").exists()
    assert locks.held(path) is None


def pane_enabled(window: MainWindow, name: str):
    return lambda: getattr(window.results, name).isEnabled()


def test_a_server_that_hides_lock_tokens_gets_a_warning_and_no_unlock(
    dav_server, open_window, qtbot, monkeypatch
):
    h = dav_server
    h.make_file("theirs.txt", b"x")
    with DavClient(h.url, user=h.user, password=h.password) as colleague:
        colleague.lock(colleague.root + "theirs.txt", owner="bob@example.com")
    with TokenHidingProxy(h.url) as proxy:
        window = open_window(proxy.handle(h))
        client = window.browser._client
        path = client.root + "theirs.txt"
        window.operations.start_job(
            "Delete theirs.txt", plan_delete(client, [client.stat(path)]), [client.root]
        )
        record = wait_for_jobs(qtbot, window, 1)
        assert [o.status for o in record.outcomes] == [423]
        warned: list[str] = []
        monkeypatch.setattr(
            QMessageBox,
            "warning",
            lambda parent, title, text, *a: warned.append(f"{title}: {text}"),
        )
        monkeypatch.setattr(QMessageBox, "question", lambda *a: pytest.fail("asked to unlock"))
        qtbot.waitUntil(pane_enabled(window, "unlock_retry"), timeout=SETTLED)

        window.results.unlock_retry.trigger()

        qtbot.waitUntil(lambda: bool(warned), timeout=10_000)
        qtbot.wait(300)
        assert proxy.stripped > 0  # lockdiscovery was asked, and came without its token
        assert proxy.methods.count("UNLOCK") == 0
    [warning] = warned
    assert warning.startswith("Cannot unlock:") and "does not reveal the token" in warning
    assert f"{path}: Locked by bob@example.com until " in warning
    assert len(window.results.model.records()) == 1  # nothing retried
    assert newest(window) is record and (h.root / "theirs.txt").exists()
