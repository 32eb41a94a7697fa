"""BackgroundSync: the saved pairs kept in step, each on its own thread, one watchdog observer.

The front end (the window, `davdesk sync --watch`) builds it from the saved
pairs, a way to connect and a Listener, and calls start() once; reload()
after the pair store changed; stop() before it exits. Nothing here knows the
pair store or Qt: the window and the CLI share it as they share the planner.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from app.jobs.model import TaskResult
from app.sync.background.pair import PairWorker
from app.sync.background.status import PairStatus
from app.sync.background.types import Connect, Listener, WatchSettings
from app.sync.background.watch_spec import WatchSpec
from app.sync.guard import MassDelete
from app.sync.pairfiles import PairFiles

log = logging.getLogger(__name__)


class BackgroundSync:
    """Every method may be called from any thread; none blocks on the network."""

    def __init__(
        self,
        specs: Iterable[WatchSpec],
        connect: Connect,
        state_dir: Path,
        listener: Listener,
        settings: WatchSettings | None = None,
        observer: BaseObserver | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        """observer: watchdog's, by default the platform's; wall: the wall clock, compared with
        the monotonic one to notice a sleep (tests move it)."""
        self._specs = {spec.name: spec for spec in specs}
        self._connect = connect
        self._state_dir = state_dir
        self._listener = listener
        self.settings = settings or WatchSettings()
        self._observer = observer
        self._wall = wall
        self._workers: dict[str, PairWorker] = {}
        self._lock = threading.Lock()
        self._started = False

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
            if self._observer is None:
                self._observer = Observer()
            self._observer.daemon = True
            self._observer.start()
            for spec in self._specs.values():
                self._begin(spec)

    def stop(self, timeout: float = 5.0) -> bool:
        """End every pair: planning cut off, the file in flight finished or cleanly abandoned,
        locks released. True when all ended within timeout."""
        with self._lock:
            workers, self._workers = list(self._workers.values()), {}
            self._started = False
        deadline = time.monotonic() + timeout
        for worker in workers:
            worker.stop()
        # Every worker is joined, also after one that did not end in time.
        ended = [worker.join(max(0.0, deadline - time.monotonic())) for worker in workers]
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(max(0.1, deadline - time.monotonic()))
        return all(ended)

    def sync_now(self, name: str | None = None) -> None:
        for worker in self._chosen(name):
            worker.sync_now()

    def decide(self, name: str, word: MassDelete) -> None:
        """The user's word on the deletes a pair holds back (guard.py), for its next run, which
        comes at once: ALLOW carries them out, RESTORE copies the files back."""
        for worker in self._chosen(name):
            worker.decide(word)

    def record_retry(self, name: str, result: TaskResult) -> None:
        """A result of retrying, elsewhere, a task a run of this pair failed (the results
        pane's Retry): one that succeeded is recorded in the pair's state as the run would
        have; one that failed changes nothing (retries.py)."""
        for worker in self._chosen(name):
            worker.record_retry(result)

    def pause(self, name: str) -> None:
        """Stop syncing the pair in this process (persist it with PairStore.set_paused)."""
        for worker in self._chosen(name):
            worker.set_paused(True)

    def resume(self, name: str) -> None:
        for worker in self._chosen(name):
            worker.set_paused(False)

    def pause_all(self) -> None:
        for worker in self._chosen(None):
            worker.set_paused(True)

    def resume_all(self) -> None:
        for worker in self._chosen(None):
            worker.set_paused(False)

    def reload(self, specs: Iterable[WatchSpec], timeout: float = 5.0) -> None:
        """The pairs as saved now: new ones start, removed ones stop (their lock released
        before this returns, so the store may forget them), changed ones restart; a change of
        the paused flag alone pauses or resumes."""
        wanted = {spec.name: spec for spec in specs}
        with self._lock:
            old, self._specs = self._specs, wanted
            ending = []
            for name, spec in old.items():
                new = wanted.get(name)
                worker = self._workers.get(name)
                if worker is None:
                    continue
                if new is None or _without_pause(new) != _without_pause(spec):
                    ending.append(self._workers.pop(name))
                elif new.paused != spec.paused:
                    worker.set_paused(new.paused)
                    worker.spec = new
        for worker in ending:
            worker.stop()
        for worker in ending:
            if not worker.join(timeout):
                log.warning("pair %s did not stop within %.0f s", worker.spec.name, timeout)
        with self._lock:
            if self._started:
                for name, spec in wanted.items():
                    if name not in self._workers:
                        self._begin(spec)

    def statuses(self) -> list[PairStatus]:
        with self._lock:
            return [worker.status for worker in self._workers.values()]

    def _begin(self, spec: WatchSpec) -> None:
        worker = PairWorker(
            spec,
            self._connect,
            PairFiles.of(self._state_dir, spec.local, spec.url),
            self._listener,
            self.settings,
            self._observer,
            wall=self._wall,
        )
        self._workers[spec.name] = worker
        worker.start()

    def _chosen(self, name: str | None) -> list[PairWorker]:
        with self._lock:
            if name is None:
                return list(self._workers.values())
            worker = self._workers.get(name)
            return [worker] if worker is not None else []


def _without_pause(spec: WatchSpec) -> WatchSpec:
    from dataclasses import replace

    return replace(spec, paused=False)
