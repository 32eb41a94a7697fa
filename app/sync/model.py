"""What a sync sees on each side and what it plans to do, as immutable values.

Paths inside a pair are relative ("docs/a b.txt", "/"-separated) and matched
by their NFC form ("key"): a server or a file system may store the other
normal form of the same name.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from app.dav import Outcome
from app.sync.direction import Direction


class Action(enum.StrEnum):
    UPLOAD = "upload"
    DOWNLOAD = "download"
    DELETE_LOCAL = "delete local"
    DELETE_REMOTE = "delete remote"
    CREATE_FOLDER = "create folder"  # on the side named by PlanItem.remote_side
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class LocalFile:
    rel: str
    path: Path
    is_dir: bool
    size: int
    mtime_ns: int
    mtime: float  # st_mtime as the OS gives it, compared exactly before a local delete


@dataclass(frozen=True, slots=True)
class RemoteFile:
    rel: str
    path: str  # the decoded server path, as the server spells it
    is_dir: bool
    size: int
    etag: str | None  # as the server sent it, for If-Match
    mtime: float | None  # the file's own time where the server kept it, else getlastmodified
    modified: float | None  # getlastmodified: with the size, the guard when there is no ETag


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One action on one path, with the reason a user reads in the preview."""

    rel: str
    action: Action
    reason: str
    is_dir: bool = False
    size: int = 0  # bytes the action transfers
    local: LocalFile | None = None
    remote: RemoteFile | None = None
    remote_side: bool = True  # CREATE_FOLDER: on the server (True) or locally
    conflict_rel: str | None = None  # CONFLICT: where the server's version is saved beside
    #: UPLOAD: a run was sending this very local version and never heard back (see Task.resumes).
    resumes: bool = False


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """Everything a run would do, and what planning already knows without running anything.

    in_sync: paths found equal on both sides whose state record is missing
    or stale; recording them needs no transfer. gone: records of paths that
    are on neither side any more. unpaired: records of folders deleted on
    one side and kept on the other for the ignored files they hold, dropped
    so that the folder is left alone from now on. stale: transfers noted as
    pending by an interrupted run that this plan no longer needs to know
    about. refused: Outcomes for what cannot be synced (names the server
    would reject, a file on one side and a folder on the other, a folder
    kept for what it holds, the deletes held back: held). listed: the server
    folders the scan listed, with the time.monotonic() each listing was asked
    for (Scan.listed, handed on as Job.listed).
    """

    local_root: Path
    remote_root: str
    direction: Direction
    items: tuple[PlanItem, ...]
    in_sync: tuple[tuple[LocalFile, RemoteFile], ...] = ()
    gone: tuple[str, ...] = ()
    refused: tuple[Outcome, ...] = ()
    unpaired: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()
    listed: Mapping[str, float] = field(default_factory=dict, compare=False)
    #: Deletes held back by the mass-delete guard (guard.py): every synced file of one side;
    #: the one refusal in `refused` says why, and none of them is in `items`.
    held: tuple[PlanItem, ...] = ()

    def summary(self) -> dict[Action, tuple[int, int]]:
        """Per action: how many items and how many bytes they transfer."""
        totals: dict[Action, tuple[int, int]] = {}
        for item in self.items:
            count, size = totals.get(item.action, (0, 0))
            totals[item.action] = (count + 1, size + item.size)
        return totals
