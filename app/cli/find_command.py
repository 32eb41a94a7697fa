"""`davdesk find URL PATTERN`: files and folders below a folder whose names match.

One SEARCH request on a server that offers it (Nextcloud), else a parallel walk
of Depth 1 listings (app.dav.search). Results print as they are found; Ctrl-C
stops the search and keeps what was printed.
"""

from __future__ import annotations

import argparse
import queue
import threading
from collections.abc import Sequence

from app.cli.connect import Connections
from app.cli.output import Printer, display_name, say
from app.dav import Resource
from app.dav.search import NamePattern, SearchSummary, find


def find_command(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    client, path = connections.resolve(args.url)
    folder = path.rstrip("/") + "/"
    batches: queue.Queue[Sequence[Resource] | SearchSummary | BaseException] = queue.Queue()
    stop = threading.Event()

    def run() -> None:
        try:
            batches.put(
                find(
                    client,
                    folder,
                    NamePattern(args.pattern),
                    batches.put,
                    stop,
                    workers=args.workers,
                )
            )
        except BaseException as exc:  # handed to the main thread, which raises it
            batches.put(exc)

    threading.Thread(target=run, name="find", daemon=True).start()
    while True:
        try:
            item = batches.get()
        except KeyboardInterrupt:
            stop.set()
            continue
        if isinstance(item, BaseException):
            raise item
        if isinstance(item, SearchSummary):
            _summarise(item, args.pattern, folder)
            return
        for resource in item:
            printer.found(resource, folder)


def _summarise(summary: SearchSummary, pattern: str, folder: str) -> None:
    if summary.unreadable:
        say(
            f"could not list {len(summary.unreadable)} folder(s), e.g. "
            f"{display_name(summary.unreadable[0])}"
        )
    if summary.stopped:
        say(f"search stopped: {summary.stopped}")
    elif summary.found == 0:
        say(f"no names match {pattern!r} below {display_name(folder)}")
