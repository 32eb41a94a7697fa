"""rm, cp, mv, mkdir, put and get: each plans a Job (app.jobs.planner) and runs it.

They run on the job engine, so the CLI and the GUI share one behaviour: the
same Outcomes, retries, lost-update guards and dry runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.connect import Connections, UsageError
from app.cli.output import Printer
from app.cli.run import run_job
from app.dav import DavClient, Resource, errors
from app.dav.lookups import stat_many
from app.dav.outcome import from_error
from app.jobs.conflict import Conflict
from app.jobs.model import Job, Op
from app.jobs.planner import (
    plan_copy,
    plan_delete,
    plan_download,
    plan_download_as,
    plan_mkdir,
    plan_move,
    plan_transfer_as,
    plan_upload,
    plan_upload_as,
)
from app.jobs.runner import JobOptions


def _run(args: argparse.Namespace, client: DavClient, job: Job, printer: Printer) -> None:
    options = JobOptions(
        workers=args.workers,
        limit_rate=args.limit_rate,
        mtime_by_proppatch=getattr(args, "keep_mtime", False),
    )
    run_job(
        client,
        job,
        options,
        printer,
        dry_run=args.dry_run,
        progress_to=sys.stderr if sys.stderr.isatty() and not args.json else None,
    )


def _one_server(connections: Connections, urls: list[str]) -> tuple[DavClient, list[str]]:
    """A job runs against one server: every URL of one command must be on it."""
    resolved = [connections.resolve(url) for url in urls]
    client = resolved[0][0]
    if any(other is not client for other, _ in resolved):
        raise UsageError("all URLs of one command must be on the same server")
    return client, [path for _, path in resolved]


def _resources(client: DavClient, paths: list[str], op: Op, printer: Printer) -> list[Resource]:
    """The resources a job starts from, found with one listing per parent folder (not one
    request per URL); one that cannot be looked at is reported as its Outcome."""
    found = []
    for path, resource in zip(paths, stat_many(client, paths), strict=True):
        if isinstance(resource, errors.DavError):
            printer.outcome(from_error(op.value, path, resource))
        else:
            found.append(resource)
    return found


def mkdir(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    client, paths = _one_server(connections, args.targets)
    _run(args, client, plan_mkdir(paths, parents=args.parents, client=client), printer)


def rm(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    client, paths = _one_server(connections, args.targets)
    _run(args, client, plan_delete(client, _resources(client, paths, Op.DELETE, printer)), printer)


def _copy_or_move(
    op: Op, args: argparse.Namespace, connections: Connections, printer: Printer
) -> None:
    client, paths = _one_server(connections, [*args.sources, args.destination])
    *sources, destination = paths
    conflict = _conflict(args)
    resources = _resources(client, sources, op, printer)
    if not resources:
        return
    if _into_folder(client, args.destination, destination, len(sources)):
        planner = plan_copy if op is Op.COPY else plan_move
        job = planner(client, resources, destination, conflict)
    else:
        job = plan_transfer_as(op, client, resources[0], destination, conflict)
    _run(args, client, job, printer)


def _into_folder(client: DavClient, url: str, path: str, count: int) -> bool:
    """cp/mv/put semantics: several sources, a trailing slash or an existing folder mean 'into'."""
    if count > 1 or url.endswith("/"):
        return True
    target = client.lookup(path)
    return target is not None and target.is_dir


def cp(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    _copy_or_move(Op.COPY, args, connections, printer)


def mv(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    _copy_or_move(Op.MOVE, args, connections, printer)


def put(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    client, destination = connections.resolve(args.destination)
    sources = [Path(s) for s in args.sources]
    for source in sources:
        if not source.exists():
            raise UsageError(f"put: {source}: no such file or folder")
    conflict = _conflict(args)
    if sources[0].is_dir() or _into_folder(client, args.destination, destination, len(sources)):
        job = plan_upload(client, sources, destination, conflict)
    else:
        job = plan_upload_as(client, sources[0], destination, conflict)
    _run(args, client, job, printer)


def get(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    client, paths = _one_server(connections, args.sources)
    local = Path(args.destination)
    resources = _resources(client, paths, Op.DOWNLOAD, printer)
    if not resources:
        return
    conflict = _conflict(args)
    if local.is_dir():
        job = plan_download(client, resources, local, conflict)
    elif len(resources) == 1 and not resources[0].is_dir:
        job = plan_download_as(resources[0], local, conflict)
    else:
        raise UsageError(
            f"get: {local} must be an existing folder to download folders or several files into"
        )
    _run(args, client, job, printer)


def _conflict(args: argparse.Namespace) -> Conflict:
    return Conflict.ASK if args.no_overwrite else Conflict(args.conflict)
