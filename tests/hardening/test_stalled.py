"""A server that stops answering, with the main window open on it (pytest-qt, real Apache).

The server "stalls" through a FaultProxy that holds chosen requests and never
answers them. The window must go on repainting and taking input meanwhile,
the request must end in its read timeout as a readable failure (an Outcome,
for a job), and a cancel must end a job at once, not at the timeout.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer

from app.config.paths import AppPaths
from app.dav import DavClient, Timeouts
from app.jobs.model import Conflict, JobEnded, JobState, TaskResult
from app.jobs.planner import plan_download
from app.jobs.runner import JobOptions, JobRunner
from app.ui.main_window import MainWindow
from app.ui.results.model import NOTE, STATUS
from tests.servers import ServerHandle
from tests.servers.fault_proxy import FaultProxy

#: The longest the event loop may go without running a timer while a request hangs.
LONGEST_GAP = 0.25


class Ticks:
    """A 10 ms timer on the GUI thread: the gaps between its runs show a frozen window."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.timer = QTimer(interval=10)
        self.timer.timeout.connect(lambda: self.times.append(time.monotonic()))
        self.timer.start()

    def longest_gap(self) -> float:
        self.timer.stop()
        return max((b - a for a, b in zip(self.times, self.times[1:], strict=False)), default=0.0)


@pytest.fixture
def window_on(qtbot: Any, apache_server: ServerHandle) -> Iterator[Callable[..., MainWindow]]:
    """window_on(proxy, read_timeout) -> a MainWindow on the test's Apache through proxy."""
    clients: list[DavClient] = []

    def open_(proxy: FaultProxy, read_timeout: float) -> MainWindow:
        client = DavClient(
            proxy.url_for(apache_server.url),
            user=apache_server.user,
            password=apache_server.password,
            timeouts=Timeouts(connect=2, read=read_timeout),
        )
        clients.append(client)
        with proxy.healthy():
            window = MainWindow(client, client.root, {}, 4, paths=AppPaths.default())
            qtbot.addWidget(window)
            with qtbot.waitSignal(window.folder_loaded, timeout=10_000):
                window.show()
            assert window._background.wait(10_000)
        return window

    yield open_
    for client in clients:
        client.close()


def shown_rows(window: MainWindow) -> list[tuple[str, str]]:
    """(status, Davdesk's note) of each row of the newest job in the results pane: a timeout
    or a cut-off request is Davdesk's finding, never the server's words."""
    model = window.results.model
    job = model.index(0, 0)
    return [
        (model.index(row, STATUS, job).data(), model.index(row, NOTE, job).data())
        for row in range(model.rowCount(job))
    ]


def test_a_stalled_listing_times_out_while_the_window_keeps_responding(
    fault_proxy, window_on, apache_server, qtbot
):
    apache_server.make_file("a.txt", b"alpha")
    proxy = fault_proxy(share=1.0, faults=("hang",), methods=("PROPFIND",))
    window = window_on(proxy, read_timeout=1.0)
    ticks = Ticks()

    window.commands.refresh.trigger()
    qtbot.waitUntil(lambda: proxy.injected["hang"] >= 1, timeout=5000)
    qtbot.keyClicks(window.filter, "a.t")  # typing while the listing hangs
    assert window.filter.text() == "a.t"
    qtbot.waitUntil(lambda: "timed out" in window.statusBar().currentMessage(), timeout=10_000)

    message = window.statusBar().currentMessage()
    assert message.startswith("Could not open") and "Traceback" not in message
    assert ticks.longest_gap() < LONGEST_GAP


def test_a_stalled_upload_times_out_into_an_outcome(
    fault_proxy, window_on, apache_server, qtbot, tmp_path: Path
):
    proxy = fault_proxy(share=1.0, faults=("hang",), methods=("PUT",))
    window = window_on(proxy, read_timeout=0.5)
    source = tmp_path / "stuck.txt"
    source.write_bytes(b"never arrives")
    ticks = Ticks()

    window.operations.upload([source], window.current_path)
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage() == "Upload stuck.txt: 0 done · 1 failed",
        timeout=20_000,
    )

    [(status, said)] = shown_rows(window)
    assert status == "TimeoutError" and "timed out" in said
    assert window.results.isVisible()
    assert proxy.injected["hang"] >= 2  # retried before giving up
    assert not (apache_server.root / "stuck.txt").exists()
    assert ticks.longest_gap() < LONGEST_GAP


def test_cancel_ends_a_job_on_a_stalled_server_at_once(
    fault_proxy, window_on, apache_server, qtbot, tmp_path: Path
):
    proxy = fault_proxy(share=1.0, faults=("hang",), methods=("PUT",))
    window = window_on(proxy, read_timeout=60.0)  # only a cut can end these requests soon
    sources = []
    for i in range(3):
        sources.append(tmp_path / f"file {i}.txt")
        sources[-1].write_bytes(b"x" * 1000)

    window.operations.upload(sources, window.current_path)
    qtbot.waitUntil(lambda: proxy.injected["hang"] == 3, timeout=10_000)
    ticks = Ticks()
    cancelled_at = time.monotonic()
    window.operations.cancel_all()
    qtbot.waitUntil(lambda: "cancelled" in window.statusBar().currentMessage(), timeout=5000)

    assert time.monotonic() - cancelled_at < 2.0
    assert window.statusBar().currentMessage() == "Upload 3 items: 0 done · 3 cancelled"
    rows = shown_rows(window)
    assert len(rows) == 3 and any("may have carried it out" in said for _, said in rows)
    assert not [p for p in apache_server.root.iterdir() if p.name != ".DAV"]
    assert ticks.longest_gap() < LONGEST_GAP


def test_cancel_of_downloads_a_server_stalls_leaves_nothing_behind(
    fault_proxy, apache_server, tmp_path: Path
):
    """The same without a window: GETs whose answers never come, cut off by the cancel."""
    for i in range(4):
        apache_server.make_file(f"big/file {i}.bin", b"y" * 300_000)
    proxy = fault_proxy(share=1.0, faults=("stall",), methods=("GET",))
    target = tmp_path / "target"
    target.mkdir()
    events: list[object] = []
    with DavClient(
        proxy.url_for(apache_server.url),
        user=apache_server.user,
        password=apache_server.password,
        timeouts=Timeouts(connect=2, read=60),
    ) as client:
        with proxy.healthy():
            job = plan_download(client, [client.stat(client.root + "big/")], target, Conflict.ASK)
        runner = JobRunner(client, job, events.append, JobOptions(workers=4))
        thread = runner.start()
        deadline = time.monotonic() + 10
        while proxy.injected["stall"] < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        cancelled_at = time.monotonic()
        runner.cancel()
        thread.join(5)
        assert not thread.is_alive() and time.monotonic() - cancelled_at < 2.0

    [ended] = [e for e in events if isinstance(e, JobEnded)]
    assert ended.state is JobState.CANCELLED and ended.cancelled == 4
    outcomes = [
        o for e in events if isinstance(e, TaskResult) and not e.task.is_dir for o in e.outcomes
    ]
    assert all(o.reason == "cancelled" and o.note is None for o in outcomes)
    assert [p.name for p in target.rglob("*")] == ["big"]  # the folder, no file, no part file
