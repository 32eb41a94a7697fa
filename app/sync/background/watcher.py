"""The local side of a watched pair: which paths changed, from the file system's own events.

watchdog turns inotify (Linux), FSEvents (macOS) and ReadDirectoryChangesW
(Windows) into one stream of events, delivered on its observer thread; they
are reduced here to "this path changed at that time" and the pair's thread
is woken. Which paths are ready to sync (quiet long enough, the same size and
mtime at two looks) is the pair's decision (pair.py).

When events were lost (the kernel's queue overflowed) the pair must look at
everything once; when the folder cannot be watched at all (inotify's watch
limit, a file system without events) it falls back to periodic full scans.
Both are told to the pair, which says so in its state.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import (
    DirModifiedEvent,
    EventsLostEvent,
    FileClosedNoWriteEvent,
    FileOpenedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers.api import BaseObserver, ObservedWatch

from app.sync.background.scope import in_ignored_folder
from app.sync.ignore import IgnoreRules

_NOT_CHANGES = (DirModifiedEvent, FileOpenedEvent, FileClosedNoWriteEvent)


class LocalWatcher(FileSystemEventHandler):
    """Changed paths of one pair's local folder ("/"-separated, relative to it)."""

    def __init__(
        self,
        root: Path,
        rules: IgnoreRules,
        wake: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.root = root
        self.rules = rules
        self._wake = wake
        self._clock = clock
        self._lock = threading.Lock()
        self._dirty: dict[str, float] = {}
        self._lost = False
        self._watch: ObservedWatch | None = None
        self._root_text = os.fspath(root)

    # -- the pair's side ------------------------------------------------------------------

    def start(self, observer: BaseObserver) -> str | None:
        """Watch the folder; None, or why it cannot be watched (the pair then scans instead)."""
        try:
            self._watch = observer.schedule(self, self._root_text, recursive=True)
        except OSError as exc:
            return _why(exc)
        return None

    def stop(self, observer: BaseObserver) -> None:
        watch, self._watch = self._watch, None
        if watch is not None:
            with contextlib.suppress(KeyError, OSError):  # already gone with the observer
                observer.unschedule(watch)

    def take(self, older_than: float) -> list[str]:
        """The changed paths whose last event is older than this (monotonic) time."""
        with self._lock:
            ready = [rel for rel, when in self._dirty.items() if when <= older_than]
            for rel in ready:
                del self._dirty[rel]
            return ready

    def again(self, paths: list[str]) -> None:
        """Paths to look at once more (still changing, or their run failed)."""
        now = self._clock()
        with self._lock:
            for rel in paths:
                self._dirty.setdefault(rel, now)

    def next_quiet(self) -> float | None:
        """The last event time of the path that will be quiet first, or None when none waits."""
        with self._lock:
            return min(self._dirty.values()) if self._dirty else None

    def waiting(self) -> list[str]:
        """The changed paths not taken yet (still being written): runs leave them out."""
        with self._lock:
            return list(self._dirty)

    def take_lost(self) -> bool:
        """Whether events were lost since the last call (everything must be looked at once)."""
        with self._lock:
            lost, self._lost = self._lost, False
            return lost

    # -- watchdog's side (its observer thread) ----------------------------------------------

    def dispatch(self, event: FileSystemEvent) -> None:
        if isinstance(event, EventsLostEvent):
            with self._lock:
                self._lost = True
            self._wake()
            return
        if isinstance(event, _NOT_CHANGES):
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        now = self._clock()
        noted = False
        for path in paths:
            rel = self._relative(os.fsdecode(path)) if path else None
            if rel is None or self._ignored(rel, event.is_directory):
                continue
            with self._lock:
                self._dirty[rel] = now
            noted = True
        if noted:
            self._wake()

    def _relative(self, path: str) -> str | None:
        if not path.startswith(self._root_text + os.sep):
            return None  # the root itself, or outside it
        return path[len(self._root_text) + 1 :].replace(os.sep, "/")

    def _ignored(self, rel: str, is_dir: bool) -> bool:
        return self.rules.ignored(rel, is_dir) or in_ignored_folder(rel, self.rules)


def _why(exc: OSError) -> str:
    text = exc.strerror or str(exc)
    if "limit" in text:
        return f"{text} (raise fs.inotify.max_user_watches, or pause other pairs)"
    return text
