"""How a listing's process ends: at once, once its output and its log are written.

The interpreter's own teardown frees every module and object one by one and
closes OpenSSL, libxml2 and the rest: 40 to 90 ms of CPU after `davdesk ls`
printed its last line, a sixth of the whole command. A listing command (ls,
stat, props) leaves nothing behind that needs it: its connections are closed
when the command ends, and it starts no thread and writes no file but the
log. So its process flushes stdout, stderr and the log, and ends with
os._exit. At any doubt (another thread still running, output that cannot be
flushed) it ends the usual way, with the usual messages and exit status.
Only the process's entry (app.__main__.run) calls this: a test that calls
main() in-process is never ended by it.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

#: The commands that end with nothing left to do (app/cli/commands.py's own).
READ_ONLY = frozenset({"ls", "stat", "props"})


def exit_now_if_done(argv: list[str], status: int) -> None:
    """End the process with status now if argv ran a read-only command and nothing is left;
    return otherwise (the caller exits as usual)."""
    if not argv or argv[0] not in READ_ONLY or threading.active_count() > 1:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe, a closed file: said the usual way
        return
    logging.shutdown()
    os._exit(status)
