"""The mass-delete guard: a pair never carries an emptied side over without the user's word.

A server folder emptied by mistake, a misconfigured server or mount that
answers an empty folder, an unmounted disk where the local folder was: each
looks, to the three-way comparison, exactly like the user deleting every
file on that side, and a sync would carry the deletes over. So when a plan
would delete every file the state database knows as synced on one side (all
of them gone from the other side), those deletes are held back as one
refusal with the reason in words, and the rest of the plan runs. The user
then decides (MassDelete): delete on this side too (ALLOW, once), or
restore them (RESTORE: their records are forgotten, so the next plan sees
files on one side only and copies them back where the pair carries changes
that way; a one-way pair that cannot copy them back keeps them, unsynced).

MINIMUM: the Nextcloud client asks whenever all files went at once; a pair
of one file deleting its one file is an ordinary delete (nothing tells it
from the user's own), so the guard starts at two: two or more synced files
all gone at once is what an emptied folder or a missing mount looks like.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from app.dav import Outcome
from app.dav.outcome import Source
from app.jobs.naming import name_key
from app.sync.model import Action, PlanItem

#: The fewest synced files whose deletion, all at once, is held back for the user's word.
MINIMUM = 2

#: The reason of the refusal that holds the deletes back (its note says why, in words).
HELD = "held back"


class MassDelete(enum.StrEnum):
    """What a plan does with the deletes of every synced file on one side."""

    HOLD = "hold"  # the default: held back as a refusal until the user decides
    ALLOW = "allow"  # the user's word: carry the deletes over, this once
    RESTORE = "restore"  # the user's word: forget their records, so the files come back


@dataclass(frozen=True, slots=True)
class Held:
    """The deletes a plan holds back: on which side, and the items (files and folders)."""

    action: Action  # DELETE_LOCAL (emptied on the server) or DELETE_REMOTE (emptied here)
    items: tuple[PlanItem, ...]

    @property
    def files(self) -> int:
        return sum(1 for item in self.items if not item.is_dir)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(name_key(item.rel) for item in self.items)

    def why(self) -> str:
        """The refusal's words: what happened, that nothing was deleted, and the choice."""
        count = self.files
        if self.action is Action.DELETE_LOCAL:
            return (
                f"held back: all {count} synced files were deleted on the server (or it "
                "shows an empty folder); none is deleted here until you choose: delete "
                "them here too, or restore them"
            )
        return (
            f"held back: all {count} synced files were deleted locally (or the folder is a "
            "disk that is not mounted); none is deleted on the server until you choose: "
            "delete them there too, or restore them"
        )

    @property
    def restored(self) -> str:
        """The reason of a file copied back on the user's word (RESTORE)."""
        where = "on the server" if self.action is Action.DELETE_LOCAL else "locally"
        return f"deleted {where} with every other synced file: restored"

    def refusal(self, remote_root: str) -> Outcome:
        """One refusal for the pair's folder itself, not one per file (a thousand rows)."""
        op = "delete-local" if self.action is Action.DELETE_LOCAL else "delete"
        return Outcome(op, remote_root, None, HELD, ok=False, note=self.why(), source=Source.LOCAL)


def held_deletes(
    items: Iterable[PlanItem], synced: Collection[str], gone: Iterable[str]
) -> Held | None:
    """The deletes to hold back: those of one side when they take every synced file still on
    that side. synced: the keys of every file the state database records (all of them, also
    for a plan of a few folders: a folder emptied is not the pair emptied). gone: records of
    paths on neither side any more, which no delete is needed for."""
    left = set(synced).difference(gone)
    if len(left) < MINIMUM:
        return None
    listed = tuple(items)
    for action in (Action.DELETE_LOCAL, Action.DELETE_REMOTE):
        deletes = tuple(item for item in listed if item.action is action)
        files = {name_key(item.rel) for item in deletes if not item.is_dir}
        if left <= files:
            return Held(action, deletes)
    return None
