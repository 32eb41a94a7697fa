"""A file's earlier versions on a Nextcloud (remote.php/dav/versions/USERID/versions/FILEID/).

Each version is a resource named after the time its content was written; a
PROPFIND of the file's versions collection lists them with their size, time,
and where the server keeps them the label and the author (nc:version-label,
nc:version-author). A version is downloaded with a GET, and restored with a
MOVE to ``versions/USERID/restore/target``: the server then keeps the current
content as a version of its own, so a restore loses nothing. The front ends
run both as jobs (a download task, a restore task), so each ends in an Outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.dav import DavClient, Resource, errors
from app.dav.paths import same_resource
from app.dav.xmlbodies import BASIC_PROPS, NC
from app.nextcloud.account import NextcloudAccount

LABEL, AUTHOR = f"{NC}version-label", f"{NC}version-author"


@dataclass(frozen=True, slots=True)
class Version:
    """One earlier version. resource: its entry in the versions collection (its path is what
    GET downloads and MOVE restores)."""

    resource: Resource
    label: str
    author: str

    @property
    def name(self) -> str:
        return self.resource.name

    @property
    def modified(self) -> datetime | None:
        return self.resource.modified

    @property
    def size(self) -> int | None:
        return self.resource.size

    def to_json(self) -> dict[str, object]:
        return {
            "version": self.name,
            "path": self.resource.path,
            "size": self.size,
            "modified": self.modified.isoformat() if self.modified else None,
            "label": self.label or None,
            "author": self.author or None,
        }


def versions_path(account: NextcloudAccount, fileid: str) -> str:
    return f"{account.root_path}remote.php/dav/versions/{account.user_id}/versions/{fileid}/"


def restore_target(account: NextcloudAccount) -> str:
    """Where a version is moved to be restored (the name "target" is what the docs use)."""
    return f"{account.root_path}remote.php/dav/versions/{account.user_id}/restore/target"


def list_versions(
    client: DavClient, account: NextcloudAccount, resource: Resource
) -> list[Version]:
    """The file's earlier versions, newest first."""
    if resource.is_dir:
        raise errors.DavError(f"{resource.name} is a folder: only files have versions")
    fileid = resource.fileid or client.stat(resource.path).fileid
    if not fileid:
        raise errors.DavError(f"the server gave no file id for {resource.name}")
    folder = versions_path(account, fileid)
    found = [
        Version(r, r.props.get(LABEL, ""), r.props.get(AUTHOR, ""))
        for r in client.propfind(folder, 1, (*BASIC_PROPS, LABEL, AUTHOR))
        if not same_resource(r.path, folder) and not r.is_dir
    ]
    return sorted(found, key=lambda v: v.modified.timestamp() if v.modified else 0, reverse=True)


def find_version(versions: list[Version], name: str) -> Version:
    for version in versions:
        if version.name == name:
            return version
    raise errors.DavError(f"no version {name!r}; `davdesk versions ls` lists them")
