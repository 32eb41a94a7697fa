"""One watched pair on a thread of its own: when to look, where to look, and what went wrong.

The thread holds the pair's lock for as long as it watches (another process
holding it makes this one wait and say so). It starts with a full run (the
state after downtime is unknown), then acts on whichever comes first:

- local paths that changed and have settled (quiet for `debounce`, then the
  same size and mtime at two looks `settle` apart): a run over their folders;
- the server poll: where folder ETags propagate, one Depth 0 request every
  `poll_interval` and a run over the folders whose ETag changed; elsewhere a
  full run every `full_scan_interval`;
- a full run when the watcher lost events or cannot watch at all (then every
  `full_scan_interval`, said once in the state), after a failure (to catch
  up), on "Sync now", and on the user's word about deletes held back
  (decide: the mass-delete guard's ALLOW or RESTORE, for that run only).

A failure (server unreachable, password refused, disk full, the folder
gone) waits before the next try, doubling up to `max_backoff`, with the
reason in the state; the first good look after it is a full run. Waits are
measured on the monotonic clock; a jump of the wall clock against it (the
laptop slept) brings the next poll forward, once: never a burst of the polls
"missed" while asleep.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from watchdog.observers.api import BaseObserver

from app.dav import DavClient, errors
from app.jobs.model import TaskResult
from app.jobs.runner import JobOptions
from app.sync.background.failure import Failure, failure_of
from app.sync.background.poll import FolderETags, propagates, root_etag, server_changes
from app.sync.background.refusals import Refusals
from app.sync.background.report import PairReport
from app.sync.background.retries import RetriedFiles
from app.sync.background.run import Run, RunResult
from app.sync.background.scope import Listing, Looked, parent_rel, plan_folders
from app.sync.background.status import PairState, PairStatus
from app.sync.background.types import Connect, Listener, WatchSettings
from app.sync.background.watch_spec import WatchSpec
from app.sync.background.watcher import LocalWatcher
from app.sync.guard import MassDelete
from app.sync.ignore import IgnoreRules
from app.sync.lockfile import FileLock, LockHeld
from app.sync.model import RemoteFile, SyncPlan
from app.sync.pairfiles import PairFiles
from app.sync.planner import plan_pair
from app.sync.retrying import PlanningCancelled, Stop
from app.sync.scan import Scan
from app.sync.state import StateDB

log = logging.getLogger(__name__)
T = TypeVar("T")

#: A wall-clock step this much larger than the monotonic one is taken for a sleep.
JUMP = 15.0


class PairWorker:
    def __init__(
        self,
        spec: WatchSpec,
        connect: Connect,
        files: PairFiles,
        listener: Listener,
        settings: WatchSettings,
        observer: BaseObserver | None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.spec = spec
        self._connect = connect
        self._files = files
        self._listener = listener
        self._settings = settings
        self._observer = observer
        self._clock, self._wall = clock, wall
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._stop_planning = Stop()
        self._paused = spec.paused
        self._now_requested = False
        self._word = MassDelete.HOLD  # the user's word for the next full run (decide)
        self._run: Run | None = None
        self._guard = threading.Lock()
        self._thread = threading.Thread(target=self._main, name=f"sync-{spec.name}", daemon=True)
        self._report = PairReport(spec.name, spec.local, files.status, listener, wall)
        self._client: DavClient | None = None
        self._remote = ""
        self._etags = FolderETags()
        self._refusals = Refusals()
        self._retried = RetriedFiles()

    # -- control, from any thread ------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to end: planning is cut off, a running job cancelled cleanly."""
        with self._guard:
            self._stopping.set()
            self._stop_planning.set()
            run = self._run
        if run is not None:
            run.cancel()
        self._wake.set()

    def join(self, timeout: float) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def sync_now(self) -> None:
        with self._guard:
            self._now_requested = True
        self._wake.set()

    def decide(self, word: MassDelete) -> None:
        """The user's word on the deletes held back: the next run (a full one, at once) plans
        with it, then the guard holds again."""
        with self._guard:
            self._word = word
            self._now_requested = True
        self._wake.set()

    def record_retry(self, result: TaskResult) -> None:
        """A retry elsewhere (the results pane) of a file a run of this pair failed: recorded
        before the next look if it succeeded, which then comes at once."""
        self._retried.arrived(result)
        self._wake.set()

    def set_paused(self, paused: bool) -> None:
        with self._guard:
            self._paused = paused
            run = self._run
        if paused and run is not None:
            run.cancel()  # the file in flight ends cleanly; the rest waits for resume
        self._wake.set()

    @property
    def status(self) -> PairStatus:
        return self._report.status

    # -- the thread ----------------------------------------------------------------------------

    def _main(self) -> None:
        lock = FileLock(self._files.lock)
        try:
            if not self._take(lock):
                return
            with StateDB(self._files.state) as state:
                self._watch(state)
        except Exception as exc:  # a bug must not end the pair silently
            log.exception("pair %s stopped", self.spec.name)
            self._report.stopped_on(exc)
        finally:
            lock.release()
            if self._report.status.state is not PairState.ERROR:
                self._say(PairState.STOPPED, "not running")

    def _take(self, lock: FileLock) -> bool:
        """Wait for the pair's lock (another process syncing it); False when stopped first."""
        while not self._stopping.is_set():
            try:
                lock.acquire()
                return True
            except LockHeld as held:
                self._say(PairState.WAITING, f"synced by {held} (another Davdesk)")
            except OSError as exc:
                self._report.say(PairState.WAITING, "cannot lock the pair", detail=str(exc))
            self._wake.wait(self._settings.poll_interval)
            self._wake.clear()
        return False

    def _watch(self, state: StateDB) -> None:
        rules = IgnoreRules.for_folder(self.spec.local, self.spec.ignore)
        watcher = LocalWatcher(self.spec.local, rules, self._wake.set, self._clock)
        why = (
            watcher.start(self._observer)
            if self._observer is not None
            else "no file-system events here"
        )
        watching = why is None
        self._report.note(None if watching else f"watching by periodic full scans: {why}")
        try:
            self._loop(state, rules, watcher, watching)
        finally:
            if self._observer is not None:
                watcher.stop(self._observer)

    def _loop(
        self, state: StateDB, rules: IgnoreRules, watcher: LocalWatcher, watching: bool
    ) -> None:
        settings = self._settings
        need_full = True
        now = self._clock()
        next_poll = next_full = now
        retry_at = 0.0
        last_wall, last_mono = self._wall(), now
        while not self._stopping.is_set():
            self._wake.clear()
            with self._guard:  # a failed planning sets its Stop to end its threads: a new one
                if self._stopping.is_set():
                    break
                self._stop_planning = Stop()
            if self._settle_retries(state):
                retry_at = 0.0  # a failure a retry resolved: look again now, not after back-off
            now, wall = self._clock(), self._wall()
            if (wall - last_wall) - (now - last_mono) > JUMP:
                next_poll, retry_at = now, 0.0  # back from a sleep: one look now
                if not (propagates(self._client) if self._client else False):
                    next_full = now
            last_wall, last_mono = wall, now
            with self._guard:
                paused, asked = self._paused, self._now_requested
                self._now_requested = False
            if paused:
                self._say(PairState.PAUSED, "paused")
                self._sleep(None)
                need_full = True  # what happened meanwhile is looked at on resume
                continue
            if asked:
                need_full, retry_at = True, 0.0
            if watcher.take_lost():
                need_full = True
            if now < retry_at:
                self._sleep(retry_at - now)
                continue
            try:
                client = self._connected()
                by_etag = watching and propagates(client)
                if need_full or (now >= next_full and not by_etag):
                    self._full(state, rules, client, watcher)
                    need_full = False
                    next_full = self._clock() + settings.full_scan_interval
                    next_poll = self._clock() + settings.poll_interval
                elif by_etag and now >= next_poll:
                    next_poll = now + settings.poll_interval
                    self._poll(state, rules, client, watcher)
                else:
                    self._local(state, rules, client, watcher, now)
                self._report.good()
            except PlanningCancelled:
                break
            except Failure as failure:
                need_full = True
                if failure.reconnect:  # signed in again, the certificate trusted: a new client
                    self._client = None
                wait = self._backoff()
                retry_at = self._clock() + wait
                self._report.failed(failure, wait)
                continue
            self._report.idle()
            deadlines = [next_poll if by_etag else next_full]
            quiet = watcher.next_quiet()
            if quiet is not None:
                deadlines.append(quiet + settings.debounce)
            self._sleep(min(deadlines) - self._clock())

    def _settle_retries(self, state: StateDB) -> bool:
        """Whether retries from the results pane synced files this pair had failed."""
        try:
            return self._retried.settle(state) > 0
        except (OSError, sqlite3.Error) as exc:  # the next look compares those files afresh
            log.warning("retried files of %s not recorded: %s", self.spec.name, exc)
            return False

    def _sleep(self, seconds: float | None) -> None:
        """Until woken (an event, a request, stop) or the time is up; never longer than a tick."""
        if self._stopping.is_set():
            return
        tick = self._settings.tick
        self._wake.wait(tick if seconds is None else max(0.0, min(seconds, tick)))

    # -- what a look does -------------------------------------------------------------------

    def _connected(self) -> DavClient:
        if self._client is None:
            try:
                self._client, self._remote = self._connect(self.spec)
            except (errors.DavError, OSError) as exc:
                raise failure_of(exc, connecting=True) from exc
            self._refusals.rooted(self._remote)
        return self._client

    def _full(
        self, state: StateDB, rules: IgnoreRules, client: DavClient, watcher: LocalWatcher
    ) -> None:
        """Everything, both sides: at start, after a failure, when events were lost."""
        self._say(PairState.SCANNING, "looking for changes")
        started = self._clock()
        scans: list[Scan[RemoteFile]] = []
        with self._guard:
            word, self._word = self._word, MassDelete.HOLD  # for this run only

        def plan_all() -> tuple[SyncPlan, str | None]:
            top = (
                root_etag(client, self._remote, self._stop_planning, self._settings.planning_retry)
                if propagates(client)
                else None
            )
            planned = plan_pair(
                client,
                self.spec.local,
                self._remote,
                self.spec.direction,
                state,
                rules,
                workers=self._settings.workers,
                stop=self._stop_planning,
                seen=scans.append,
                retry=self._settings.planning_retry,
                mass_delete=word,
            )
            return planned, top

        plan, top = self._guarded(plan_all)
        self._refusals.replace(plan.refused)
        watcher.take(started - self._settings.debounce)  # settled before: the full look saw it
        result = self._execute(state, plan, client, watcher.waiting())
        if result is not None and not result.failed and not result.cancelled and scans:
            self._etags = self._etags.from_scan(top, scans[0])

    def _poll(
        self, state: StateDB, rules: IgnoreRules, client: DavClient, watcher: LocalWatcher
    ) -> None:
        changes = self._guarded(
            lambda: server_changes(
                client,
                self._remote,
                self._etags,
                rules,
                self._stop_planning,
                self._settings.planning_retry,
            )
        )
        if not changes.folders:
            return
        self._say(PairState.SCANNING, "looking at changes on the server")
        plan, looked = self._plan_folders(
            client, state, rules, changes.folders, listings=changes.listings
        )
        result = self._execute(state, plan, client, watcher.waiting())
        if result is not None and not result.failed and not result.cancelled:
            self._etags = self._etags.updated(looked, changes.root_etag)

    def _local(
        self,
        state: StateDB,
        rules: IgnoreRules,
        client: DavClient,
        watcher: LocalWatcher,
        now: float,
    ) -> None:
        """The paths quiet for `debounce` whose size and mtime held still across two looks."""
        quiet = watcher.take(now - self._settings.debounce)
        if not quiet:
            return
        first = {rel: self._look(rel) for rel in quiet}
        if self._stopping.wait(self._settings.settle):
            watcher.again(quiet)
            return
        waiting = set(watcher.waiting())
        settled = [rel for rel in quiet if rel not in waiting and self._look(rel) == first[rel]]
        watcher.again([rel for rel in quiet if rel not in settled])
        if not settled:
            return
        folders = {parent_rel(rel) for rel in settled}
        folders |= {rel for rel in settled if (self.spec.local / rel).is_dir()}
        self._say(PairState.SCANNING, "looking at local changes")
        try:
            plan, looked = self._plan_folders(client, state, rules, folders)
            result = self._execute(state, plan, client, sorted(waiting))
        except Failure:
            watcher.again(settled)
            raise
        if result is not None and (result.failed or result.cancelled):
            watcher.again(settled)
        elif result is not None:
            self._etags = self._etags.updated(looked)

    def _plan_folders(
        self,
        client: DavClient,
        state: StateDB,
        rules: IgnoreRules,
        folders: Iterable[str],
        listings: dict[str, Listing] | None = None,
    ) -> tuple[SyncPlan, Looked]:
        """The plan for the members of these folders (the server's changes or the settled
        local ones), its refusals noted for the folders it examined."""
        plan, looked = self._guarded(
            lambda: plan_folders(
                client,
                self.spec.local,
                self._remote,
                self.spec.direction,
                state,
                rules,
                folders,
                listings=listings,
                workers=self._settings.workers,
                stop=self._stop_planning,
                retry=self._settings.planning_retry,
            )
        )
        self._refusals.update(plan.refused, looked.examined)
        return plan, looked

    def _look(self, rel: str) -> tuple[int, int] | None:
        try:
            found = os.stat(self.spec.local / rel, follow_symlinks=False)
        except OSError:
            return None
        return found.st_size, found.st_mtime_ns

    def _guarded(self, work: Callable[[], T]) -> T:
        try:
            return work()
        except PlanningCancelled:
            raise
        except (errors.DavError, OSError, sqlite3.Error) as exc:
            if self._stopping.is_set():
                raise PlanningCancelled("stopped") from exc
            raise failure_of(exc) from exc

    def _execute(
        self, state: StateDB, plan: SyncPlan, client: DavClient, busy: list[str]
    ) -> RunResult | None:
        def progress(done: int, total: int) -> None:
            self._say(
                PairState.SYNCING,
                f"syncing {min(done + 1, total)} of {total}",
                done=done,
                total=total,
            )

        run = Run(
            self.spec.name,
            state,
            self._listener,
            JobOptions(
                workers=self._settings.workers,
                limit_rate=self._settings.limit_rate,
                mtime_by_proppatch=self._settings.mtime_by_proppatch,
            ),
            progress,
        )
        with self._guard:
            if self._stopping.is_set() or self._paused:
                return None
            self._run = run
        refused = self._refusals.unshown()
        try:
            result = self._guarded(lambda: run.execute(plan, client, busy, refused))
        finally:
            with self._guard:
                self._run = None
        self._refusals.shown(refused)
        self._retried.ran(result.failed_tasks, result.synced_tasks)
        self._report.finished(result, self._refusals.listed(), self._refusals.held())
        return result

    # -- back-off and words ------------------------------------------------------------------

    def _backoff(self) -> float:
        settings = self._settings
        failures = self._report.failures
        return min(settings.max_backoff, settings.first_backoff * 2.0 ** max(0, failures))

    def _say(self, state: PairState, text: str, done: int = 0, total: int = 0) -> None:
        self._report.say(state, text, done, total)
