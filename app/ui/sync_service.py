"""Background sync in the window process: the saved pairs, the engine, and what it reports.

One per process (the Desktop owns it), shared by every window's Sync panel
and the tray. The engine (app.sync.background) runs on threads of its own
and reports through a Listener on those threads; this hands every report to
the GUI thread through queued signals, as JobBridge does for one job. Each
run the engine starts is an ordinary job, shown through a JobBridge of its
own (announced by run_added), so windows list its Outcomes like any job's.

A window's retry of a run's files (the results pane's Retry, a job of the
window's) is announced here (retrying, then job_added with its bridge): each
of its results is handed to the engine for the pair whose run the file came
from, which records one that succeeded as that run would have.

The pairs file and the keyring are read off the GUI thread (Background), and
the pairs file is watched: a pair the Sync Folder dialog or `davdesk pair
add` saved is picked up without a restart.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from app.config.bookmarks import BookmarkStore
from app.config.pairs import PairError, PairStore, SavedPair, state_dir, watch_spec
from app.config.paths import AppPaths
from app.config.secrets import PasswordStore
from app.jobs.model import EventCallback, Job, JobEnded, JobEvent, TaskResult
from app.session.pairs import PairConnector
from app.sync.background.engine import BackgroundSync
from app.sync.background.status import PairState, PairStatus
from app.sync.background.types import (
    ConflictsFound,
    JobControl,
    PairStopped,
    RunStarted,
    WatchSettings,
)
from app.sync.background.watch_spec import WatchSpec
from app.sync.guard import MassDelete
from app.sync.job import TaskKey, task_key
from app.ui.background import Background
from app.ui.job_bridge import JobBridge

log = logging.getLogger(__name__)

#: Background runs kept for a window opened later, each with its files' results.
RECENT_RUNS = 20
#: Retry jobs of runs' files remembered (a retry of a retry finds its pairs through them).
RECENT_RETRIES = 100
#: The pairs file is read again this long after the last change seen in its folder.
_RELOAD_DELAY_MS = 300


class Overall(enum.StrEnum):
    """The tray's one word for every pair together."""

    IDLE = "idle"
    SYNCING = "syncing"
    ERROR = "error"
    #: Up to date but for files that wait for the user: conflict copies to resolve, files the
    #: sync will not touch. Still syncing, unlike ERROR: an orange badge, not a red one.
    ATTENTION = "attention"
    PAUSED = "paused"


@dataclass(eq=False, slots=True)
class RecentRun:
    """A background run as windows show it: its job's events so far, and while it runs, the
    bridge that relays the rest. Touched on the GUI thread only."""

    job: Job
    name: str
    pair: SavedPair
    control: JobControl
    events: list[JobEvent]
    bridge: JobBridge | None  # None once it ended


class _Relay(QObject):
    """Lives in the GUI thread; the engine's threads emit, the receivers run here."""

    status = Signal(object)  # PairStatus
    run = Signal(object)  # RunStarted
    job_event = Signal(int, object)  # job id, JobEvent (not `event`: QObject.event is Qt's)
    conflicts = Signal(object)  # ConflictsFound
    stopped = Signal(object)  # PairStopped


