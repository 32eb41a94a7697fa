"""How a listing's or a one-off sync's process ends: at once, once its output and log are written.

The interpreter's own teardown frees every module and object one by one and
closes OpenSSL, libxml2 and the rest: 40 to 90 ms of CPU after `davdesk ls`
printed its last line, a sixth of the whole command. A listing command (ls,
stat, props) leaves nothing behind that needs it: its connections are closed
when the command ends, and it starts no thread and writes no file but the
log. Nor does a one-off `davdesk sync` (not --watch): its job's threads have
ended before the command returns (app/cli/run.py waits for them), and so has
its use of the pair's state database, committed one result at a time and
closed when the command leaves it (app/cli/sync_command.py), as has its lock
on the pair. So the process flushes stdout, stderr and the log, and ends with
os._exit. At any doubt (another thread still running, output that cannot be
flushed, `sync --watch`) it ends the usual way, with the usual messages and
exit status. Only the process's entry (app.__main__.run) calls this: a test
that calls main() in-process is never ended by it.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

#: The commands that end with nothing left to do: app/cli/commands.py's listings, and sync
#: unless it watches (_watches).
ENDS_CLEAN = frozenset({"ls", "stat", "props", "sync"})


def exit_now_if_done(argv: list[str], status: int) -> None:
    """End the process with status now if argv ran a command that leaves nothing to do
    (ENDS_CLEAN) and no other thread runs; return otherwise (the caller exits as usual)."""
    if (
        not argv
        or argv[0] not in ENDS_CLEAN
        or (argv[0] == "sync" and _watches(argv))
        or threading.active_count() > 1
    ):
        return
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None in a windowed program (davdeskw.exe): nothing to flush
                stream.flush()
    except (OSError, ValueError):  # a closed pipe, a closed file: said the usual way
        return
    logging.shutdown()
    os._exit(status)


def _watches(argv: list[str]) -> bool:
    """Whether a sync command line may have asked for --watch, as argparse reads it (it takes
    any unambiguous start of an option: --wa, --wat...). A doubt counts as yes."""
    return any(arg.startswith("--wa") for arg in argv)
