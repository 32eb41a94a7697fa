"""What a running task may use besides the client: progress reporting and job options.

The progress callback is also where a transfer meets its job's controls: it
raises Cancelled when the job is cancelled, blocks while the job is paused,
and sleeps to keep the job's bandwidth limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.dav.chunked import Waiter, uninterrupted
from app.dav.transfer import ProgressCallback


class Cancelled(Exception):
    """Raised inside a task when its job is cancelled; the task's Outcome becomes 'cancelled'."""


@dataclass(frozen=True, slots=True)
class TaskContext:
    progress: ProgressCallback
    keep_mtime: bool = True
    #: Where X-OC-Mtime is not taken, keep an upload's mtime with a PROPPATCH (JobOptions').
    mtime_by_proppatch: bool = False
    #: Sleeps up to the seconds given, True if the job was cancelled meanwhile (a wait for
    #: the server, such as Nextcloud assembling chunks, ends with the job).
    wait: Waiter = uninterrupted
