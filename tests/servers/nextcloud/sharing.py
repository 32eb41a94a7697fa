"""Public link shares: OCS ``apps/files_sharing/api/v1/shares`` (v1 and v2), link shares only.

Sources: the developer manual's "OCS Share API" page and the server's
apps/files_sharing/lib/Controller/ShareAPIController.php with the share manager's
checks (lib/private/Share20/Manager.php), read for behaviour:

* ``GET shares?path=/a.txt`` lists the item's shares (404 "Wrong path, file/folder
  doesn't exist"); ``GET shares`` all of the user's; ``GET shares/ID`` one (a list of one);
* ``POST shares`` with ``path``, ``shareType=3``, ``permissions``, ``password``,
  ``expireDate`` (YYYY-MM-DD), ``label``, ``publicUpload``: every call makes a new link
  (Nextcloud allows several per item); another shareType is 400 "Unknown share type"
  here (no other users); no path 404; links disabled 404 "Public link sharing is
  disabled by the administrator"; an item without the share permission (oc:permissions
  without R) 404 "You are not allowed to share NAME"; link permissions must be read (1),
  upload and edit (15, folders only, public upload allowed), file drop (4, folders
  only) or edit (3, files only), else 400; a password enforced and missing 403
  "Passwords are enforced for link and mail shares"; an enforced expiry without a date
  gets today + the days, a later date 404 "Cannot set expiration date more than N days
  in the future", a past one 404 "Expiration date is in the past", a bad one 404
  "Invalid date, date format must be YYYY-MM-DD";
* ``PUT shares/ID`` with any of ``password`` ("" removes it), ``expireDate`` (""
  removes it unless enforced), ``permissions``; nothing to change is 400 "Wrong or no
  update parameter given"; an unknown id 404 "Wrong share ID, share doesn't exist";
* ``DELETE shares/ID``;
* a share's JSON: id, share_type, uid_owner, displayname_owner, permissions, stime,
  expiration ("YYYY-MM-DD 00:00:00" or null), token, path, item_type, mimetype,
  file_source, file_target, url (``…/index.php/s/TOKEN``), password (a hash, only
  when set), share_with (the same hash, as Nextcloud does for links), label,
  hide_download.

Shares live in memory: a restart of the fake server forgets them. Not covered: user,
group, e-mail and federated shares, reshares, shares with the user, public pages
(``/s/TOKEN`` and ``public.php``), hide_download, notes, attributes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.servers.nextcloud.storage import FILES, join

if TYPE_CHECKING:
    from tests.servers.nextcloud.auth import Login
    from tests.servers.nextcloud.http import Request
    from tests.servers.nextcloud.instance import Instance
    from tests.servers.nextcloud.ocs import Result

PREFIX = "/apps/files_sharing/api/v1/shares"
READ, UPDATE, CREATE, DELETE, SHARE = 1, 2, 4, 8, 16
LINK_MASKS = {
    READ: "any",
    READ | UPDATE | CREATE | DELETE: "folder",
    READ | UPDATE | CREATE: "folder",
    CREATE: "folder",
    READ | UPDATE: "file",
}


@dataclass
class LinkShare:
    id: int
    path: str  # "/Docs/a.txt"
    fileid: int
    is_dir: bool
    permissions: int
    token: str
    stime: int
    expiration: dt.date | None = None
    password_hash: str | None = None
    label: str = ""


@dataclass
class ShareStore:
    """The instance's link shares, and the admin's sharing settings (server options)."""

    shares: dict[int, LinkShare] = field(default_factory=dict)
    next_id: int = 1
    lock: threading.Lock = field(default_factory=threading.Lock)


def store_of(instance: Instance) -> ShareStore:
    found = getattr(instance, "_share_store", None)
    if found is None:
        found = ShareStore()
        object.__setattr__(instance, "_share_store", found)
    return found


def capabilities(instance: Instance) -> dict[str, Any]:
    options = instance.options
    days = options.share_expire_days
    return {
        "api_enabled": True,
        "public": {
            "enabled": options.link_sharing,
            "password": {
                "enforced": options.share_password_enforced,
                "askForOptionalPassword": False,
            },
            "expire_date": {
                "enabled": days is not None,
                **({"days": days, "enforced": True} if days is not None else {}),
            },
            "multiple_links": True,
            "send_mail": False,
            "upload": options.public_upload,
            "upload_files_drop": options.public_upload,
        },
        "resharing": True,
        "user": {"send_mail": False, "expire_date": {"enabled": True}},
        "group_sharing": False,
        "default_permissions": 31,
    }


def route(method: str, path: str) -> Any:
    """The handler of a share route, or None."""
    from tests.servers.nextcloud.ocs import Route

    if path == PREFIX and method in ("GET", "POST"):
        return Route(list_shares if method == "GET" else create_share)
    if path.startswith(PREFIX + "/") and method in ("GET", "PUT", "DELETE"):
        share_id = path[len(PREFIX) + 1 :]
        handler = {"GET": get_share, "PUT": update_share, "DELETE": delete_share}[method]
        return Route(lambda instance, request, login: handler(instance, request, share_id))
    return None


def _result(status: int = 200, data: Any = None, message: str = "") -> Result:
    from tests.servers.nextcloud.ocs import Result

    return Result(status, data, message)


def _item(instance: Instance, path: str) -> tuple[str, bool, int, str] | None:
    """(normalised path, is a folder, file id, permission letters) of a user's item."""
    rel = path.strip("/")
    key = join(FILES, rel) if rel else FILES
    st = instance.storage.stat(key)
    if st is None:
        return None
    import stat as stat_module

    is_dir = stat_module.S_ISDIR(st.st_mode)
    meta = instance.storage.meta(key, st)
    return "/" + rel, is_dir, meta.fileid, instance.storage.permissions(key, is_dir, meta)


