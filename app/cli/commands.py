"""The CLI commands. Each turns its operands into requests and every result into output.

A failure on one operand is reported as that operand's Outcome and the
command goes on with the next; only connection and authentication trouble
stops a command (it would fail the same way for every operand).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from pathlib import Path

from app.cli.connect import Connections, UsageError
from app.cli.output import Printer
from app.cli.transfers import download, ensure_folder, upload
from app.dav import DavClient, Outcome, errors
from app.dav.outcome import from_error
from app.dav.paths import basename, join, parent, same_resource

_FATAL = (errors.TransportError, errors.AuthenticationError, errors.UnsafeRedirectError)


def _report(printer: Printer, op: str, path: str, run: Callable[[], Iterable[Outcome]]) -> None:
    """Print the Outcomes of one operand; a failure becomes its Outcome, not an abort."""
    try:
        for outcome in run():
            printer.outcome(outcome)
    except _FATAL:
        raise
    except errors.DavError as exc:
        printer.outcome(from_error(op, path, exc))


def ls(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    for target in args.targets:
        client, path = connections.resolve(target)
        listing = [r for r in client.propfind(path, 1)
                   if not (r.is_dir and same_resource(r.path, path))]
        if not printer.json_lines:
            listing.sort(key=lambda r: (not r.is_dir, r.name.casefold()))
        for resource in listing:
            printer.entry(resource)


def stat(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    for target in args.targets:
        client, path = connections.resolve(target)
        printer.entry(client.stat(path))


def props(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    for target in args.targets:
        client, path = connections.resolve(target)
        printer.properties(path, all_properties(client, path))


def all_properties(client: DavClient, path: str) -> dict[str, str]:
    """Every property, live and dead: allprop, plus any that propname lists but allprop omits."""
    values = client.stat(path, "allprop").props
    names = client.stat(path, "propname").props
    missing = [name for name in names if name not in values]
    if missing:
        values.update(client.stat(path, missing).props)
    return values


def mkdir(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    for target in args.targets:
        client, path = connections.resolve(target)
        if args.parents:
            for ancestor in _ancestors(path, client.root):
                _report(printer, "mkcol", ancestor, lambda a=ancestor: [ensure_folder(client, a)])
        else:
            _report(printer, "mkcol", path, lambda: [client.mkcol(path)])


def _ancestors(path: str, root: str) -> list[str]:
    """The folders from below root down to path, each with its trailing slash."""
    chain = []
    current = path.rstrip("/") + "/"
    while current.rstrip("/") and current.rstrip("/") != root.rstrip("/"):
        chain.append(current)
        current = parent(current)
    return chain[::-1]


def rm(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    for target in args.targets:
        client, path = connections.resolve(target)

        def run(client: DavClient = client, path: str = path) -> list[Outcome]:
            # Knowing it is a folder lets delete() confirm the server really removed it.
            if not path.endswith("/") and client.stat(path).is_dir:
                path += "/"
            return client.delete(path)

        _report(printer, "delete", path, run)


def _copy_or_move(op: str, args: argparse.Namespace, connections: Connections,
                  printer: Printer) -> None:
    dest_client, destination = connections.resolve(args.destination)
    into_folder = len(args.sources) > 1 or args.destination.endswith("/")
    for source in args.sources:
        client, path = connections.resolve(source)
        if client is not dest_client:
            raise UsageError(f"{op}: source and destination must be on the same server")
        target = join(destination, basename(path)) if into_folder else destination
        method = client.copy if op == "copy" else client.move
        _report(printer, op, path,
                lambda method=method, path=path, target=target:
                    method(path, target, overwrite=not args.no_overwrite))


def cp(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    _copy_or_move("copy", args, connections, printer)


def mv(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    _copy_or_move("move", args, connections, printer)


def put(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    client, destination = connections.resolve(args.destination)
    sources = [Path(s) for s in args.sources]
    for source in sources:
        if not source.exists():
            raise UsageError(f"put: {source}: no such file or folder")
    into_folder = len(sources) > 1 or args.destination.endswith("/") or sources[0].is_dir()
    for source in sources:
        target = join(destination, source.resolve().name) if into_folder else destination
        _report(printer, "put", target, lambda s=source, t=target: upload(client, s, t))


def get(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    local = Path(args.destination)
    if len(args.sources) > 1 and not local.is_dir():
        raise UsageError(f"get: {local} must be an existing folder when fetching several URLs")
    for source in args.sources:
        client, path = connections.resolve(source)
        _report(printer, "get", path, lambda c=client, p=path: download(c, p, local))


COMMANDS: dict[str, Callable[[argparse.Namespace, Connections, Printer], None]] = {
    "ls": ls, "stat": stat, "props": props, "mkdir": mkdir, "rm": rm,
    "cp": cp, "mv": mv, "put": put, "get": get,
}
