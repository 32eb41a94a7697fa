"""`davdesk sync --watch`: saved pairs (or one given pair) kept in step until a signal.

The same engine as the window's (app.sync.background): local changes are
synced once they settle, the server is polled every --interval seconds. Each
synced file prints one line (one JSON Outcome per line with --json) as its
task ends; state changes that matter (server unreachable: trying again in
20 s, with the detail in brackets; conflicts; a pair that stopped) go to
stderr. Ctrl-C or SIGTERM stops it within seconds:
the file in flight is finished or cleanly abandoned, no partial file is left
on either side, the state database stays consistent, and the exit status is 0.
"""

from __future__ import annotations

import argparse
import dataclasses
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

from app.cli.connect import Connections, UsageError
from app.cli.output import Printer, display_name, say
from app.config.pairs import PairError, PairStore, state_dir, watch_spec
from app.config.paths import AppPaths
from app.dav import DavClient, errors
from app.jobs.model import JobEvent, TaskResult
from app.sync.background.engine import BackgroundSync
from app.sync.background.status import PairState, PairStatus
from app.sync.background.types import (
    ConflictsFound,
    PairStopped,
    RunStarted,
    WatchSettings,
)
from app.sync.background.watch_spec import WatchSpec
from app.sync.direction import Direction

#: Seconds the engine gets to end its runs after the signal: within the 5 s promised.
STOP_WITHIN = 4.0
_SAID = (
    PairState.WAITING,
    PairState.ERROR,
    PairState.CONFLICTS,
    PairState.ATTENTION,
    PairState.PAUSED,
)


def watch(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    paths = AppPaths.default()
    specs = _adhoc(args, connections) if args.direction else _saved(args, paths)
    if not specs:
        raise UsageError(
            "sync --watch: no pairs to watch (add one with `davdesk pair add`, "
            "or resume a paused one)"
        )
    settings = WatchSettings(
        workers=args.workers, limit_rate=args.limit_rate, mtime_by_proppatch=args.keep_mtime
    )
    if args.interval is not None:
        settings = dataclasses.replace(
            settings, poll_interval=args.interval, full_scan_interval=args.interval
        )
    listener = _Terminal(printer, quiet=args.json)
    engine = BackgroundSync(specs, _connector(connections), state_dir(paths), listener, settings)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda _n, _f: stop.set())
    if not args.json:
        names = ", ".join(display_name(spec.name) for spec in specs)
        say(f"watching {names}; Ctrl-C to stop")
    engine.start()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        _ignore_interrupts_while(lambda: engine.stop(STOP_WITHIN))
    # Failures were reported as they happened and retried; being stopped is how a watch ends.
    printer.failures = 0


def _ignore_interrupts_while(work: Callable[[], object]) -> None:
    """A second Ctrl-C while stopping must not leave a half-stopped engine behind."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        work()
    finally:
        signal.signal(signal.SIGINT, previous)


def _adhoc(args: argparse.Namespace, connections: Connections) -> list[WatchSpec]:
    if len(args.operands) != 2:
        raise UsageError(
            "sync --watch: give LOCAL URL with --direction, or saved pair names without it"
        )
    local_text, url = args.operands
    local = Path(local_text).expanduser().absolute()
    if not local.is_dir():
        raise UsageError(f"sync: {local_text}: not a folder")
    client, remote = connections.resolve(url)
    found = client.lookup(remote)
    if found is None or not found.is_dir:
        raise UsageError(
            f"sync: {url}: no such folder on the server (create it with davdesk mkdir)"
        )
    return [
        WatchSpec(
            local.name or str(local), local, url, Direction(args.direction), tuple(args.ignore)
        )
    ]


def _saved(args: argparse.Namespace, paths: AppPaths) -> list[WatchSpec]:
    try:
        pairs = PairStore.in_config(paths).load()
    except PairError as exc:
        raise UsageError(f"sync --watch: {exc}") from exc
    if not args.operands:
        return [watch_spec(p) for p in pairs if not p.paused]
    by_name = {p.name: p for p in pairs}
    unknown = [name for name in args.operands if name not in by_name]
    if unknown:
        known = ", ".join(repr(n) for n in by_name) or "none saved yet"
        raise UsageError(f"sync --watch: no pair called {unknown[0]!r} (pairs: {known})")
    return [watch_spec(by_name[name]) for name in dict.fromkeys(args.operands)]


def _connector(connections: Connections) -> Callable[[WatchSpec], tuple[DavClient, str]]:
    """Clients from the command's Connections, one at a time (it prompts, it caches)."""
    lock = threading.Lock()

    def connect(spec: WatchSpec) -> tuple[DavClient, str]:
        with lock:
            try:
                return connections.resolve(spec.url)
            except UsageError as exc:
                raise errors.DavError(str(exc)) from exc

    return connect


class _Terminal:
    """Prints each synced file's Outcome, and on stderr what a person watching should know."""

    def __init__(self, printer: Printer, quiet: bool) -> None:
        self._printer = printer
        self._quiet = quiet
        self._lock = threading.Lock()
        self._said: dict[str, str] = {}

    def status_changed(self, status: PairStatus) -> None:
        if self._quiet:
            return
        with self._lock:
            said = self._said.get(status.name)
            worth = status.state in _SAID or (status.state is PairState.IDLE and said)
            if not worth or said == status.text:
                return
            self._said[status.name] = status.text if status.state in _SAID else ""
        detail = f" ({'; '.join(status.detail.splitlines())})" if status.detail else ""
        say(f"{display_name(status.name)}: {status.line(time.time())}{detail}")

    def run_started(self, run: RunStarted) -> Callable[[JobEvent], None]:
        def event(e: JobEvent) -> None:
            if isinstance(e, TaskResult):
                with self._lock:
                    for outcome in e.outcomes:
                        self._printer.outcome(outcome)
                    self._printer.out.flush()

        return event

    def conflicts_found(self, found: ConflictsFound) -> None:
        if not self._quiet:
            paths = ", ".join(map(display_name, found.paths))
            say(f"{display_name(found.pair)}: both versions kept: {paths}")

    def pair_stopped(self, stopped: PairStopped) -> None:
        say(f"{display_name(stopped.pair)}: {stopped.reason}")
