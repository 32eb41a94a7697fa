"""Public share links through the OCS Share API (apps/files_sharing/api/v1/shares, v2).

A link share is shareType 3. Its permissions are Nextcloud's bit mask: read (1),
update (2), create (4), delete (8), share (16); a link offers read only (1), for a
folder also upload and editing (15) or upload only, the "file drop" (4), and for a
file editing (3). The server decides who may share what: an item without the
share permission (oc:permissions "R") cannot be shared, and the capabilities say
whether links are allowed at all and whether a password or an expiry date is
enforced. Those are checked here first, so the user reads why in words before
anything is sent; the server's own refusal (its ``meta.message``) is passed on
as it is when it still says no.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.dav import DavClient, Resource, errors
from app.nextcloud import ocs
from app.nextcloud.account import NextcloudAccount

LINK = 3
READ, UPDATE, CREATE, DELETE, SHARE = 1, 2, 4, 8, 16
#: What a link may let its visitors do, by name, and the mask each is.
LINK_PERMISSIONS = {
    "read": READ,
    "upload": READ | UPDATE | CREATE | DELETE,
    "drop": CREATE,
    "edit": READ | UPDATE,
}
_API = "ocs/v2.php/apps/files_sharing/api/v1/shares"


class SharingRefused(errors.DavError):
    """Sharing this item is not possible here, said before anything is sent."""


@dataclass(frozen=True, slots=True)
class SharingRules:
    """The files_sharing capabilities that decide what a link may be."""

    links: bool = False
    password_enforced: bool = False
    expire_enforced: bool = False
    expire_days: int | None = None
    public_upload: bool = False

    @classmethod
    def parse(cls, capabilities: Mapping[str, Any]) -> SharingRules:
        sharing = _mapping(capabilities.get("files_sharing"))
        public = _mapping(sharing.get("public"))
        password = _mapping(public.get("password"))
        expire = _mapping(public.get("expire_date"))
        days = expire.get("days")
        return cls(
            links=sharing.get("api_enabled", True) is not False and public.get("enabled") is True,
            password_enforced=password.get("enforced") is True,
            expire_enforced=expire.get("enabled") is True and expire.get("enforced") is True,
            expire_days=int(days) if isinstance(days, int | str) and str(days).isdigit() else None,
            public_upload=public.get("upload") is True,
        )


@dataclass(frozen=True, slots=True)
class Share:
    """One share of an item, as the server described it."""

    id: str
    share_type: int
    permissions: int
    url: str | None
    token: str | None
    path: str  # relative to the user's files: "/Docs/a.txt"
    item_type: str  # "file" or "folder"
    expiration: dt.date | None
    has_password: bool
    label: str

    @property
    def is_link(self) -> bool:
        return self.share_type == LINK

    @property
    def access(self) -> str:
        """What the link lets visitors do, in words."""
        names = {
            READ: "read only",
            READ | UPDATE | CREATE | DELETE: "upload and edit",
            READ | UPDATE | CREATE: "upload and edit",
            CREATE: "upload only (file drop)",
            READ | UPDATE: "edit",
        }
        return names.get(self.permissions & ~SHARE, f"permissions {self.permissions}")

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Share:
        expiration = data.get("expiration")
        try:
            expires = dt.date.fromisoformat(str(expiration)[:10]) if expiration else None
        except ValueError:
            expires = None
        return cls(
            id=str(data.get("id", "")),
            share_type=int(data.get("share_type", -1)),
            permissions=int(data.get("permissions", 0)),
            url=data.get("url") or None,
            token=data.get("token") or None,
            path=str(data.get("path", "")),
            item_type=str(data.get("item_type", "")),
            expiration=expires,
            has_password=bool(data.get("password") or data.get("share_with")),
            label=str(data.get("label") or ""),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "share_type": self.share_type,
            "url": self.url,
            "permissions": self.permissions,
            "access": self.access,
            "path": self.path,
            "item_type": self.item_type,
            "has_password": self.has_password,
            "expiration": self.expiration.isoformat() if self.expiration else None,
            "label": self.label,
        }


def item_path(account: NextcloudAccount, remote: str) -> str:
    """A server path as the Share API names it: relative to the user's files, "/" first."""
    files = account.files_path
    if not (remote.rstrip("/") + "/").startswith(files):
        raise SharingRefused(f"{remote} is not among {account.user_id}'s files")
    return "/" + remote[len(files) :].strip("/")


