"""The results pane end to end: real jobs on real servers, then the fixes a user clicks.

Each test checks what the user sees (the rows, their statuses, the lock's
owner) and what the user would check afterwards: the files on the server.
"""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.dav import DavClient, Outcome, words
from app.dav.retry import RetryPolicy
from app.jobs.model import Conflict, JobState
from app.jobs.planner import plan_copy, plan_delete, plan_move
from app.jobs.report import COLUMNS, read_report
from app.ui.main_window import MainWindow
from app.ui.results.model import NOTE, OUTCOME_ROLE, PROBLEM, SAID, STATUS
from app.ui.results.raw_dialog import RawResponseDialog
from app.ui.results.records import JobRecord, Show
from tests.servers.fault_proxy import FaultProxy

JOB_TIMEOUT = 30_000
#: Attempts the window's connections make (the default policy) before a file fails.
BUDGET = RetryPolicy().attempts


def newest(window: MainWindow) -> JobRecord:
    return window.results.model.records()[0]


def wait_for_jobs(qtbot, window: MainWindow, count: int) -> JobRecord:
    """Wait until `count` jobs have ended; returns the newest."""
    model = window.results.model
    qtbot.waitUntil(
        lambda: len(model.records()) == count and newest(window).ended is not None,
        timeout=JOB_TIMEOUT,
    )
    return newest(window)


def rows(window: MainWindow, record: JobRecord) -> dict[str, tuple[str, str]]:
    """path -> (status cell, "server said" cell) of a job's rows as shown."""
    model = window.results.model
    job = model.job_row(record.job.id)
    return {
        model.index(r, 0, job).data(OUTCOME_ROLE).path: (
            model.index(r, STATUS, job).data(),
            model.index(r, SAID, job).data(),
        )
        for r in range(model.rowCount(job))
    }


def problems(window: MainWindow, record: JobRecord) -> dict[str, str]:
    """path -> the "Problem" cell of a job's rows as shown."""
    model = window.results.model
    job = model.job_row(record.job.id)
    return {
        model.index(r, 0, job).data(OUTCOME_ROLE).path: model.index(r, PROBLEM, job).data()
        for r in range(model.rowCount(job))
    }


def notes(window: MainWindow, record: JobRecord) -> dict[str, str]:
    """path -> the "Davdesk's note" cell of a job's rows as shown."""
    model = window.results.model
    job = model.job_row(record.job.id)
    return {
        model.index(r, 0, job).data(OUTCOME_ROLE).path: model.index(r, NOTE, job).data()
        for r in range(model.rowCount(job))
    }


def select_row(window: MainWindow, path: str, record: JobRecord | None = None) -> None:
    """Select the row of path in record's job (the newest job by default)."""
    model, view = window.results.model, window.results.view
    record = record or newest(window)
    job = model.job_row(record.job.id)
    for row in range(model.rowCount(job)):
        index = model.index(row, 0, job)
        if index.data(OUTCOME_ROLE).path == path:
            view.selectionModel().select(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            return
    raise AssertionError(f"{path} not in the results")


def test_a_locked_member_shows_its_owner_and_unlock_and_retry_deletes_the_folder(
    apache_server, open_window, qtbot, monkeypatch
):
    h = apache_server
    h.make_file("box/a.txt", b"a")
    h.make_file("box/locked.txt", b"locked")
    window = open_window(h)
    client = window.browser._client
    base = client.root
    with DavClient(h.url, user=h.user, password=h.password) as colleague:
        colleague.lock(base + "box/locked.txt", owner="bob@example.com")
    window.operations.start_job(
        "Delete box", plan_delete(client, [client.stat(base + "box/")]), [base]
    )

    record = wait_for_jobs(qtbot, window, 1)
    assert record.ended.state is JobState.FAILED
    member = base + "box/locked.txt"
    qtbot.waitUntil(
        lambda: problems(window, record)[member].startswith("Locked by bob@example.com until ")
    )
    # Who holds the lock is Davdesk's finding (from lockdiscovery), not the server's words.
    assert "bob@example.com" not in rows(window, record)[member][1]
    assert rows(window, record)[member][0] == "423 Locked"
    assert (h.root / "box" / "locked.txt").exists()
    assert window.results.unlock_retry.isEnabled()

    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda parent, title, text, *a: asked.append(text) or QMessageBox.StandardButton.Yes,
    )
    window.results.unlock_retry.trigger()

    retried = wait_for_jobs(qtbot, window, 2)
    assert "bob@example.com" in asked[0]  # someone else's lock: the user was asked
    assert retried.ended.state is JobState.FINISHED
    assert rows(window, retried) == {base + "box/": ("204 No Content", "")}
    assert not (h.root / "box").exists()


