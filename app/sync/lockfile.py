"""An OS file lock that one process holds while it syncs a pair (or writes the pair store).

The operating system drops the lock when its holder dies, so a killed
process never leaves a pair locked for good; a stale file on the disk means
nothing by itself. flock on POSIX, msvcrt.locking on Windows. The holder's
process id is written into the file, so the one refused can say who holds it.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import IO


class LockHeld(Exception):
    """Another process holds the lock."""


class FileLock:
    """Not re-entrant; one FileLock object per holder. acquire/release from any one thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None
        self._guard = threading.Lock()

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self, timeout: float = 0.0) -> None:
        """Take the lock, waiting up to timeout seconds; LockHeld if another holds it still."""
        deadline = time.monotonic() + timeout
        with self._guard:
            if self._file is not None:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+b")  # noqa: SIM115 - kept open while held
            while True:
                try:
                    _lock(handle)
                    break
                except OSError:
                    if time.monotonic() >= deadline:
                        holder = _holder(self.path)
                        handle.close()
                        raise LockHeld(holder) from None
                    time.sleep(0.05)
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()).encode())
            handle.flush()
            self._file = handle

    def release(self) -> None:
        with self._guard:
            handle, self._file = self._file, None
            if handle is not None:
                _unlock(handle)
                handle.close()

    def __enter__(self) -> FileLock:
        """Take it at once or raise LockHeld."""
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        pid = ""
    return f"process {pid}" if pid.isdigit() else "another process"


if sys.platform == "win32":
    import msvcrt

    def _lock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
