"""The trash bin: what was deleted, from where and when; restore, delete for good, empty.

Deleting on Nextcloud moves a file to the user's trash bin, listed under
remote.php/dav/trashbin/USERID/trash/ as "<name>.d<deletion time>". Restoring
is a MOVE into restore/ (the server puts it back where it was); deleting an
item there deletes it for good, and deleting trash/ itself empties it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.dav import DavClient
from app.dav.paths import basename, same_resource
from app.dav.resource import Resource
from app.dav.xmlbodies import BASIC_PROPS, NC, OC
from app.nextcloud.account import NextcloudAccount

TRASH_PROPS = (
    *BASIC_PROPS,
    f"{OC}fileid",
    f"{OC}size",
    f"{NC}trashbin-filename",
    f"{NC}trashbin-original-location",
    f"{NC}trashbin-deletion-time",
)


@dataclass(frozen=True, slots=True)
class TrashItem:
    """One deleted file or folder. path: where it is in the trash bin (a decoded server path)."""

    path: str
    name: str
    original_location: str
    deleted: datetime | None
    size: int | None
    is_dir: bool

    @classmethod
    def from_resource(cls, resource: Resource) -> TrashItem:
        props = resource.props
        when = props.get(f"{NC}trashbin-deletion-time", "")
        return cls(
            path=resource.path,
            name=props.get(f"{NC}trashbin-filename") or _original_name(resource.name),
            original_location=props.get(f"{NC}trashbin-original-location", ""),
            deleted=datetime.fromtimestamp(int(when), UTC) if when.isdigit() else None,
            size=resource.tree_size,
            is_dir=resource.is_dir,
        )


def _original_name(trash_name: str) -> str:
    """ "report.pdf.d1767225600" -> "report.pdf": the name without the deletion stamp."""
    stem, dot, stamp = trash_name.rpartition(".d")
    return stem if dot and stamp.isdigit() else trash_name


def list_items(client: DavClient, account: NextcloudAccount) -> list[TrashItem]:
    """The items at the top of the trash bin, newest deletion first."""
    items = [
        TrashItem.from_resource(r)
        for r in client.propfind(account.trash_path, 1, TRASH_PROPS)
        if not same_resource(r.path, account.trash_path)
    ]
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(items, key=lambda item: item.deleted or oldest, reverse=True)


def restore_path(account: NextcloudAccount, item: TrashItem) -> str:
    """Where a MOVE restores an item: restore/<its name>; the server picks the place."""
    return account.restore_path + basename(item.path)
