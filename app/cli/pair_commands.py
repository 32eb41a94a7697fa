"""`davdesk pair add|list|remove|pause|resume`: the saved pairs that background sync keeps in step.

The same file as the window's Sync panel (app.config.pairs), so a pair added
here is synced by a running window and by `davdesk sync --watch`, and the
other way round. Adding checks both ends first: a typo in a path or a URL is
said now, not discovered by a background run at night.
"""

from __future__ import annotations

import argparse
import json
import shlex
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from app.cli.connect import Connections, UsageError
from app.cli.output import Printer, display_name, one_line
from app.config.pairs import PairError, PairStore, SavedPair
from app.config.paths import AppPaths
from app.dav import errors
from app.sync.background.status import PairStatus, printable


def pair_command(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    store = PairStore.in_config(AppPaths.default())
    try:
        if args.pair_command == "add":
            _add(args, store, connections, printer)
        elif args.pair_command == "list":
            _list(store, printer)
        elif args.pair_command == "remove":
            removed = store.remove(args.name)
            _said(
                printer,
                f"Forgot pair {removed.name!r}; the files in {removed.local} and on "
                f"the server are untouched.",
                {"removed": removed.name},
            )
        else:
            paused = args.pair_command == "pause"
            pair = store.set_paused(args.name, paused)
            _said(
                printer,
                f"Pair {pair.name!r} {'paused' if paused else 'resumed'}.",
                {"name": pair.name, "paused": paused},
            )
    except KeyError as exc:
        known = ", ".join(repr(p.name) for p in store.load()) or "none saved yet"
        raise UsageError(f"pair: no pair called {exc.args[0]!r} (pairs: {known})") from None
    except (PairError, OSError) as exc:
        raise UsageError(f"pair: {exc}") from exc


def _add(
    args: argparse.Namespace, store: PairStore, connections: Connections, printer: Printer
) -> None:
    local = Path(args.local).expanduser()
    if not local.is_dir():
        raise UsageError(f"pair add: {args.local}: no such local folder")
    pair = SavedPair(
        args.name or store.unique_name(str(local.absolute())),
        str(local.absolute()),
        _with_user(args.url, args.user),
        args.direction,
        ignore=tuple(args.ignore),
    )
    why = store.overlap(pair)  # before asking the server: cheap, and needs no password
    if why:
        raise UsageError(f"pair add: {why}")
    client, remote = connections.resolve(args.url)
    try:
        found = client.lookup(remote)
    except errors.DavError as exc:
        raise UsageError(f"pair add: cannot check {args.url}: {exc}") from exc
    if found is None or not found.is_dir:
        raise UsageError(
            f"pair add: {args.url}: no such folder on the server (create it with davdesk mkdir)"
        )
    added = store.add(pair)
    _said(
        printer,
        f"Saved pair {added.name!r}: {added.local} <-> {added.url} "
        f"({_DIRECTIONS[added.direction]}). `davdesk sync --watch` or the window "
        "keeps it in step.",
        _json(added, store.status(added)),
    )


def _with_user(url: str, user: str | None) -> str:
    """The URL with --user in it, so that later runs (`sync --watch`) know whose account."""
    parts = urlsplit(url)
    if not user or parts.username or not parts.hostname:
        return url
    return urlunsplit(parts._replace(netloc=f"{quote(user, safe='')}@{parts.netloc}"))


_DIRECTIONS = {
    "up": "uploads local changes",
    "down": "downloads the server's changes",
    "both": "two-way",
}


def _list(store: PairStore, printer: Printer) -> None:
    pairs = store.load()
    if not pairs and not printer.json_lines:
        printer.out.write(
            "No saved pairs. Add one with: davdesk pair add LOCAL URL --direction both\n"
        )
    for pair in pairs:
        status = store.status(pair)
        if printer.json_lines:
            printer.out.write(json.dumps(_json(pair, status), ensure_ascii=False) + "\n")
            continue
        conflicts = f", {status.conflicts} conflicts pending" if status.conflicts else ""
        printer.out.write(
            f"{display_name(pair.name)}: {display_name(pair.local)} <-> {display_name(pair.url)}"
            f" ({pair.direction})\n"
            f"  {one_line(status.line(time.time()))}{conflicts}; "
            f"last sync: {_when(status.last_sync)}"
            f"{f' ({one_line(status.last_result)})' if status.last_result else ''}\n"
            + "".join(
                f"  detail: {one_line(line)}\n" for line in (status.detail or "").splitlines()
            )
            + (f"  {one_line(status.note)}\n" if status.note else "")
            + "".join(_refusal_line(pair, path, why) for path, why in status.refused)
        )


def _refusal_line(pair: SavedPair, path: str, why: str) -> str:
    """A file the pair does not sync, with why; the pair's folder itself ("") is the deletes
    the mass-delete guard holds back (app/sync/guard.py), with how to decide."""
    if path:
        return f"  not synced: {printable(path)}: {one_line(why)}\n"
    command = shlex.join(["davdesk", "sync", pair.local, pair.url, "--direction", pair.direction])
    return (
        f"  {one_line(why)}\n"
        f"  decide with: {one_line(command)} --allow-mass-delete (or --restore-mass-delete);"
        " or Delete Here Too / Restore Files in the window's Sync panel\n"
    )


def _json(pair: SavedPair, status: PairStatus) -> dict[str, object]:
    return {
        "name": pair.name,
        "local": pair.local,
        "url": pair.url,
        "direction": pair.direction,
        "paused": pair.paused,
        "ignore": list(pair.ignore),
        "bookmark": pair.bookmark,
        "state": status.state.value,
        "status": status.line(time.time()),
        "detail": status.detail,
        "retry_at": _iso(status.retry_at),
        "last_sync": _iso(status.last_sync),
        "last_result": status.last_result,
        "conflicts": status.conflicts,
        "note": status.note,
        "not_synced": [{"path": path, "why": why} for path, why in status.refused],
        "held": status.held,
    }


def _said(printer: Printer, text: str, value: dict[str, object]) -> None:
    if printer.json_lines:
        printer.out.write(json.dumps(value, ensure_ascii=False) + "\n")
    else:
        printer.out.write(one_line(text) + "\n")


def _when(epoch: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch)) if epoch else "never"


def _iso(epoch: float | None) -> str | None:
    if not epoch:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(epoch))
