"""Davdesk's log: a rotating file in the platform's log folder, with every secret blanked out.

Both front ends log to ``davdesk.log`` in AppPaths' log folder (platformdirs'
user_log_dir, or DAVDESK_CONFIG_HOME/log), and WARNING and worse to stderr;
``--verbose`` adds Davdesk's debug lines and httpx's one line per request to
both. Records pass a queue to a writer thread, so the GUI thread never waits
for the disk.

A log is what users attach to bug reports, so nothing secret may reach it:
every line (message, arguments, traceback) is rewritten before it is queued.
Passwords the program was given are blanked wherever they appear, and by
shape: Authorization, Cookie and token values, the password in
``scheme://user:password@host`` and ``password=`` pairs.

The given passwords are module state on purpose, as logging's own handlers
are: logging is process-wide (the root logger's handlers get records from
every thread and every library), so what must be blanked is every password
this process was given, wherever it became known (a prompt, the keyring, a
sign-in dialog) and whichever thread logs it. An object handed in would be
one per process all the same, and a part handed none (or a fresh one) would
let its password through; a module list cannot be forgotten. It only grows,
each addition swaps in a new tuple under a lock, and readers iterate the
tuple they read (docs/architecture.md, Threads).
"""

from __future__ import annotations

import logging
import logging.handlers
import queue
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app import __version__

LOG_FILE = "davdesk.log"
MAX_BYTES = 1024 * 1024
BACKUPS = 3
MASK = "[redacted]"
FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"

_HEADER_KEYS = r"(?:proxy-)?authorization|set-cookie|cookie|x-auth-token|x-api-key"
_PAIR_KEYS = (
    r"password|passwd|pass|secret|token|access_token|refresh_token|api_key|apikey"
    r"|sessionid"
)
_PATTERNS = [
    # 'Authorization': 'Basic ...' and (b'Cookie', b'...'): dict and tuple reprs.
    (
        re.compile(
            rf"""(?i)(b?['"](?:{_HEADER_KEYS}|{_PAIR_KEYS})['"]\s*[:,]\s*b?)(['"])(.*?)\2"""
        ),
        rf"\1\2{MASK}\2",
    ),
    # Authorization: Basic ..., Cookie=...: the rest of the line (Digest values hold commas).
    (
        re.compile(rf"""(?im)\b((?:{_HEADER_KEYS})\s*[:=]\s*)(?!\[redacted\])([^'"\s].*)$"""),
        rf"\1{MASK}",
    ),
    # scheme://user:password@host
    (re.compile(r"(?i)([a-z][a-z0-9+.-]*://[^/\s:@]*:)([^@/\s]+)(@)"), rf"\1{MASK}\3"),
    # password=..., ?token=..., access_token: ... (not already masked)
    (
        re.compile(rf"(?i)(\b(?:{_PAIR_KEYS})\s*[=:]\s*)(?!\[redacted\])(?!['\"])([^\s&;,'\")]+)"),
        rf"\1{MASK}",
    ),
]
#: Longest first, so a password containing another is blanked whole. Replaced, never
#: changed in place: threads that are logging keep iterating their own tuple.
_secrets: tuple[str, ...] = ()
#: Held while a new tuple is made: two threads adding at once must not lose one of theirs.
_adding = threading.Lock()


def redact_value(secret: str | None) -> None:
    """From now on, blank this exact value (a password the user gave) in every log line."""
    global _secrets  # noqa: PLW0603 - process-wide on purpose: docs/architecture.md, Threads
    if not secret:
        return
    with _adding:
        if secret not in _secrets:
            _secrets = tuple(sorted({*_secrets, secret}, key=len, reverse=True))


def redact(text: str) -> str:
    """text with every secret it shows replaced by MASK."""
    for secret in _secrets:
        text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a record's message, traceback and stack in place, blanking secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


@contextmanager
def logging_to(folder: Path, verbose: bool = False) -> Iterator[Path]:
    """Log to folder/davdesk.log (rotated) and stderr for the duration; yields the file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    to_file = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    to_file.setLevel(logging.DEBUG if verbose else logging.INFO)
    to_stderr = logging.StreamHandler(sys.stderr)
    to_stderr.setLevel(logging.DEBUG if verbose else logging.WARNING)
    for handler in (to_file, to_stderr):
        handler.setFormatter(logging.Formatter(FORMAT))
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    enqueue = logging.handlers.QueueHandler(records)
    enqueue.addFilter(RedactingFilter())
    listener = logging.handlers.QueueListener(
        records, to_file, to_stderr, respect_handler_level=True
    )
    levels = {
        "app": logging.DEBUG if verbose else logging.INFO,
        "httpx": logging.INFO if verbose else logging.WARNING,
    }
    previous = {name: logging.getLogger(name).level for name in levels}
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    root = logging.getLogger()
    root.addHandler(enqueue)
    listener.start()
    logging.getLogger(__name__).info(
        "davdesk %s, Python %s on %s%s",
        __version__,
        sys.version.split()[0],
        sys.platform,
        " (packaged)" if getattr(sys, "frozen", False) else "",
    )
    try:
        yield path
    finally:
        root.removeHandler(enqueue)
        listener.stop()
        to_file.close()
        for name, level in previous.items():
            logging.getLogger(name).setLevel(level)
