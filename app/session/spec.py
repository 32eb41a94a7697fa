"""What a front end opens a connection with, once an address and its credentials worked.

It lives above app.config (which keeps only what the user saved) because it
carries what a connection learnt: the server's WebDAV extensions and, for a
Nextcloud, the account; and because it builds the DavClient.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field

from app.config.bookmarks import Bookmark
from app.dav import DavClient
from app.dav.extensions import NO_EXTENSIONS, ServerExtensions
from app.nextcloud.account import NextcloudAccount


@dataclass(frozen=True, slots=True)
class ConnectionSpec:
    """Everything needed to open a connection, as the connect dialog hands it over."""

    url: str
    user: str
    password: str = field(repr=False)  # a repr ends up in logs and tracebacks
    verify: bool | ssl.SSLContext = True
    bookmark: Bookmark | None = None
    #: The WebDAV extensions the server has (learnt when connecting), for every client made.
    extensions: ServerExtensions = NO_EXTENSIONS
    #: Set for a Nextcloud: the account (trash bin, sign-out); the password is an app password.
    account: NextcloudAccount | None = None
    #: The folder to open first ("" for the root of url).
    start_path: str = ""
    #: Where the share the address is in begins, when above it (plain WebDAV: as far up as
    #: the server lets the user list): the clients' root; "" for url itself.
    top_url: str = ""

    def client(self, workers: int = 4) -> DavClient:
        return DavClient(
            self.top_url or self.url,
            user=self.user or None,
            password=self.password,
            workers=workers,
            verify=self.verify,
            extensions=self.extensions,
            basic_first=self.account is not None,  # a Nextcloud takes Basic, and nothing else
        )