def _format(instance: Instance, request: Request, share: LinkShare) -> dict[str, Any]:
    host = request.header("host") or "127.0.0.1"
    base = f"http://{host}{instance.webroot}"
    name = share.path.rpartition("/")[2]
    return {
        "id": str(share.id),
        "share_type": 3,
        "uid_owner": instance.user_id,
        "displayname_owner": instance.display_name,
        "permissions": share.permissions,
        "can_edit": True,
        "can_delete": True,
        "stime": share.stime,
        "parent": None,
        "expiration": (f"{share.expiration.isoformat()} 00:00:00" if share.expiration else None),
        "token": share.token,
        "uid_file_owner": instance.user_id,
        "note": "",
        "label": share.label,
        "path": share.path,
        "item_type": "folder" if share.is_dir else "file",
        "mimetype": "httpd/unix-directory" if share.is_dir else "application/octet-stream",
        "storage_id": f"home::{instance.user_id}",
        "storage": 1,
        "item_source": share.fileid,
        "file_source": share.fileid,
        "file_parent": 1,
        "file_target": "/" + name,
        "share_with": share.password_hash,
        "share_with_displayname": "(Shared link)",
        **({"password": share.password_hash} if share.password_hash else {}),
        "url": f"{base}/index.php/s/{share.token}",
        "mail_send": 0,
        "hide_download": 0,
    }


def list_shares(instance: Instance, request: Request, login: Login | None) -> Result:
    params = request.params()
    store = store_of(instance)
    path = params.get("path")
    with store.lock:
        shares = list(store.shares.values())
    if path is not None:
        item = _item(instance, path)
        if item is None:
            return _result(404, message="Wrong path, file/folder doesn't exist")
        shares = [s for s in shares if s.fileid == item[2]]
    return _result(data=[_format(instance, request, s) for s in shares])


def get_share(instance: Instance, request: Request, share_id: str) -> Result:
    share = store_of(instance).shares.get(int(share_id)) if share_id.isdigit() else None
    if share is None:
        return _result(404, message="Wrong share ID, share doesn't exist")
    return _result(data=[_format(instance, request, share)])


def _expiry(instance: Instance, text: str) -> tuple[dt.date | None, Result | None]:
    days = instance.options.share_expire_days
    if not text:
        if days is not None:
            return dt.date.today() + dt.timedelta(days=days), None
        return None, None
    try:
        date = dt.date.fromisoformat(text[:10])
    except ValueError:
        return None, _result(404, message="Invalid date, date format must be YYYY-MM-DD")
    if date < dt.date.today():
        return None, _result(404, message="Expiration date is in the past")
    if days is not None and date > dt.date.today() + dt.timedelta(days=days):
        return None, _result(
            404, message=f"Cannot set expiration date more than {days} days in the future"
        )
    return date, None


