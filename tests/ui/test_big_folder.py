"""A 100,000-entry folder opens without freezing the window (issue 4: longest gap < 100 ms).

A gap is the time between two ticks of a 10 ms timer on the GUI thread,
counted in the CPU time this process used meanwhile (or the wall time, if
less): that is the work that kept the event loop from ticking, whichever
thread did it (one holding the GIL freezes the window too). Time the process
spent waiting for a CPU on a loaded machine is not the window's doing, so it
is not counted: the bound holds beside a CPU hog.

The folder is made in the wsgidav fixture's root, but served by a second
wsgidav over that root in its own process: the fixture's server runs in the
test's interpreter, and serializing a 40 MB multistatus body there holds the
GIL for 160 ms and more in one lxml call, which would measure the test
server, not the window. A real server is never in the client's process.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer

from app.ui.main_window import MainWindow
from tests.servers import ServerHandle
from tests.ui.conftest import wait_loaded

ENTRIES = 100_000
TICK_MS = 10
LONGEST_GAP = 0.100


_SERVE = """
import sys
from tests.servers import WsgiDavServer
server = WsgiDavServer(sys.argv[1])
print(server.url, flush=True)
sys.stdin.read()
server.stop()
"""


@contextmanager
def served_elsewhere(fixture: ServerHandle) -> Iterator[ServerHandle]:
    """The fixture's root and credentials, served by wsgidav in another process."""
    repo = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVE, str(fixture.root)],
        cwd=repo,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://"), "the out-of-process wsgidav did not start"
        yield ServerHandle(
            name="wsgidav",
            url=url,
            root=fixture.root,
            user=fixture.user,
            password=fixture.password,
            server=fixture.server,
        )
    finally:
        process.stdin.close()
        process.wait(timeout=30)
        process.stdout.close()


def test_a_100000_entry_folder_fills_in_batches_while_the_event_loop_keeps_ticking(
    wsgidav_server, open_window, qtbot, capsys
):
    big = wsgidav_server.root / "big"
    big.mkdir()
    for number in range(ENTRIES):
        os.close(os.open(big / f"file {number:06d}.txt", os.O_CREAT | os.O_WRONLY, 0o644))
    with served_elsewhere(wsgidav_server) as server, earlier_tests_frozen():
        load_and_measure(open_window(server), qtbot, capsys)


@contextmanager
def earlier_tests_frozen() -> Iterator[None]:
    """Keep the objects every earlier test left alive out of the collector's full passes.

    A real window's process holds only its own objects; in a test session a
    full collection also walks everything the earlier tests kept, and that
    pause would be measured as the window's.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def load_and_measure(window: MainWindow, qtbot: Any, capsys: Any) -> None:
    batches = []
    window.table_model.rowsInserted.connect(
        lambda parent, first, last: batches.append(last - first + 1)
    )
    longest = longest_wall = 0.0
    last, last_cpu = time.perf_counter(), time.process_time()

    def tick() -> None:
        nonlocal longest, longest_wall, last, last_cpu
        now, now_cpu = time.perf_counter(), time.process_time()
        longest = max(longest, min(now - last, now_cpu - last_cpu))
        longest_wall = max(longest_wall, now - last)
        last, last_cpu = now, now_cpu

    timer = QTimer(interval=TICK_MS)
    timer.timeout.connect(tick)
    started = time.perf_counter()
    timer.start()
    wait_loaded(
        qtbot,
        window,
        lambda: window.navigate(f"{window.current_path}big/"),
        f"{window.current_path}big/",
        timeout=120_000,
    )
    timer.stop()
    elapsed = time.perf_counter() - started
    first_row = window.proxy.index(0, 0).data()
    with capsys.disabled():
        print(
            f"\n100,000 entries: {len(batches)} batches, longest event-loop gap "
            f"{longest * 1000:.0f} ms of work ({longest_wall * 1000:.0f} ms of wall time), "
            f"loaded and sorted in {elapsed:.1f} s"
        )
    assert window.table_model.rowCount() == ENTRIES == sum(batches)
    assert window.proxy.rowCount() == ENTRIES
    assert len(batches) > 10  # rows arrived while the body streamed, not all at the end
    assert first_row == "file 000000.txt"
    assert window.count_label.text() == "100,000 items"
    assert longest < LONGEST_GAP, f"the event loop stalled for {longest * 1000:.0f} ms"