def test_copy_without_overwrite_gives_conflicts_that_retry_with_overwrite_resolves(
    dav_server, open_window, qtbot
):
    h = dav_server
    for name in ("a.txt", "b ü.txt"):
        h.make_file(f"src/{name}", b"new " + name.encode())
        h.make_file(f"dst/{name}", b"old")
    window = open_window(h)
    client = window.browser._client
    base = client.root
    sources = [client.stat(base + f"src/{name}") for name in ("a.txt", "b ü.txt")]
    window.operations.start_job(
        "Copy 2 items", plan_copy(client, sources, base + "dst/", Conflict.ASK), [base + "dst/"]
    )

    record = wait_for_jobs(qtbot, window, 1)
    shown = rows(window, record)
    assert [status for status, _ in shown.values()] == ["412 Precondition Failed"] * 2
    assert window.results.retry_overwrite.isEnabled()
    assert (h.root / "dst" / "a.txt").read_bytes() == b"old"

    window.results.retry_overwrite.trigger()

    retried = wait_for_jobs(qtbot, window, 2)
    assert retried.ended.state is JobState.FINISHED
    assert {status for status, _ in rows(window, retried).values()} <= {
        "201 Created",
        "204 No Content",
    }
    for name in ("a.txt", "b ü.txt"):
        assert (h.root / "dst" / name).read_bytes() == b"new " + name.encode()


def stored(folder) -> list[str]:
    """The files on the server (Apache keeps its property database in .DAV/)."""
    return sorted(p.name for p in folder.iterdir() if p.name != ".DAV")


@pytest.fixture
def flaky_apache(apache_server):
    """Apache behind a proxy that answers 503 to as many PUTs of each "flaky" file as the
    retry policy makes."""
    with FaultProxy(
        apache_server.url,
        faults=("503",),
        retry_after="0",
        methods=("PUT",),
        first=BUDGET,
        paths=lambda path: "flaky" in path,
    ) as proxy:
        yield dataclasses.replace(apache_server, url=proxy.url_for(apache_server.url))


def test_files_refused_with_503_finish_after_retry_failed(
    flaky_apache, open_window, qtbot, tmp_path
):
    names = ["ok 1.txt", "flaky 1.txt", "ok 2.txt", "flaky 2.txt"]
    for name in names:
        (tmp_path / name).write_bytes(name.encode())
    window = open_window(flaky_apache)
    base = window.current_path
    window.operations.upload([tmp_path / name for name in names], base)

    record = wait_for_jobs(qtbot, window, 1)
    statuses = {
        path.rsplit("/", 1)[-1]: status for path, (status, _) in rows(window, record).items()
    }
    assert statuses == {
        "ok 1.txt": "201 Created",
        "ok 2.txt": "201 Created",
        "flaky 1.txt": "503 Service Unavailable",
        "flaky 2.txt": "503 Service Unavailable",
    }
    assert {o.attempt for o in record.outcomes if not o.ok} == {BUDGET}
    server_root = flaky_apache.root
    assert stored(server_root) == ["ok 1.txt", "ok 2.txt"]

    window.results.view.clearSelection()
    window.results.retry_failed.trigger()

    retried = wait_for_jobs(qtbot, window, 2)
    assert retried.ended.state is JobState.FINISHED
    assert stored(server_root) == sorted(names)
    assert (server_root / "flaky 2.txt").read_bytes() == b"flaky 2.txt"


