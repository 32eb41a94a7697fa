"""The window's layout: the results pane a strip until a job has something to show, the file
table's Name stretching, running jobs beside nothing they squeeze, 15 rows at 1024×640."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QStyle

from app.jobs.model import Conflict
from app.jobs.planner import plan_copy, plan_mkdir
from app.ui.models.file_table import MODIFIED, NAME, SIZE, TYPE
from app.ui.models.row_order import _TYPE_NAMES
from app.ui.results.model import STATUS
from tests.ui.conftest import WAIT, seed
from tests.ui.results.test_pane import wait_for_jobs

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_results_are_a_strip_until_a_job_has_problems(wsgidav_server, open_window, qtbot):
    window = open_window(wsgidav_server)
    pane = window.results
    assert not pane.is_open and pane.height() < 90
    assert pane.strip.label.text().startswith("No jobs yet")

    base = window.current_path
    window.operations.start_job("New folder", plan_mkdir([f"{base}fine/"]), [base])
    record = wait_for_jobs(qtbot, window, 1)
    assert not pane.is_open  # nothing to look at: the table keeps its height
    qtbot.waitUntil(
        lambda: pane.strip.label.text() == f"#1 New folder: {record.summary()}", timeout=WAIT
    )

    wsgidav_server.make_file("gone.txt", b"x")
    client = window.browser._client
    gone = client.stat(base + "gone.txt")
    (wsgidav_server.root / "gone.txt").unlink()
    window.operations.start_job(
        "Copy gone.txt", plan_copy(client, [gone], base + "fine/", Conflict.ASK), [base]
    )
    wait_for_jobs(qtbot, window, 2)  # a problem: the copy's source is not there
    qtbot.waitUntil(lambda: pane.is_open, timeout=WAIT)
    qtbot.waitUntil(lambda: pane.height() > 150, timeout=WAIT)


def test_the_user_keeps_the_results_open(wsgidav_server, open_window, qtbot):
    window = open_window(wsgidav_server)
    pane = window.results
    pane.strip.button.click()
    assert pane.is_open and pane.strip.button.text() == "Hide"
    base = window.current_path
    window.operations.start_job("New folder", plan_mkdir([f"{base}fine/"]), [base])
    wait_for_jobs(qtbot, window, 1)
    assert pane.is_open
    pane.strip.button.click()
    assert not pane.is_open


@pytest.mark.parametrize(("width", "height"), [(1024, 640), (800, 600)])
def test_the_file_table_fits_small_windows(wsgidav_server, open_window, qtbot, width, height):
    seed(wsgidav_server)
    window = open_window(wsgidav_server)
    window.resize(width, height)
    table = window.table
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height)
    header = table.horizontalHeader()
    # Size, Modified and Type keep their width; Name takes the rest and all four show.
    assert header.sectionSize(SIZE) == 90 and header.sectionSize(TYPE) == 160
    right = header.sectionViewportPosition(TYPE) + header.sectionSize(TYPE)
    assert right <= table.viewport().width() + 1 and header.sectionSize(NAME) > 100
    assert header.sectionViewportPosition(MODIFIED) > 0
    if (width, height) == (1024, 640):
        assert table.viewport().height() // table.verticalHeader().defaultSectionSize() >= 15


def test_a_tab_raised_over_the_folded_results_gets_room(wsgidav_server, open_window, qtbot):
    """Qt holds a group of tabbed docks to the smallest maximum height among them: the
    transcript (or the Sync panel) raised over the folded results was held to the strip's
    line, too low for a list and too low to be dragged taller."""
    window = open_window(wsgidav_server)
    results, transcript = window.results, window.transcript
    assert not results.is_open
    transcript.toggleViewAction().trigger()  # View ▸ Transcript
    transcript.raise_()
    qtbot.waitUntil(lambda: transcript.height() > window.height() // 4, timeout=WAIT)
    results.raise_()
    qtbot.waitUntil(lambda: results.height() < 90, timeout=WAIT)  # the strip again
    assert not results.is_open


def test_every_known_type_name_shows_whole(wsgidav_server, open_window):
    table = open_window(wsgidav_server).table
    room = table.horizontalHeader().sectionSize(TYPE) - 2 * (
        table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    )
    metrics = table.fontMetrics()
    assert [n for n in _TYPE_NAMES.values() if metrics.horizontalAdvance(n) > room] == []


@pytest.mark.parametrize(("width", "height"), [(1024, 640), (1600, 1000)])
def test_the_results_show_every_column(wsgidav_server, open_window, qtbot, width, height):
    """At 1024 pixels the list needs no sideways scrolling; with room, a status such as
    "412 Precondition Failed" shows whole."""
    window = open_window(wsgidav_server)
    window.resize(width, height)
    window.results.set_open(True)
    view = window.results.view
    qtbot.waitUntil(lambda: view.isVisible() and view.viewport().width() > width - 40)
    header = view.header()
    total = sum(header.sectionSize(c) for c in range(header.count()))
    assert total <= view.viewport().width()
    if width >= 1600:
        words = view.fontMetrics().horizontalAdvance("412 Precondition Failed")
        assert header.sectionSize(STATUS) >= words + 8


def test_running_jobs_do_not_squeeze_the_results(wsgidav_server, open_window, qtbot):
    window = open_window(wsgidav_server)
    window.results.set_open(True)
    base = window.current_path
    bridges = []
    window.operations.job_added.connect(lambda bridge, *_: bridges.append(bridge) or bridge.pause())
    window.operations.start_job("Folders", plan_mkdir([f"{base}x/", f"{base}y/"]), [base])
    qtbot.waitUntil(window.jobs.isVisible, timeout=WAIT)
    assert window.results.width() >= window.width() - 20  # full width, below the jobs
    bridges[0].resume()
    wait_for_jobs(qtbot, window, 1)


def test_a_locked_file_shows_a_lock_and_who_holds_it(wsgidav_server, open_window, qtbot):
    from PySide6.QtCore import Qt

    from app.dav import DavClient

    seed(wsgidav_server)
    with DavClient(
        wsgidav_server.url, user=wsgidav_server.user, password=wsgidav_server.password
    ) as alice:
        alice.lock(alice.root + "a.txt", owner="alice@example.com")
        window = open_window(wsgidav_server)
        model = window.table_model
        locked = model.index(model.row_of("a.txt"), NAME)
        free = model.index(model.row_of("b.txt"), NAME)
        assert locked.data(Qt.ItemDataRole.DecorationRole).cacheKey() == model.lock_icon.cacheKey()
        assert locked.data(Qt.ItemDataRole.ToolTipRole).endswith("Locked by alice@example.com")
        assert free.data(Qt.ItemDataRole.DecorationRole).cacheKey() != model.lock_icon.cacheKey()


def test_the_newest_job_is_the_one_expanded(wsgidav_server, open_window, qtbot):
    window = open_window(wsgidav_server)
    pane, model = window.results, window.results.model
    pane.set_open(True)
    base = window.current_path
    window.operations.start_job("First", plan_mkdir([f"{base}one/"]), [base])
    first = wait_for_jobs(qtbot, window, 1)
    assert pane.view.isExpanded(model.job_row(first.job.id))
    window.operations.start_job("Second", plan_mkdir([f"{base}two/"]), [base])
    second = wait_for_jobs(qtbot, window, 2)
    assert pane.view.isExpanded(model.job_row(second.job.id))
    assert not pane.view.isExpanded(model.job_row(first.job.id))
