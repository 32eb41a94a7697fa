"""The CLI's commands: which module runs each, and the listing commands themselves.

Each command's module is imported only when that command runs: `davdesk ls`
then loads the WebDAV client and nothing of the job engine, the sync engine,
the keyring or Nextcloud's sign-in (tests/integration/test_cli_imports.py
checks), which keeps a listing's process start short.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable

from app.cli.connect import Connections
from app.cli.output import Printer, response_line
from app.dav import Resource, errors
from app.dav.lookups import stat_many
from app.dav.multistatus import Response
from app.dav.paths import same_resource
from app.dav.xmlbodies import BASIC_PROPS

Command = Callable[[argparse.Namespace, Connections, Printer], None]

#: What an ls line shows without --json (kind, size, time, name): the ETag and the content
#: type are --json's, and a server spends time on each property of every entry.
LINE_PROPS = ("{DAV:}resourcetype", "{DAV:}getcontentlength", "{DAV:}getlastmodified")

#: Command -> the module and function that run it.
_COMMANDS: dict[str, tuple[str, str]] = {
    "ls": (__name__, "ls"),
    "stat": (__name__, "stat"),
    "props": (__name__, "props"),
    **{name: ("app.cli.job_commands", name) for name in ("mkdir", "rm", "cp", "mv", "put", "get")},
    "sync": ("app.cli.sync_command", "sync"),
    "login": ("app.cli.nextcloud_commands", "login"),
    "logout": ("app.cli.nextcloud_commands", "logout"),
    "trash": ("app.cli.nextcloud_commands", "trash_command"),
    "pair": ("app.cli.pair_commands", "pair_command"),
    "edit": ("app.cli.edit_command", "edit"),
    "find": ("app.cli.find_command", "find_command"),
    "share": ("app.cli.share_command", "share_command"),
    "versions": ("app.cli.versions_command", "versions_command"),
}


def command(name: str) -> Command:
    """The function that runs a command, its module imported now."""
    module, function = _COMMANDS[name]
    found: Command = getattr(importlib.import_module(module), function)
    return found


def ls(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    for target in args.targets:
        client, path = connections.resolve(target)
        if printer.json_lines:  # in the server's order, each line made as its entry arrives
            printer.encoded_lines(client.propfind_each(path, 1, BASIC_PROPS, _member_line(path)))
            continue
        listing = [
            r
            for r in client.propfind(path, 1, LINE_PROPS)
            if not (r.is_dir and same_resource(r.path, path))
        ]
        listing.sort(key=lambda r: (not r.is_dir, r.name.casefold()))
        printer.entries(listing)


def _member_line(folder: str) -> Callable[[Response], bytes]:
    """ls --json's line of each member of the folder; none of the folder itself."""

    def line(response: Response) -> bytes:
        if response.is_collection and same_resource(response.href, folder):
            return b""
        return response_line(response)

    return line


def stat(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    """Each target described, in order; targets that share a folder with one listing of it.

    The first one that cannot be described ends the command, as a lone stat would.
    """
    resolved = [connections.resolve(target) for target in args.targets]
    by_client: dict[int, list[int]] = {}
    for index, (client, _) in enumerate(resolved):
        by_client.setdefault(id(client), []).append(index)
    described: dict[int, Resource | errors.DavError] = {}
    for indexes in by_client.values():
        client = resolved[indexes[0]][0]
        answers = stat_many(client, [resolved[i][1] for i in indexes], BASIC_PROPS)
        described.update(zip(indexes, answers, strict=True))
    for index in range(len(resolved)):
        answer = described[index]
        if isinstance(answer, errors.DavError):
            raise answer
        printer.entry(answer)


def props(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    for target in args.targets:
        client, path = connections.resolve(target)
        printer.properties(path, client.all_properties(path))