def test_sign_in_again_and_retry(wsgidav_server, open_window, qtbot, monkeypatch):
    h = wsgidav_server
    h.make_file("old.txt", b"x")
    window = open_window(h)
    client = window.browser._client
    resource = client.stat(client.root + "old.txt")
    client.sign_in(h.user, "not the password")
    window.operations.start_job("Delete old.txt", plan_delete(client, [resource]), [client.root])

    record = wait_for_jobs(qtbot, window, 1)
    [(status, _)] = rows(window, record).values()
    assert status.startswith("401 ")  # wsgidav says "Not Authorized"
    assert window.results.reauth_retry.isEnabled()
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (h.password, True))
    window.results.reauth_retry.trigger()

    retried = wait_for_jobs(qtbot, window, 2)
    assert retried.ended.state is JobState.FINISHED
    assert not (h.root / "old.txt").exists()


def copy_with_one_gone(qtbot, window: MainWindow, h, count: int, gone: int) -> JobRecord:
    """Copy files "f 0.txt"... to copies/, one of them gone after it was listed: one 404 row
    (a problem: only a delete takes "already gone" for done)."""
    for index in range(count):
        h.make_file(f"f {index}.txt", b"x")
    (h.root / "copies").mkdir()
    h.chown(h.root / "copies")
    client = window.browser._client
    resources = [client.stat(client.root + f"f {index}.txt") for index in range(count)]
    (h.root / f"f {gone}.txt").unlink()
    window.operations.start_job(
        f"Copy {count} items",
        plan_copy(client, resources, client.root + "copies/", Conflict.ASK),
        [client.root],
    )
    return wait_for_jobs(qtbot, window, 1)


def exported(value: object) -> str:
    """A JSON report value as the CSV report writes it."""
    return "" if value is None else str(value)


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_export_reads_back_every_field_of_every_outcome(
    dav_server, open_window, qtbot, tmp_path, suffix
):
    h = dav_server
    h.make_file("src/taken.txt", b"new")
    h.make_file("src/free.txt", b"new")
    h.make_file("dst/taken.txt", b"old")
    window = open_window(h)
    client = window.browser._client
    base = client.root
    sources = [client.stat(base + f"src/{name}") for name in ("taken.txt", "free.txt")]
    window.operations.start_job(
        "Copy 2 items", plan_copy(client, sources, base + "dst/", Conflict.ASK), [base + "dst/"]
    )
    wait_for_jobs(qtbot, window, 1)
    resources = [client.stat(base + f"src/{name}") for name in ("taken.txt", "free.txt")]
    (h.root / "src" / "free.txt").unlink()  # gone behind the window's back: a 404
    (h.root / "moved").mkdir()
    h.chown(h.root / "moved")
    window.operations.start_job(
        "Move 2 items", plan_move(client, resources, base + "moved/", Conflict.ASK), [base]
    )
    wait_for_jobs(qtbot, window, 2)
    outcomes = [(r.name, o) for r in reversed(window.results.model.records()) for o in r.outcomes]
    assert {o.outcome_class.value for _, o in outcomes} == {"ok", "conflict", "failed"}
    assert any(o.note for _, o in outcomes) and any(o.destination for _, o in outcomes)

    report = tmp_path / f"results.{suffix}"
    window.results.export_to(report)
    qtbot.waitUntil(report.exists)

    rows_read = read_report(report)
    expected = [
        {
            "job": job,
            "action": words.action(outcome),
            "problem": words.problem(outcome),
            **outcome.to_json(),
        }
        for job, outcome in outcomes
    ]
    if suffix == "csv":
        # Every field has its column but ok, which the class says: "ok" exactly when ok.
        fields = {f.name for f in dataclasses.fields(Outcome)}
        assert list(rows_read[0]) == list(COLUMNS)
        assert set(COLUMNS) == fields - {"ok"} | {"job", "action", "problem", "class"}
        assert all((row["class"] == "ok") is row.pop("ok") for row in expected)
        expected = [{k: exported(v) for k, v in row.items()} for row in expected]
    assert rows_read == expected


