"""Noticing that an application saved a local file: a light poll of its size and time.

Editors save in many ways: in place, to a temporary file renamed over the
original (vim, most IDEs), in several writes. Watching the path's size and
st_mtime_ns catches all of them, on every platform and file system (also
network folders, where inotify stays silent), for the cost of one stat per
watched file per interval. A change is reported once the file has held still
for one interval, so a save written in pieces is uploaded once, whole.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from app.jobs.local_copies import Stamp, stamp_of

#: Seconds between looks: quick enough to feel immediate, cheap enough to go unnoticed.
INTERVAL = 0.5


class FileWatch:
    """Calls on_saved(path) on its own thread when a watched file changed and held still."""

    def __init__(self, on_saved: Callable[[Path], None], interval: float = INTERVAL) -> None:
        self._on_saved = on_saved
        self._interval = interval
        self._lock = threading.Lock()
        #: path -> (the stamp last reported or given, the stamp seen at the last look)
        self._watched: dict[Path, tuple[Stamp | None, Stamp | None]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, path: Path, known: Stamp | None) -> None:
        """Watch path; known is the stamp that counts as unchanged (the copy as downloaded)."""
        with self._lock:
            self._watched[path] = (known, known)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="file-watch", daemon=True)
            self._thread.start()

    def unwatch(self, path: Path) -> None:
        with self._lock:
            self._watched.pop(path, None)

    def watching(self) -> list[Path]:
        with self._lock:
            return list(self._watched)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def check(self) -> list[Path]:
        """One look at every watched file; returns (and reports) those saved and settled."""
        with self._lock:
            watched = dict(self._watched)
        saved = []
        for path, (reported, last) in watched.items():
            now = stamp_of(path)
            settled = now is not None and now == last and now != reported
            with self._lock:
                if path not in self._watched:
                    continue
                self._watched[path] = (now if settled else reported, now)
            if settled:
                saved.append(path)
        for path in saved:
            self._on_saved(path)
        return saved

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.check()
