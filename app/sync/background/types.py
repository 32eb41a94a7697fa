"""What the background engine is given and what it tells its front end, as immutable values.

Every callback of a Listener is called on one of the engine's threads: a
window hands the value over to its own thread (a queued signal), the CLI
prints it under a lock. None of them may block for long: the pair waits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from app.dav import DavClient
from app.dav.retry import RetryPolicy
from app.jobs.model import EventCallback, Job
from app.sync.background.status import PairStatus
from app.sync.background.watch_spec import WatchSpec


@dataclass(frozen=True, slots=True)
class WatchSettings:
    """How often to look and how long to wait. Tests pass short ones; both intervals are
    user settings (and --interval sets poll_interval for one CLI run)."""

    poll_interval: float = 30.0  # one PROPFIND Depth 0 of the root, where folder ETags propagate
    full_scan_interval: float = 300.0  # a full scan, where they do not (or the watcher cannot)
    debounce: float = 2.0  # a local change is synced once its file has been quiet this long
    settle: float = 0.5  # the second look at size and mtime comes this long after the first
    first_backoff: float = 5.0  # the first wait after a failed look or run; doubles each time
    tick: float = 5.0  # the longest single wait: how soon a jump of the wall clock is noticed
    max_backoff: float = 600.0
    workers: int = 4
    limit_rate: int | None = None  # bytes per second per run; None: unlimited
    mtime_by_proppatch: bool = False  # JobOptions.mtime_by_proppatch (--keep-mtime)
    #: A look's own patience with a failing listing, short: the pair's back-off takes over
    #: from there (and says why in its state), instead of one look waiting for minutes.
    planning_retry: RetryPolicy = field(
        default_factory=lambda: RetryPolicy(attempts=3, max_delay=5.0)
    )

    def __post_init__(self) -> None:
        if min(self.poll_interval, self.full_scan_interval) <= 0:
            raise ValueError("intervals must be positive")


#: A client for the pair's server and the decoded path of its folder. Called on the pair's
#: thread (it may do I/O: a keyring, a capabilities request); raising a DavError is a failed
#: look (retried with back-off).
Connect = Callable[[WatchSpec], tuple[DavClient, str]]


class JobControl(Protocol):
    """What a front end may do to a background run (the engine's JobRunner)."""

    def cancel(self) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    @property
    def paused(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class RunStarted:
    """A run with something to do, announced before its job starts."""

    pair: str
    job: Job
    control: JobControl


@dataclass(frozen=True, slots=True)
class ConflictsFound:
    """Conflict copies this run made: both versions kept; the user should look."""

    pair: str
    paths: tuple[str, ...]  # relative paths of the copies


@dataclass(frozen=True, slots=True)
class PairStopped:
    """The pair cannot go on until the user does something (folder gone, password refused
    after the back-off, the disk full); said once per cause."""

    pair: str
    reason: str


class Listener(Protocol):
    def status_changed(self, status: PairStatus) -> None: ...

    def run_started(self, run: RunStarted) -> EventCallback | None:
        """Return a callback for the job's events (JobProgress, TaskResult, JobEnded), or None."""
        ...

    def conflicts_found(self, found: ConflictsFound) -> None: ...

    def pair_stopped(self, stopped: PairStopped) -> None: ...


class QuietListener:
    """A Listener that ignores everything: subclass it and override what you need."""

    def status_changed(self, status: PairStatus) -> None:
        pass

    def run_started(self, run: RunStarted) -> EventCallback | None:
        return None

    def conflicts_found(self, found: ConflictsFound) -> None:
        pass

    def pair_stopped(self, stopped: PairStopped) -> None:
        pass
