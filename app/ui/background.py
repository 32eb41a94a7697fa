"""Work handed to worker threads, with results handed back to the GUI thread.

The GUI thread never does network or disk I/O. Everything slow goes through
Background.submit(): the callable runs on a pool thread, and its result (or
the exception it raised) comes back through one queued signal, so callbacks
always run on the GUI thread and may touch widgets. One contract for every
piece of background work: ``callback(result, error)``, exactly one of them
None. Streaming work also gets ``emit(item)`` for results that arrive in
pieces (a 100,000-entry listing in batches).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

Callback = Callable[[Any, BaseException | None], None]
#: Background.submit's shape, for a dialog's helpers handed the dialog's own submit (one that
#: drops the results arriving after the dialog closed).
Submit = Callable[[Callable[[], Any], Callback], None]


class _Relay(QObject):
    """Lives in the GUI thread; signals emitted from pool threads are queued to it."""

    delivered = Signal(object, object, object)  # callback, result, error
    streamed = Signal(object, object)  # on_item, item


class _Job(QRunnable):
    def __init__(
        self,
        relay: _Relay,
        work: Callable[..., Any],
        callback: Callback,
        on_item: Callable[[Any], None] | None,
    ) -> None:
        super().__init__()
        self._relay = relay
        self._work = work
        self._callback = callback
        self._on_item = on_item

    def run(self) -> None:
        try:
            if self._on_item is None:
                result = self._work()
            else:
                on_item = self._on_item
                result = self._work(lambda item: self._relay.streamed.emit(on_item, item))
        except BaseException as exc:  # handed to the callback, never lost on a pool thread
            self._relay.delivered.emit(self._callback, None, exc)
        else:
            self._relay.delivered.emit(self._callback, result, None)


class Background(QObject):
    """A pool of worker threads for one window; its size is the connection's worker count.

    Each thread uses the shared DavClient, whose connection pool has the same
    size, so no background call waits for a connection.
    """

    def __init__(self, threads: int = 4, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._relay = _Relay(self)
        self._relay.delivered.connect(self._deliver)
        self._relay.streamed.connect(self._stream)

    def submit(self, work: Callable[[], Any], callback: Callback) -> None:
        """Run work() on a pool thread; callback(result, error) on the GUI thread."""
        self._pool.start(_Job(self._relay, work, callback, None))

    def submit_stream(
        self,
        work: Callable[[Callable[[Any], None]], Any],
        on_item: Callable[[Any], None],
        callback: Callback,
    ) -> None:
        """Run work(emit) on a pool thread; each emit(item) reaches on_item on the GUI thread,
        in order, before callback(result, error)."""
        self._pool.start(_Job(self._relay, work, callback, on_item))

    def wait(self, msecs: int = -1) -> bool:
        """Block until running work is done (tests, shutdown)."""
        return self._pool.waitForDone(msecs)

    @staticmethod
    def _deliver(callback: Callback, result: Any, error: BaseException | None) -> None:
        callback(result, error)

    @staticmethod
    def _stream(on_item: Callable[[Any], None], item: Any) -> None:
        on_item(item)
