"""`davdesk sync LOCAL URL --direction up|down|both`: plan, print, run as a job, record.

The plan is printed first, one line per action with its reason (with
--json one object each, as the dry run prints them; --dry-run stops
there). The run is an ordinary job, so its Outcomes print like those of
put or get, and every ok result updates the pair's state database as it
arrives, before it prints (those that arrive together in one transaction):
a sync interrupted by Ctrl-C (or killed) keeps the record of what it
printed as done. Conflicts of an uploading pair finish in a second job, once
the server's versions are safe beside the local ones (app/sync/job.py).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from app.cli.connect import Connections, UsageError
from app.cli.output import Printer
from app.collector import resume_after_start
from app.config.paths import AppPaths
from app.dav import DavClient, errors
from app.sync.direction import Direction
from app.sync.guard import MassDelete
from app.sync.ignore import IgnoreRules
from app.sync.lockfile import FileLock, LockHeld
from app.sync.model import LocalFile, RemoteFile
from app.sync.pairfiles import PairFiles
from app.sync.scan import NotAFolderError, Scan, scan_pair


def sync(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    if args.watch:
        if args.allow_mass_delete or args.restore_mass_delete:
            raise UsageError(
                "sync: --allow-mass-delete and --restore-mass-delete go with a one-off sync "
                "(of the same LOCAL URL as the pair); a watched pair asks in the Sync panel"
            )
        if args.dry_run:
            raise UsageError("sync: --dry-run shows one plan; it does not go with --watch")
        from app.cli.watch_command import watch  # the engine and watchdog: --watch's alone

        resume_after_start()
        watch(args, connections, printer)
        return
    if len(args.operands) != 2 or args.direction is None:
        raise UsageError(
            "sync: give LOCAL URL --direction up|down|both (or --watch to keep saved pairs in step)"
        )
    if args.interval is not None:
        raise UsageError("sync: --interval goes with --watch")
    mass_delete = _mass_delete(args)
    args.local, args.url = args.operands
    local = Path(args.local)
    if not local.is_dir():
        raise UsageError(f"sync: {local}: not a folder")
    # The folder's first listing is the scan's, sent while a Nextcloud's capabilities are on
    # their way; it also tells whether the folder is there (_scan).
    client, remote = connections.resolve(args.url, meanwhile=True)
    data = AppPaths.default().data
    lock = FileLock(PairFiles.of(data, local, client.url(remote)).lock)
    try:
        lock.acquire()
    except LockHeld as held:
        raise UsageError(
            f"sync: {local} and {args.url} are being synced by {held} (a window "
            "or `davdesk sync --watch`); two processes never sync one pair at "
            "once: let that one do it, or stop it first"
        ) from None
    except OSError as exc:
        raise UsageError(f"sync: {exc}") from exc
    try:
        _sync_locked(args, connections, client, remote, local, data, printer, mass_delete)
    finally:
        lock.release()


def _sync_locked(
    args: argparse.Namespace,
    connections: Connections,
    client: DavClient,
    remote: str,
    local: Path,
    data: Path,
    printer: Printer,
    mass_delete: MassDelete,
) -> None:
    try:
        rules = IgnoreRules.for_folder(local, args.ignore)
    except OSError as exc:
        raise UsageError(f"sync: {exc}") from exc
    scans = _scan(args, client, remote, local, rules)
    connections.ready(client)  # what planning and uploads need: the names refused, bulk upload
    import sqlite3  # loaded by _load_engine, as are the rest

    from app.cli.run import run_job
    from app.jobs.runner import JobOptions
    from app.sync import StateDB, state_file
    from app.sync.job import SyncRecorder, build_job, describe_plan, summary
    from app.sync.planner import plan_pair

    try:  # made once the server's folder is known to be there
        state = StateDB(state_file(data, local, client.url(remote)))
    except (OSError, sqlite3.Error) as exc:
        raise UsageError(f"sync: {exc}") from exc
    with state:
        try:
            plan = plan_pair(
                client,
                local,
                remote,
                Direction(args.direction),
                state,
                rules,
                workers=args.workers,
                scans=scans,
                mass_delete=mass_delete,
            )
        except (OSError, sqlite3.Error) as exc:  # an unreadable folder, a damaged database
            raise UsageError(f"sync: {exc}") from exc
        for outcome in plan.refused:
            printer.outcome(outcome)
        if plan.held:  # on stderr, also with --json: what to do next is for the person
            print(
                "davdesk: sync: the deletes above were held back; run the sync again with "
                "--allow-mass-delete to carry them out, or --restore-mass-delete to copy the "
                "files back",
                file=sys.stderr,
            )
        if not args.json:
            print(f"davdesk: sync plan: {summary(plan)}", file=sys.stderr)
        # What will run is shown, not reported: --report holds the Outcomes of the run.
        shown = printer if args.dry_run else Printer(printer.json_lines, printer.out)
        for outcome in describe_plan(plan):
            shown.outcome(outcome)
        if args.dry_run:
            return
        options = JobOptions(
            workers=args.workers, limit_rate=args.limit_rate, mtime_by_proppatch=args.keep_mtime
        )
        recorder: SyncRecorder | None = SyncRecorder(state, build_job(plan))
        while recorder is not None:
            recorder.begin()
            run_job(
                client,
                recorder.sync_job.job,
                options,
                printer,
                on_results=recorder.record_many,
                progress_to=sys.stderr if sys.stderr.isatty() and not args.json else None,
            )
            recorder = recorder.follow_up()


def _mass_delete(args: argparse.Namespace) -> MassDelete:
    """The user's word on deletes of every synced file of one side (app/sync/guard.py)."""
    if args.allow_mass_delete:
        return MassDelete.ALLOW
    if args.restore_mass_delete:
        return MassDelete.RESTORE
    return MassDelete.HOLD


def _scan(
    args: argparse.Namespace, client: DavClient, remote: str, local: Path, rules: IgnoreRules
) -> tuple[Scan[LocalFile], Scan[RemoteFile]]:
    """Both sides of the pair; a server folder that is not there (or is a file) said as such."""
    try:
        return scan_pair(client, local, remote, rules, workers=args.workers, meanwhile=_load_engine)
    except OSError as exc:  # an unreadable folder
        raise UsageError(f"sync: {exc}") from exc
    except (errors.NotFoundError, NotAFolderError):
        found = client.lookup(remote)  # the folder itself, or one below it gone meanwhile?
        if found is not None and found.is_dir:
            raise
        raise UsageError(
            f"sync: {args.url}: no such folder on the server (create it with davdesk mkdir)"
        ) from None


def _load_engine() -> None:
    """Planning's and the run's modules (the planner, the state database, the job engine),
    loaded while the server answers the scan's first listing: nothing before that request
    needs them, and the time it takes to answer is otherwise spent waiting."""
    for module in _ENGINE:
        importlib.import_module(module)
    resume_after_start()


_ENGINE = (
    "sqlite3",
    "app.sync.planner",
    "app.sync.state",
    "app.sync.job",
    "app.jobs.runner",
    "app.cli.run",
)
