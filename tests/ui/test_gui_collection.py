"""The window's process collects reference cycles in its GUI thread only (gui_collection.py)."""

from __future__ import annotations

import gc
import threading

import pytest
from PySide6.QtCore import QObject

from app.collector import collect_due
from app.ui.gui_collection import GuiThreadCollection

#: The threads in which _Cycle objects were freed, by name.
freed_in: list[str] = []


class _Cycle:
    """A reference cycle of one object that says in which thread it was freed."""

    def __init__(self) -> None:
        self.other: object = self

    def __del__(self) -> None:
        freed_in.append(threading.current_thread().name)


@pytest.fixture
def collection(qapp):
    parent = QObject()
    running = GuiThreadCollection()
    try:
        yield running, parent
    finally:
        running.stop()
    assert gc.isenabled()


def test_a_cycle_left_by_a_worker_thread_is_freed_in_the_gui_thread(collection, qtbot):
    running, parent = collection
    running.start(parent)
    assert running.running
    assert not gc.isenabled()
    freed_in.clear()

    kept: list[list[object]] = []

    def work() -> None:
        _Cycle()
        # Far past the youngest generation's threshold: the automatic collector would have run
        # in this thread here. Kept alive, so the count stays past it for the GUI thread's look.
        kept.extend([] for _ in range(50 * gc.get_threshold()[0]))

    worker = threading.Thread(target=work, name="worker")
    worker.start()
    worker.join()
    assert freed_in == []
    qtbot.waitUntil(lambda: bool(freed_in), timeout=10_000)
    assert freed_in == [threading.main_thread().name]


def test_stop_turns_the_automatic_collector_on_again(collection):
    running, parent = collection
    running.start(parent)
    running.stop()
    assert not running.running
    assert gc.isenabled()


def test_collect_due_collects_only_a_generation_past_its_threshold():
    gc.disable()
    try:
        gc.collect()
        freed_in.clear()
        _Cycle()
        collect_due()  # one object made: no generation is due
        assert freed_in == []
        junk = [[] for _ in range(2 * gc.get_threshold()[0])]
        collect_due()
        del junk
        assert freed_in == [threading.main_thread().name]
    finally:
        gc.enable()