# A shown dialog sets its window's size limits, which the offscreen platform cannot pass on
# to a window manager; under xcb there is no such warning.
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_raw_response_shows_the_multistatus_with_credentials_redacted(
    dav_server, open_window, qtbot
):
    h = dav_server
    h.make_file("box/a.txt", b"a")
    h.make_file("box/locked.txt", b"locked")
    window = open_window(h)
    client = window.browser._client
    base = client.root
    client.lock(base + "box/locked.txt")
    window.operations.start_job(
        "Delete box", plan_delete(client, [client.stat(base + "box/")]), [base]
    )
    wait_for_jobs(qtbot, window, 1)
    select_row(window, base + "box/locked.txt")
    assert window.results.show_raw.isEnabled()

    window.results.show_raw.trigger()

    dialog = window.results.findChild(RawResponseDialog, "rawResponse")
    assert dialog is not None and dialog.isVisible()
    text = dialog.text.toPlainText()
    assert f"DELETE {client.url(base + 'box/')} HTTP/1.1" in text
    assert "multistatus>" in text and "locked.txt</" in text and "\n  <" in text  # pretty
    assert "authorization: [redacted]" in text.lower()
    assert h.password not in text
    dialog.close()


def test_filters_show_problems_and_matching_text(wsgidav_server, open_window, qtbot):
    window = open_window(wsgidav_server)
    copy_with_one_gone(qtbot, window, wsgidav_server, count=5, gone=3)
    pane, model = window.results, window.results.model
    job = lambda: model.index(0, 0)  # noqa: E731 - the job's row as now shown

    pane.show_box.setCurrentIndex(pane.show_box.findData(Show.PROBLEMS))
    assert model.rowCount(job()) == 1
    assert model.index(0, 0, job()).data(OUTCOME_ROLE).path.endswith("f 3.txt")
    pane.show_box.setCurrentIndex(pane.show_box.findData(Show.ALL))
    pane.text_filter.setText("f 4")
    qtbot.waitUntil(lambda: model.rowCount(job()) == 1)
    assert model.index(0, 0, job()).data(OUTCOME_ROLE).path.endswith("f 4.txt")
    pane.text_filter.setText("no such thing")
    qtbot.waitUntil(lambda: model.rowCount(QModelIndex()) == 0)