class SyncService(QObject):
    """The saved pairs kept in step while Davdesk runs; every method is for the GUI thread."""

    changed = Signal()  # the pairs or a pair's status changed
    run_added = Signal(object)  # RecentRun: a run started
    conflicts_found = Signal(object, object)  # SavedPair, tuple of relative paths
    pair_stopped = Signal(object, str)  # SavedPair, the reason in words
    #: SavedPair, the files the sync newly will not touch: ((relative path, why), ...)
    files_refused = Signal(object, object)
    failed = Signal(str)  # a change of the pairs that did not happen, in words

    def __init__(
        self,
        paths: AppPaths,
        background: Background,
        settings: WatchSettings | None = None,
        engine: Callable[..., BackgroundSync] = BackgroundSync,
        parent: QObject | None = None,
        *,
        passwords: PasswordStore,
    ) -> None:
        """passwords: the keyring the pairs' servers' passwords are read from."""
        super().__init__(parent)
        self.paths = paths
        self.store = PairStore.in_config(paths)
        self._bookmarks = BookmarkStore.in_config(paths)
        self._background = background
        self._settings = settings or WatchSettings()
        self._make_engine = engine
        self._engine: BackgroundSync | None = None
        self.pairs: list[SavedPair] = []
        self.statuses: dict[str, PairStatus] = {}
        #: The latest runs, for windows opened later (at login the runs come first).
        self.recent: deque[RecentRun] = deque(maxlen=RECENT_RUNS)
        self._live: dict[int, RecentRun] = {}  # by job id, until the run ends
        #: Retry jobs of runs' files, by job id: each task's pair (kept for retries of them).
        self._retries: dict[int, dict[TaskKey, str]] = {}
        self._by_name: dict[str, SavedPair] = {}  # read by the connector on the engine's threads
        self._connector = PairConnector(
            self._bookmarks, self.pair, self._settings.workers, passwords
        )
        self._relay = _Relay(self)
        self._relay.status.connect(self._status_changed)
        self._relay.run.connect(self._run_started)
        self._relay.job_event.connect(self._job_event)
        self._relay.conflicts.connect(self._conflicts)
        self._relay.stopped.connect(self._stopped)
        self._watcher = QFileSystemWatcher(self)
        self._reload_timer = QTimer(self, singleShot=True, interval=_RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(self.reload)
        self._watcher.directoryChanged.connect(lambda _: self._reload_timer.start())
        self._stopping = False

    # -- the pairs ------------------------------------------------------------------------

    def start(self) -> None:
        """Load the pairs (and those the Sync Folder dialog kept in bookmarks) and sync them."""

        def first_load() -> list[SavedPair]:
            self.store.path.parent.mkdir(parents=True, exist_ok=True)  # watched from now on
            self.store.migrate_bookmarks(self._bookmarks)
            return self.store.load()

        self._background.submit(first_load, self._loaded_pairs)

    def reload(self) -> None:
        self._background.submit(self.store.load, self._loaded_pairs)

    def _loaded_pairs(self, pairs: list[SavedPair] | None, error: BaseException | None) -> None:
        if self._stopping:
            return
        if error is not None or pairs is None:
            log.warning("Cannot read the saved pairs: %s", error)
            self.failed.emit(f"Cannot read the saved folder pairs: {error}")
            return
        if not self._watcher.directories():
            self._watcher.addPath(str(self.store.path.parent))
        self.pairs = pairs
        self._by_name = {p.name: p for p in pairs}
        self.statuses = {name: s for name, s in self.statuses.items() if name in self._by_name}
        specs = [watch_spec(p) for p in pairs]
        if self._engine is None:
            self._engine = self._make_engine(
                specs,
                self._connector,
                state_dir(self.paths),
                _Listener(self._relay),
                self._settings,
            )
            engine = self._engine  # start() resolves each pair's folder: off the GUI thread
            self._background.submit(engine.start, lambda _, error: self._started(len(specs), error))
        else:
            self._reload_engine(specs)
        self.changed.emit()

    @staticmethod
    def _started(count: int, error: BaseException | None) -> None:
        if error is not None:
            log.error("Background sync could not start: %s", error)
        else:
            log.info("Background sync started with %d saved pair(s)", count)

    def _reload_engine(self, specs: list[WatchSpec]) -> None:
        """reload() waits for removed pairs to stop (their file in flight): off the GUI thread."""
        engine = self._engine
        if engine is not None:
            self._background.submit(lambda: engine.reload(specs), self._engine_reloaded)

    def _engine_reloaded(self, _: Any, error: BaseException | None) -> None:
        if error is not None:
            log.error("Background sync could not take the changed pairs: %s", error)

    def pair(self, name: str) -> SavedPair | None:
        return self._by_name.get(name)

    def status(self, name: str) -> PairStatus | None:
        return self.statuses.get(name)

    @property
    def active(self) -> bool:
        """Some pair is synced while Davdesk runs: closing the last window keeps it running."""
        return any(not p.paused for p in self.pairs)

    @property
    def all_paused(self) -> bool:
        return bool(self.pairs) and all(p.paused for p in self.pairs)

    def overall(self) -> Overall:
        """idle, syncing, error, attention or paused: the worst that is true of any pair."""
        states = {
            self.statuses[p.name].state
            for p in self.pairs
            if not p.paused and p.name in self.statuses
        }
        if states & {PairState.ERROR, PairState.WAITING}:
            return Overall.ERROR
        if states & {PairState.SYNCING, PairState.SCANNING}:
            return Overall.SYNCING
        if states & {PairState.ATTENTION, PairState.CONFLICTS}:
            return Overall.ATTENTION
        if self.all_paused:
            return Overall.PAUSED
        return Overall.IDLE

    # -- what the user does -----------------------------------------------------------------

    def sync_now(self, name: str | None = None) -> None:
        if self._engine is not None:
            self._engine.sync_now(name)

    def decide(self, name: str, word: MassDelete) -> None:
        """The user's word on the deletes the pair holds back (Delete Here Too, Restore Files)."""
        if self._engine is not None:
            self._engine.decide(name, word)

    def set_paused(self, name: str, paused: bool) -> None:
        """Pause or resume one pair, in the engine now and in the pairs file (lasting)."""
        if self._engine is not None:
            (self._engine.pause if paused else self._engine.resume)(name)
        self._mark_paused({name}, paused)
        self._background.submit(lambda: self.store.set_paused(name, paused), self._changed_done)

    def set_all_paused(self, paused: bool) -> None:
        names = [p.name for p in self.pairs if p.paused != paused]
        for name in names:
            if self._engine is not None:
                (self._engine.pause if paused else self._engine.resume)(name)
        self._mark_paused(set(names), paused)

        def write() -> None:
            for name in names:
                self.store.set_paused(name, paused)

        self._background.submit(write, self._changed_done)

    def add(
        self, pair: SavedPair, done: Callable[[SavedPair | None, BaseException | None], None]
    ) -> None:
        """Save a new pair (its overlap with others checked by the store); done on the GUI
        thread with the pair as saved, or the error to show."""

        def added(saved: SavedPair | None, error: BaseException | None) -> None:
            done(saved, error)
            if error is None:
                self.reload()

        def save() -> SavedPair:
            if not Path(pair.local).is_dir():
                raise PairError(f"{pair.local} is not a folder on this computer")
            return self.store.add(pair)

        self._background.submit(save, added)

    def remove(self, name: str) -> None:
        """Forget a pair and its sync records; no file is deleted on either side."""
        self.pairs = [p for p in self.pairs if p.name != name]
        self.statuses.pop(name, None)
        self.changed.emit()
        engine, specs = self._engine, [watch_spec(p) for p in self.pairs]

        def forget() -> None:
            if engine is not None:
                engine.reload(specs)  # the pair stops and lets go of its lock first
            self.store.remove(name)

        self._background.submit(forget, self._changed_done)

    def _mark_paused(self, names: set[str], paused: bool) -> None:
        self.pairs = [
            dataclasses.replace(p, paused=paused) if p.name in names else p for p in self.pairs
        ]
        self._by_name = {p.name: p for p in self.pairs}
        self.changed.emit()

    def _changed_done(self, _: Any, error: BaseException | None) -> None:
        if error is not None:
            self.failed.emit(f"Cannot save the change to the folder pairs: {error}")
        self.reload()

    def stop(self, timeout: float = 5.0) -> None:
        """The program ends (its event loop has): runs end cleanly, the pairs' locks are
        released. Blocks up to timeout, so it is called once the windows are gone."""
        self._stopping = True
        self._reload_timer.stop()
        self._background.wait()  # a start or reload under way ends first, then all stop
        engine, self._engine = self._engine, None
        if engine is not None:
            ended = engine.stop(timeout)
            log.info(
                "Background sync stopped%s",
                "" if ended else " (some pair did not end in time: its run is abandoned cleanly)",
            )
        self._connector.close()  # the pairs are done with their clients

    # -- retries of runs' files, from a window's results pane ----------------------------------

    def retrying(self, job_id: int, originals: list[TaskResult]) -> None:
        """A window is about to run these results again as job job_id: those of this
        service's runs (or of retries of them) are the pairs'."""
        runs = {run.job.id: run.pair.name for run in self.recent}
        pairs: dict[TaskKey, str] = {}
        for result in originals:
            key = task_key(result.task)
            pair = runs.get(result.job_id) or self._retries.get(result.job_id, {}).get(key)
            if pair is not None:
                pairs[key] = pair
        if pairs:
            self._retries[job_id] = pairs
            while len(self._retries) > RECENT_RETRIES:
                del self._retries[next(iter(self._retries))]

    def job_added(self, bridge: JobBridge, name: str, queued: bool) -> None:
        """A window's job: if it retries runs' files, each result goes to its pair."""
        pairs = self._retries.get(bridge.job.id)
        if pairs is not None:
            bridge.task_done.connect(lambda result: self._retried(pairs, result))

    def _retried(self, pairs: dict[TaskKey, str], result: TaskResult) -> None:
        pair = pairs.get(task_key(result.task))
        if pair is not None and self._engine is not None:
            self._engine.record_retry(pair, result)

    # -- reports from the engine (on the GUI thread) -------------------------------------------

    def _status_changed(self, status: PairStatus) -> None:
        pair = self._by_name.get(status.name)
        if pair is None:
            return
        before = self.statuses.get(status.name)
        self.statuses[status.name] = status
        self.changed.emit()
        # What a pair brought from its last process (its status file) was said then.
        new = _new_refusals(before.refused, status.refused) if before is not None else ()
        if new:
            self.files_refused.emit(pair, new)

    def _run_started(self, run: RunStarted) -> None:
        pair = self._by_name.get(run.pair)
        if pair is None:
            return
        bridge = JobBridge(None, run.job, parent=self, running=run.control)
        recent = RecentRun(
            run.job, run.job.name or f"Sync {run.pair}", pair, run.control, [], bridge
        )
        self._live[run.job.id] = recent
        self.recent.append(recent)
        bridge.started.emit()
        self.run_added.emit(recent)

    def _job_event(self, job_id: int, event: JobEvent) -> None:
        recent = self._live.get(job_id)
        if recent is None or recent.bridge is None:
            return
        recent.events.append(event)
        bridge = recent.bridge
        bridge.relay(event)
        if isinstance(event, JobEnded):
            del self._live[job_id]
            recent.bridge = None
            bridge.deleteLater()

    def _conflicts(self, found: ConflictsFound) -> None:
        pair = self._by_name.get(found.pair)
        if pair is not None:
            self.conflicts_found.emit(pair, found.paths)

    def _stopped(self, stopped: PairStopped) -> None:
        pair = self._by_name.get(stopped.pair)
        if pair is not None:
            self.pair_stopped.emit(pair, stopped.reason)


class _Listener:
    """The engine's Listener: each report becomes a queued signal, nothing else."""

    def __init__(self, relay: _Relay) -> None:
        self._relay = relay

    def status_changed(self, status: PairStatus) -> None:
        self._relay.status.emit(status)

    def run_started(self, run: RunStarted) -> EventCallback | None:
        self._relay.run.emit(run)  # queued before any of the job's events
        job_id = run.job.id
        return lambda event: self._relay.job_event.emit(job_id, event)

    def conflicts_found(self, found: ConflictsFound) -> None:
        self._relay.conflicts.emit(found)

    def pair_stopped(self, stopped: PairStopped) -> None:
        self._relay.stopped.emit(stopped)


def _new_refusals(
    before: tuple[tuple[str, str], ...], now: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    """The refusals of now that were not there before (a file, or its reason, is new)."""
    known = set(before)
    return tuple(refusal for refusal in now if refusal not in known)


def server_of(pair: SavedPair) -> str:
    """The pair's server as a window's client names it (DavClient.origin): scheme://host."""
    parts = urlsplit(pair.url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
