"""The window's process collects reference cycles in its GUI thread only.

A cycle holding Qt objects that the collector frees in a worker thread deletes them
there: that thread then waits for Qt's signal-slot lock while holding nothing, and the
GUI thread, deleting widgets under that lock, waits for the GIL the worker needs. Both
hang for good, and no timeout can fire (a test run hung so, found with gdb: a sync
thread freed a window's leftovers). Python runs its collector in whichever thread
allocates past the threshold, so the window turns the automatic collector off and
collects from a timer of the GUI thread instead (app.collector.collect_due, the same
rule). Worker threads never run it; what they leave is collected here within INTERVAL_MS.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

from app.collector import collect_due

#: How often the GUI thread looks whether a generation is due: often enough that garbage
#: left between two looks stays small, rarely enough to cost nothing when none is due.
INTERVAL_MS = 500


class GuiThreadCollection:
    """Collection by hand in the GUI thread, from `start` (the first turn of the event
    loop, once the start's objects are frozen) to `stop` (the window's program ends,
    automatic collection on again, as a caller running it in-process expects)."""

    def __init__(self) -> None:
        self._timer: QTimer | None = None

    def start(self, parent: QObject) -> None:
        """Freeze what the start loaded, turn the automatic collector off and collect
        from the GUI thread's timer."""
        if self._timer is not None:
            return
        gc.freeze()
        gc.disable()
        self._timer = QTimer(parent)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(collect_due)
        self._timer.start()

    def stop(self) -> None:
        """Automatic collection on again (also when the start failed before `start`)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer.setParent(None)
            self._timer = None
        gc.enable()

    @property
    def running(self) -> bool:
        return self._timer is not None
