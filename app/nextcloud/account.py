"""A Nextcloud account: the server's root, the user id, and the endpoints built from them.

The login name (what the user types, perhaps an e-mail address) is not always
the user id that WebDAV paths are made of; the user id comes from the server
(OCS cloud/user), never from the login name.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

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
