"""Background work runs off the GUI thread and reports back on it."""

from __future__ import annotations

import threading

from app.ui.background import Background


def test_results_and_errors_come_back_on_the_gui_thread(qtbot):
    background = Background(threads=2)
    gui = threading.current_thread()
    seen: list[tuple[object, object, bool]] = []

    def work() -> str:
        assert threading.current_thread() is not gui
        return "done"

    def fail() -> None:
        raise OSError("disk gone")

    def callback(result, error) -> None:
        seen.append(
            (result, type(error).__name__ if error else None, threading.current_thread() is gui)
        )

    background.submit(work, callback)
    background.submit(fail, callback)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    assert sorted(seen, key=str) == sorted([("done", None, True), (None, "OSError", True)], key=str)


def test_streamed_items_arrive_in_order_before_the_result(qtbot):
    background = Background(threads=1)
    events: list[object] = []

    def work(emit) -> int:
        for batch in range(5):
            emit(batch)
        return 5

    background.submit_stream(
        work, events.append, lambda result, error: events.append(("end", result))
    )
    qtbot.waitUntil(lambda: ("end", 5) in events, timeout=5000)
    assert events == [0, 1, 2, 3, 4, ("end", 5)]
