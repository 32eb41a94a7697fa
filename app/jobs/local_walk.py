"""Reading a local selection for an upload.

Links are followed, as a file manager's copy does, but a link back to a
folder being walked is not (it would never end). Only folders and regular
files are taken: a FIFO or a device has no content to send (reading a FIFO
would block the worker forever), and a broken link has none either.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class LocalEntry:
    path: Path
    is_dir: bool
    size: int
    mtime: float
    identity: tuple[int, int]  # (st_dev, st_ino): the same folder reached by two routes

    @property
    def name(self) -> str:
        return self.path.name


def local_entry(path: Path) -> LocalEntry | None:
    """The folder or regular file at path (links followed), None for anything else."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    if not (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode)):
        return None
    return LocalEntry(
        path, stat.S_ISDIR(info.st_mode), info.st_size, info.st_mtime, (info.st_dev, info.st_ino)
    )


def members(folder: Path) -> list[LocalEntry]:
    """The folders and regular files in a folder, by name."""
    with os.scandir(folder) as scan:
        names = sorted(item.name for item in scan)
    found = (local_entry(folder / name) for name in names)
    return [entry for entry in found if entry is not None]