def test_four_filters_keep_the_selection_and_the_open_jobs(dav_server, open_window, qtbot):
    """All, problems, failed only, conflicts: each a click, none losing what the user chose."""
    h = dav_server
    h.make_file("src/taken.txt", b"new")
    h.make_file("src/free.txt", b"new")
    h.make_file("dst/taken.txt", b"old")
    for name in ("here.txt", "gone.txt"):
        h.make_file(name, b"x")
    window = open_window(h)
    client = window.browser._client
    base = client.root
    pane, model, view = window.results, window.results.model, window.results.view
    sources = [client.stat(base + f"src/{name}") for name in ("taken.txt", "free.txt")]
    window.operations.start_job(
        "Copy 2 items", plan_copy(client, sources, base + "dst/", Conflict.ASK), [base + "dst/"]
    )
    copy = wait_for_jobs(qtbot, window, 1)
    resources = [client.stat(base + name) for name in ("here.txt", "gone.txt")]
    (h.root / "gone.txt").unlink()
    (h.root / "moved").mkdir()
    h.chown(h.root / "moved")
    window.operations.start_job(
        "Move 2 items", plan_move(client, resources, base + "moved/", Conflict.ASK), [base]
    )
    delete = wait_for_jobs(qtbot, window, 2)
    assert [s.value for s in Show] == ["All", "Problems", "Failed only", "Conflicts"]

    def shown() -> dict[str, list[str]]:
        jobs = {}
        for row in range(model.rowCount()):
            parent = model.index(row, 0)
            record = model.record(parent)
            jobs[record.name] = sorted(
                model.index(r, 0, parent).data().split(" → ")[0][len(base) :]
                for r in range(model.rowCount(parent))
            )
        return jobs

    def choose(show: Show) -> None:
        pane.show_box.setCurrentIndex(pane.show_box.findData(show))

    view.collapse(model_row(window, copy))
    view.expand(model_row(window, delete))
    select_row(window, base + "gone.txt", delete)  # the failure
    choose(Show.FAILED)
    assert shown() == {"Move 2 items": ["gone.txt"]}
    choose(Show.CONFLICTS)
    assert shown() == {"Copy 2 items": ["src/taken.txt"]}
    choose(Show.PROBLEMS)
    assert shown() == {"Move 2 items": ["gone.txt"], "Copy 2 items": ["src/taken.txt"]}
    picked = pane.picked()
    assert [(r.name, [r.outcomes[n].path for n in ns]) for r, ns in picked.outcomes.values()] == [
        ("Move 2 items", [base + "gone.txt"])
    ]  # kept through three filters
    choose(Show.ALL)
    assert shown() == {
        "Move 2 items": ["gone.txt", "here.txt"],
        "Copy 2 items": ["src/free.txt", "src/taken.txt"],
    }
    assert view.isExpanded(model_row(window, delete)) and view.isExpanded(model_row(window, copy))
    [(record, [number])] = pane.picked().outcomes.values()
    assert record is delete and record.outcomes[number].path == base + "gone.txt"
    assert pane.retry_selected.isEnabled() and pane.show_raw.isEnabled()


def test_reveal_selects_the_file_in_its_folder(wsgidav_server, open_window, qtbot):
    h = wsgidav_server
    h.make_file("deep/inner/target.txt", b"x")
    h.make_file("deep/inner/other.txt", b"x")
    window = open_window(h)
    client = window.browser._client
    path = client.root + "deep/inner/target.txt"
    window.operations.start_job(
        "Copy", plan_copy(client, [client.stat(path)], client.root + "deep/", Conflict.ASK), []
    )
    wait_for_jobs(qtbot, window, 1)
    select_row(window, path)

    with qtbot.waitSignal(window.folder_loaded, timeout=10_000):
        window.results.reveal.trigger()

    assert window.current_path == client.root + "deep/inner/"
    assert [r.name for r in window.table.selected_resources()] == ["target.txt"]


def test_copy_details_puts_the_selected_rows_on_the_clipboard(wsgidav_server, open_window, qtbot):
    window = open_window(wsgidav_server)
    copy_with_one_gone(qtbot, window, wsgidav_server, count=2, gone=1)
    root = window.browser._client.root
    select_row(window, root + "f 1.txt")
    window.results.copy_details.trigger()
    assert QGuiApplication.clipboard().text() == (
        f"Copy {root}f 1.txt → {root}copies/f 1.txt: Not on the server – 404 Not Found"
    )


def test_the_copy_details_shortcut_copies_from_the_list(wsgidav_server, open_window, qtbot):
    window = open_window(wsgidav_server)
    record = copy_with_one_gone(qtbot, window, wsgidav_server, count=3, gone=2)
    root = window.browser._client.root
    QGuiApplication.clipboard().clear()
    select_row(window, root + "f 0.txt")
    view = window.results.view
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)

    qtbot.keyClick(
        view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    )

    copied = f"Copied {root}f 0.txt → {root}copies/f 0.txt – 201 Created"
    assert QGuiApplication.clipboard().text() == copied
    view.selectionModel().select(model_row(window, record), SELECT_ROWS)
    qtbot.keyClick(
        view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    )
    assert QGuiApplication.clipboard().text().splitlines() == [
        f"#1 Copy 3 items: {record.summary()}",
        copied,
    ]


def model_row(window: MainWindow, record: JobRecord) -> QModelIndex:
    return window.results.model.job_row(record.job.id)


SELECT_ROWS = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
