"""Folders deleted on one side: deleted on the other only with everything in them.

A folder goes only if every synced entry in it is deleted too, deepest
folders first. What the ignore rules leave alone never travels, so it
decides differently by its kind (ignore.py): clutter the defaults name
(.DS_Store, Thumbs.db, ...) is deleted with its folder, or the folder
could never be removed (rmdir refuses, the server finds it not empty);
anything the user's own patterns keep keeps its folder. Such a folder is
restored to the other side where the pair carries changes that way, and
otherwise reported once and unpaired (its record dropped), so that it is
left alone from then on instead of failing on every run.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from app.dav import Outcome
from app.dav.outcome import Source
from app.jobs.naming import name_key
from app.sync.direction import Direction
from app.sync.model import Action, LocalFile, PlanItem, RemoteFile
from app.sync.scan import Scan

_DELETES = (Action.DELETE_LOCAL, Action.DELETE_REMOTE)
_NAMED = 3  # ignored entries named in a reason, at most


class _Side:
    """One side's keys, sorted, to find what is below a folder by bisection."""

    def __init__(self, scan: Scan[LocalFile] | Scan[RemoteFile]) -> None:
        self.scan = scan
        self.found = sorted(scan.found)
        self.junk = sorted(scan.junk)
        self.ignored = sorted(scan.ignored)

    @staticmethod
    def below(keys: list[str], key: str) -> list[str]:
        # Everything below "a/b" sorts between "a/b/" and "a/b0" ("0" follows "/").
        return keys[bisect_left(keys, key + "/") : bisect_left(keys, key + "0")]


class FolderDeletes:
    def __init__(
        self,
        local: Scan[LocalFile],
        remote: Scan[RemoteFile],
        direction: Direction,
        remote_root: str,
    ) -> None:
        self._sides = {Action.DELETE_LOCAL: _Side(local), Action.DELETE_REMOTE: _Side(remote)}
        self._direction = direction
        self._remote_root = remote_root
        self.refused: list[Outcome] = []
        self.unpaired: list[str] = []

    def settle(
        self, folder_deletes: Iterable[PlanItem], items: Iterable[PlanItem]
    ) -> list[PlanItem]:
        """The items the folder deletes become, given the other items of the plan."""
        deleted = {name_key(i.rel) for i in items if i.action in _DELETES}
        added: list[PlanItem] = []
        for item in sorted(folder_deletes, key=lambda i: i.rel.count("/"), reverse=True):
            key = name_key(item.rel)
            side = self._sides[item.action]
            if not all(k in deleted for k in side.below(side.found, key)):
                added.extend(self._restored(item, "but not all inside"))
                continue
            kept = side.below(side.ignored, key)
            if kept:
                added.extend(self._kept(item, [side.scan.ignored[k].rel for k in kept]))
                continue
            for junk in side.below(side.junk, key):
                if junk not in deleted:
                    deleted.add(junk)
                    added.append(_junk_delete(item.action, side.scan.junk[junk]))
            deleted.add(key)
            added.append(item)
        return added

    def _restored(self, item: PlanItem, why: str) -> list[PlanItem]:
        """Made again on the side that deleted it, where the pair carries changes that way."""
        if item.action is Action.DELETE_LOCAL and self._direction.uploads:
            return [
                PlanItem(
                    item.rel,
                    Action.CREATE_FOLDER,
                    f"deleted on the server, {why}: restored",
                    True,
                    local=item.local,
                )
            ]
        if item.action is Action.DELETE_REMOTE and self._direction.downloads:
            return [
                PlanItem(
                    item.rel,
                    Action.CREATE_FOLDER,
                    f"deleted locally, {why}: restored",
                    True,
                    remote=item.remote,
                    remote_side=False,
                )
            ]
        return []

    def _kept(self, item: PlanItem, ignored: list[str]) -> list[PlanItem]:
        prefix = len(item.rel) + 1
        names = ", ".join(rel[prefix:] for rel in ignored[:_NAMED]) + (
            f" and {len(ignored) - _NAMED} more" if len(ignored) > _NAMED else ""
        )
        restored = self._restored(item, f"but it holds ignored files ({names})")
        if restored:
            return restored
        here = "here" if item.action is Action.DELETE_LOCAL else "on the server"
        gone = "on the server" if item.action is Action.DELETE_LOCAL else "locally"
        self.unpaired.append(name_key(item.rel))
        self.refused.append(
            Outcome(
                "delete-local" if item.action is Action.DELETE_LOCAL else "delete",
                self._remote_root + item.rel + "/",
                None,
                "kept",
                ok=False,
                source=Source.LOCAL,
                note=f"deleted {gone}, kept {here}: it holds ignored files ({names}); "
                "left alone from now on",
            )
        )
        return []


def _junk_delete(action: Action, entry: LocalFile | RemoteFile) -> PlanItem:
    where = "on the server" if action is Action.DELETE_LOCAL else "locally"
    why = f"clutter in a folder deleted {where}: deleted with it"
    if isinstance(entry, LocalFile):
        return PlanItem(entry.rel, action, why, local=entry)
    return PlanItem(entry.rel, action, why, remote=entry)
