"""What the background-sync tests share: a listener that records, an engine with short waits,
and waiting on a condition (generous timeouts, never a sleep that asserts)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.dav import DavClient
from app.dav.paths import url_path
from app.dav.retry import RetryPolicy
from app.jobs.model import JobEvent, TaskResult
from app.sync.background.engine import BackgroundSync
from app.sync.background.status import PairStatus
from app.sync.background.types import (
    ConflictsFound,
    PairStopped,
    RunStarted,
    WatchSettings,
    WatchSpec,
)
from app.sync.model import Direction

#: Short waits for tests: what a user gets in seconds, in a fraction of one.
FAST = WatchSettings(
    poll_interval=0.5,
    full_scan_interval=1.0,
    debounce=0.3,
    settle=0.1,
    first_backoff=0.2,
    max_backoff=1.0,
    workers=2,
    planning_retry=RetryPolicy(attempts=2, base_delay=0.05, max_delay=0.1),
)


def wait_for(condition: Callable[[], object], timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.05)


class Recorder:
    """A Listener keeping everything it is told, for the tests to wait on."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: list[PairStatus] = []
        self.runs: list[RunStarted] = []
        self.results: list[TaskResult] = []
        self.conflicts: list[ConflictsFound] = []
        self.stopped: list[PairStopped] = []

    def status_changed(self, status: PairStatus) -> None:
        with self.lock:
            self.statuses.append(status)

    def run_started(self, run: RunStarted) -> Callable[[JobEvent], None]:
        with self.lock:
            self.runs.append(run)

        def event(e: JobEvent) -> None:
            if isinstance(e, TaskResult):
                with self.lock:
                    self.results.append(e)

        return event

    def conflicts_found(self, found: ConflictsFound) -> None:
        with self.lock:
            self.conflicts.append(found)

    def pair_stopped(self, stopped: PairStopped) -> None:
        with self.lock:
            self.stopped.append(stopped)

    @property
    def last(self) -> PairStatus | None:
        with self.lock:
            return self.statuses[-1] if self.statuses else None

    def said(self, text: str) -> bool:
        with self.lock:
            return any(text in s.text for s in self.statuses)

    def idle(self) -> bool:
        last = self.last
        return last is not None and last.state.value in ("idle", "conflicts")


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def watch(tmp_path: Path, recorder: Recorder) -> Iterator[Callable[..., BackgroundSync]]:
    """watch(url, user, password, local, direction=...) -> a started engine on one pair."""
    engines: list[BackgroundSync] = []
    clients: list[DavClient] = []

    def start(
        url: str,
        user: str,
        password: str,
        local: Path,
        direction: str = "both",
        settings: WatchSettings = FAST,
        name: str = "pair",
        client_kwargs=None,
        listener=None,
        **kwargs,
    ) -> BackgroundSync:
        def connect(spec: WatchSpec) -> tuple[DavClient, str]:
            client = DavClient(url, user=user, password=password, **(client_kwargs or {}))
            clients.append(client)
            return client, url_path(url)

        spec = WatchSpec(name, local, url, Direction(direction), **kwargs)
        engine = BackgroundSync([spec], connect, tmp_path / "state", listener or recorder, settings)
        engines.append(engine)
        engine.start()
        return engine

    yield start
    for engine in engines:
        engine.stop(10)
    for client in clients:
        client.close()
