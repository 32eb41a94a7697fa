"""A pair's state in words, as the window shows it and `davdesk pair list` reads it.

The engine keeps each pair's PairStatus in memory and hands every change to
its listener; the lasting part (last sync, last result, conflicts, the state
line) is also written to the pair's status file, so another process (the
CLI while the window syncs) can show it. Counts of a run in progress are not
written: they change every file and are stale as soon as they are read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class PairState(enum.StrEnum):
    IDLE = "idle"  # up to date, watching
    SCANNING = "scanning"  # looking for changes
    SYNCING = "syncing"
    PAUSED = "paused"
    WAITING = "waiting"  # the server or the disk is not usable now: retried with back-off
    CONFLICTS = "conflicts"  # up to date, but conflict copies wait for the user
    #: Up to date but for files the sync will not touch (a name the server refuses, a file
    #: on one side and a folder on the other): the user has to do something about them.
    ATTENTION = "attention"
    ERROR = "error"  # stopped: something only the user can fix (folder gone)
    STOPPED = "stopped"  # not watched by any process


@dataclass(frozen=True, slots=True)
class PairStatus:
    name: str
    state: PairState
    text: str  # "up to date", "syncing 3 of 12", "server unreachable", "signed out: sign in again"
    done: int = 0
    total: int = 0
    last_sync: float | None = None  # epoch seconds of the last run that completed
    last_result: str | None = None  # "up to date", "2 uploaded, 1 downloaded", "1 failed"
    #: Conflict copies this pair made that are still there (the user has not resolved them).
    conflict_paths: tuple[str, ...] = ()
    note: str | None = None  # a lasting remark: "watching by periodic full scans: ..."
    #: Files the planner will not sync, each (relative path, why in words); they stay so
    #: until the user renames, moves or deletes them.
    refused: tuple[tuple[str, str], ...] = ()
    #: The side whose every synced file the mass-delete guard will not delete without the
    #: user's word ("local": they went from the server; "server": they went from here); its
    #: refusal, of the pair's folder itself (path ""), is in refused.
    held: str | None = None
    #: What lies behind the words of a failure (the request, the errno, the attempts): for
    #: the tooltip and `pair list`, never the state line.
    detail: str | None = None
    retry_at: float | None = None  # when a failed look is tried again (epoch seconds)
    updated: float = 0.0  # when this status was written (epoch seconds)
    pid: int | None = None  # the process that wrote it

    @property
    def conflicts(self) -> int:
        return len(self.conflict_paths)

    def line(self, now: float) -> str:
        """The state as a person reads it at now: a wait with the time left until the next
        try ("server unreachable: trying again in 30 s"), anything else its text."""
        if self.state is not PairState.WAITING or self.retry_at is None:
            return self.text
        return f"{self.text}: trying again {_in(self.retry_at - now)}"

    def to_json(self) -> dict[str, Any]:
        return {
            **dataclasses.asdict(self),
            "state": self.state.value,
            "conflict_paths": list(self.conflict_paths),
            "conflicts": self.conflicts,
            "refused": [{"path": path, "why": why} for path, why in self.refused],
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> PairStatus:
        fields = {f.name for f in dataclasses.fields(cls)}
        kept = {k: v for k, v in value.items() if k in fields}
        kept["state"] = PairState(kept.get("state", PairState.STOPPED.value))
        kept["conflict_paths"] = tuple(str(p) for p in kept.get("conflict_paths") or ())
        kept["refused"] = tuple(
            (str(r["path"]), str(r["why"]))
            for r in kept.get("refused") or ()
            if isinstance(r, dict)
        )
        kept["held"] = kept.get("held") if kept.get("held") in ("local", "server") else None
        return cls(**kept)


def refused_words(refused: tuple[tuple[str, str], ...]) -> str:
    """The refusals in the pair's state line, short enough for a table cell and the tray's
    menu (each reason is in the tooltip, the results pane and `pair list`): "not synced:
    Scans", "3 not synced: Scans, a?b.txt and 1 more"; the deletes held back (the pair's
    folder itself, path "") first: "held back: all 12 synced files were deleted on the
    server (or it shows an empty folder)"."""
    held = [why.partition(";")[0] for path, why in refused if not path]
    if held:  # the pair's folder itself: the deletes held back, said first, in their words
        return "; ".join(filter(None, [held[0], refused_words(tuple(r for r in refused if r[0]))]))
    names = [printable(path) for path, _ in refused]
    if len(names) <= 1:
        return f"not synced: {names[0]}" if names else ""
    rest = f"{len(names) - 2} more" if len(names) > 3 else names[2] if len(names) == 3 else ""
    listed = f"{names[0]}, {names[1]} and {rest}" if rest else f"{names[0]} and {names[1]}"
    return f"{len(names)} not synced: {listed}"


def _in(seconds: float) -> str:
    """A wait in words, rounded up as a countdown is: "in 30 s", "in 2 min", "now"."""
    if seconds < 0.5:
        return "now"
    if seconds < 60:
        return f"in {math.ceil(seconds)} s"
    return f"in {math.ceil(seconds / 60)} min"


def printable(path: str) -> str:
    """A path as a line of text shows it: a control character escaped, as Python writes it."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in path)


def never_synced(name: str) -> PairStatus:
    return PairStatus(name, PairState.STOPPED, "not synced yet")


def write_status(path: Path, status: PairStatus) -> None:
    """Atomically: a reader sees the old status or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(status.to_json(), out, ensure_ascii=False)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def read_status(path: Path, name: str) -> PairStatus:
    """The last status written for the pair; "not synced yet" when there is none or it is
    unreadable (a status file is a convenience, never a reason to fail)."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
        return dataclasses.replace(PairStatus.from_json(value), name=name)
    except (OSError, ValueError, TypeError, KeyError):
        return never_synced(name)
