"""A Nextcloud account: the server's root, the user id, and the endpoints built from them.

The login name (what the user types, perhaps an e-mail address) is not always
the user id that WebDAV paths are made of; the user id comes from the server
(OCS cloud/user), never from the login name.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from app.dav.paths import quote_path, url_path


@dataclass(frozen=True, slots=True)
class NextcloudAccount:
    """root_url: the server's address with its sub-path, ending in "/"."""

    root_url: str
    user_id: str
    login_name: str

    @property
    def root_path(self) -> str:
        return url_path(self.root_url)

    def _dav(self, space: str) -> str:
        return f"{self.root_path}remote.php/dav/{space}/{self.user_id}/"

    @property
    def files_path(self) -> str:
        """The decoded server path of the user's files: "/remote.php/dav/files/alice/"."""
        return self._dav("files")

    @property
    def files_url(self) -> str:
        parts = urlsplit(self.root_url)
        return f"{parts.scheme}://{parts.netloc}{quote_path(self.files_path)}"

    @property
    def uploads_path(self) -> str:
        return self._dav("uploads")

    @property
    def trash_path(self) -> str:
        return self._dav("trashbin") + "trash/"

    @property
    def restore_path(self) -> str:
        return self._dav("trashbin") + "restore/"


def normalised(address: str) -> str:
    """An address as typed, with https:// when no scheme was given (as Nextcloud's clients do)."""
    address = address.strip()
    return address if "://" in address else "https://" + address


def files_address(address: str) -> tuple[str, str, str] | None:
    """(root URL, user id, decoded folder path) of a remote.php/dav/files/USERID/... address.

    Here, beside the account, rather than with the sign-in (app.nextcloud.connect): every
    CLI command asks it of its address, and a plain WebDAV one needs nothing more."""
    parts = urlsplit(normalised(address))
    marker = "/remote.php/dav/files/"
    path = parts.path
    if marker not in path:
        return None
    head, _, rest = path.partition(marker)
    user_id = unquote(rest.split("/", 1)[0])
    if not user_id:
        return None
    root = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{head}/"
    return root, user_id, url_path(normalised(address))