def _link_permissions(instance: Instance, value: int, is_dir: bool) -> Result | None:
    value &= ~SHARE
    kind = LINK_MASKS.get(value)
    if kind is None or (kind == "file" and is_dir):
        return _result(400, message="Can't change permissions for public share links")
    if kind == "folder" and not is_dir:
        return _result(404, message="Public upload is only possible for publicly shared folders")
    if kind == "folder" and not instance.options.public_upload:
        return _result(403, message="Public upload disabled by the administrator")
    return None


def create_share(instance: Instance, request: Request, login: Login | None) -> Result:
    params = request.params()
    if "path" not in params:
        return _result(404, message="Please specify a file or folder path")
    item = _item(instance, params["path"])
    if item is None:
        return _result(404, message="Wrong path, file/folder doesn't exist")
    path, is_dir, fileid, letters = item
    if params.get("shareType", "-1") != "3":
        return _result(400, message="Unknown share type")
    if not instance.options.link_sharing:
        return _result(404, message="Public link sharing is disabled by the administrator")
    if "R" not in letters:
        return _result(404, message=f"You are not allowed to share {path.rpartition('/')[2]}")
    permissions = READ
    if params.get("publicUpload") == "true":
        permissions = READ | UPDATE | CREATE | DELETE
    if params.get("permissions", "").lstrip("-").isdigit():
        permissions = int(params["permissions"])
    refused = _link_permissions(instance, permissions, is_dir)
    if refused is not None:
        return refused
    password = params.get("password", "")
    if instance.options.share_password_enforced and not password:
        return _result(403, message="Passwords are enforced for link and mail shares")
    expiration, refused = _expiry(instance, params.get("expireDate", ""))
    if refused is not None:
        return refused
    store = store_of(instance)
    with store.lock:
        share = LinkShare(
            store.next_id,
            path,
            fileid,
            is_dir,
            permissions & ~SHARE,
            secrets.token_urlsafe(11)[:15],
            int(time.time()),
            expiration,
            _hash(password) if password else None,
            params.get("label", ""),
        )
        store.shares[share.id] = share
        store.next_id += 1
    return _result(data=_format(instance, request, share))


def update_share(instance: Instance, request: Request, share_id: str) -> Result:
    store = store_of(instance)
    share = store.shares.get(int(share_id)) if share_id.isdigit() else None
    if share is None:
        return _result(404, message="Wrong share ID, share doesn't exist")
    params = request.params()
    if not any(
        k in params for k in ("password", "expireDate", "permissions", "publicUpload", "label")
    ):
        return _result(400, message="Wrong or no update parameter given")
    if "permissions" in params:
        refused = _link_permissions(instance, int(params["permissions"] or 0), share.is_dir)
        if refused is not None:
            return refused
    if "password" in params and not params["password"] and instance.options.share_password_enforced:
        return _result(403, message="Passwords are enforced for link and mail shares")
    expiration = share.expiration
    if "expireDate" in params:
        expiration, refused = _expiry(instance, params["expireDate"])
        if refused is not None:
            return _result(400, message=refused.message)
    with store.lock:
        if "permissions" in params:
            share.permissions = int(params["permissions"]) & ~SHARE
        if "password" in params:
            share.password_hash = _hash(params["password"]) if params["password"] else None
        share.expiration = expiration
        if "label" in params:
            share.label = params["label"]
    return _result(data=_format(instance, request, share))


def delete_share(instance: Instance, request: Request, share_id: str) -> Result:
    store = store_of(instance)
    with store.lock:
        share = store.shares.pop(int(share_id), None) if share_id.isdigit() else None
    if share is None:
        return _result(404, message="Wrong share ID, share doesn't exist")
    return _result()


def _hash(password: str) -> str:
    """Stands in for Nextcloud's password hash ("3|$argon2id$..."): never the password."""
    return "3|" + hashlib.sha256(password.encode()).hexdigest()
