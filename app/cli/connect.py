"""One DavClient per server a command touches, with credentials from the environment.

Passwords never come from an argument (other users can read the process
list): DAVDESK_PASSWORD, else a prompt when there is a terminal to prompt on.
"""

from __future__ import annotations

import getpass
import os
import sys
from urllib.parse import unquote, urlsplit, urlunsplit

from app.dav import DavClient
from app.logs import redact_value

PASSWORD_VARIABLE = "DAVDESK_PASSWORD"


class UsageError(Exception):
    """A mistake in the command line; reported in one line with exit status 2."""


class Connections:
    """Clients keyed by origin, closed together when the command ends."""

    def __init__(self, user: str | None, workers: int, verify: bool) -> None:
        self._user = user
        self._workers = workers
        self._verify = verify
        self._clients: dict[str, DavClient] = {}
        self._password: str | None = None

    def resolve(self, url: str) -> tuple[DavClient, str]:
        """The client for a URL's server and the decoded path on it."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"not an http(s) URL: {url}")
        host = parts.netloc.rpartition("@")[2]
        origin = f"{parts.scheme}://{host}"
        if origin not in self._clients:
            user = self._user or (unquote(parts.username) if parts.username else None)
            self._clients[origin] = DavClient(
                urlunsplit((parts.scheme, host, "/", "", "")),
                user=user,
                password=self._password_for(user) if user else None,
                workers=self._workers,
                verify=self._verify,
            )
        return self._clients[origin], unquote(parts.path or "/", errors="surrogateescape")

    def _password_for(self, user: str) -> str:
        if self._password is None:
            self._password = os.environ.get(PASSWORD_VARIABLE)
        if self._password is None:
            if not sys.stdin.isatty():
                raise UsageError(f"no password for {user}: set {PASSWORD_VARIABLE} "
                                 "or run from a terminal to be prompted")
            self._password = getpass.getpass(f"Password for {user}: ")
        redact_value(self._password)
        return self._password

    def __enter__(self) -> Connections:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for client in self._clients.values():
            client.close()