def check_link(
    rules: SharingRules,
    resource: Resource,
    *,
    password: str | None,
    expire: dt.date | None,
    access: str,
) -> None:
    """Refuse what the server would refuse, in words, before anything is sent."""
    if not rules.links:
        raise SharingRefused("the server does not allow public links")
    if not resource.allows("R"):
        raise SharingRefused(
            f"you may not share {resource.name}: the server does not let your account share it"
        )
    if rules.password_enforced and not password:
        raise SharingRefused("the server requires a password for public links")
    if rules.expire_enforced and expire is None and rules.expire_days is None:
        raise SharingRefused("the server requires an expiry date for public links")
    if expire is not None and expire < dt.date.today():
        raise SharingRefused(f"the expiry date {expire.isoformat()} is in the past")
    if access not in LINK_PERMISSIONS:
        raise SharingRefused(f"unknown access {access!r}: one of {', '.join(LINK_PERMISSIONS)}")
    if access in ("upload", "drop") and not resource.is_dir:
        raise SharingRefused("only a folder's link can take uploads")
    if access in ("upload", "drop") and not rules.public_upload:
        raise SharingRefused("the server does not allow uploads through public links")
    if access == "edit" and resource.is_dir:
        raise SharingRefused("a folder's link is read only, or takes uploads")


def list_shares(client: DavClient, account: NextcloudAccount, remote: str) -> list[Share]:
    data = ocs.send(
        client,
        "GET",
        account.root_path + _API,
        params={"path": item_path(account, remote), "reshares": "true"},
    )
    return [Share.parse(item) for item in data or [] if isinstance(item, Mapping)]


def create_link(
    client: DavClient,
    account: NextcloudAccount,
    remote: str,
    *,
    password: str | None = None,
    expire: dt.date | None = None,
    access: str = "read",
    label: str = "",
) -> Share:
    """A new public link. Every POST makes another link, so one whose answer was lost (or
    that met a 500, 502 or 504) is looked for among the item's shares before it is sent
    again: a link with these settings that was not there before is the one it made."""
    params = {
        "path": item_path(account, remote),
        "shareType": str(LINK),
        "permissions": str(LINK_PERMISSIONS[access]),
    }
    if password:
        params["password"] = password
    if expire is not None:
        params["expireDate"] = expire.isoformat()
    if label:
        params["label"] = label
    before = {share.id for share in list_shares(client, account, remote)}

    def made() -> Share | None:
        new = [
            share
            for share in list_shares(client, account, remote)
            if share.id not in before
            and share.is_link
            and share.label == label
            and share.permissions & ~SHARE == LINK_PERMISSIONS[access]
            and share.has_password == bool(password)
            and (expire is None or share.expiration == expire)
        ]
        return max(new, key=lambda share: _number(share.id)) if new else None

    return client.retried(
        lambda: Share.parse(ocs.send(client, "POST", account.root_path + _API, params=params)), made
    )


def update_share(
    client: DavClient,
    account: NextcloudAccount,
    share_id: str,
    *,
    password: str | None = None,
    expire: dt.date | str | None = None,
    access: str | None = None,
) -> Share:
    """Change a link: password "" removes it, expire "" removes the date; None leaves it.
    It sets values, so it is sent again as it is after a retryable failure."""
    params: dict[str, str] = {}
    if password is not None:
        params["password"] = password
    if expire is not None:
        params["expireDate"] = expire.isoformat() if isinstance(expire, dt.date) else expire
    if access is not None:
        params["permissions"] = str(LINK_PERMISSIONS[access])
    return client.retried(
        lambda: Share.parse(
            ocs.send(client, "PUT", f"{account.root_path}{_API}/{share_id}", params=params)
        ),
        None,
    )


def delete_share(client: DavClient, account: NextcloudAccount, share_id: str) -> None:
    """Delete a share. Sent again after losing its answer it would meet "Wrong share ID", so
    the share is looked up first: gone means the lost attempt deleted it."""
    where = f"{account.root_path}{_API}/{share_id}"

    def gone() -> bool | None:
        try:
            ocs.send(client, "GET", where)
        except ocs.OcsError as refused:
            if refused.statuscode == 404:
                return True
            raise
        return None

    client.retried(lambda: ocs.send(client, "DELETE", where) or True, gone)


def _number(share_id: str) -> int:
    """A share id as the number Nextcloud counts them by (newest highest)."""
    return int(share_id) if share_id.isdigit() else -1


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def sharing_rules(client: DavClient, account: NextcloudAccount) -> SharingRules:
    """The account's files_sharing capabilities (one OCS request)."""
    data = ocs.call(client, "GET", f"{account.root_path}ocs/v1.php/cloud/capabilities")
    return SharingRules.parse(_mapping(_mapping(data).get("capabilities")))
