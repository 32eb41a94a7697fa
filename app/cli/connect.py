"""One DavClient per server a command touches, with credentials from the environment.

Passwords never come from an argument (other users can read the process
list): DAVDESK_PASSWORD, else the app password `davdesk login` kept in the
keyring for a Nextcloud, else a prompt when there is a terminal to prompt on.

A Nextcloud files address (.../remote.php/dav/files/USERID/...) gets a client
that speaks the server's WebDAV extensions (chunked uploads, checksums, its
name rules), found out with two small requests when the client is made.
"""

from __future__ import annotations

import argparse
import getpass
import os
import ssl
import sys
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

from app.dav import DavClient, errors
from app.dav.tls import fetch_certificate, verify_for
from app.logs import redact_value
from app.nextcloud.account import NextcloudAccount
from app.nextcloud.connect import NextcloudConnection, connect, files_address, speak

PASSWORD_VARIABLE = "DAVDESK_PASSWORD"


class UsageError(Exception):
    """A mistake in the command line; reported in one line with exit status 2."""


def verify_of(args: argparse.Namespace) -> bool | ssl.SSLContext:
    """How the command checks certificates: --trust pins one, --insecure none, else the
    system's CAs decide."""
    if args.trust:
        return verify_for(args.trust, None)
    return not args.insecure


def certificate_hint(refused: errors.CertificateError, pinned: str | None) -> str:
    """What to do about a refused certificate: the fingerprint the server presents now (read
    with a handshake alone, so no credentials go to it), to check and pass to --trust."""
    try:
        presented = fetch_certificate(refused.url, timeout=5.0).sha256
    except errors.DavError:
        return ""
    if pinned == presented:  # it changed back meanwhile: nothing to add
        return ""
    return (f"the server presents the certificate SHA256:{presented}; if you trust it, "
            f"run again with --trust SHA256:{presented}")


class Connections:
    """Clients keyed by origin, closed together when the command ends."""

    def __init__(self, user: str | None, workers: int, verify: bool | ssl.SSLContext) -> None:
        self._user = user
        self._workers = workers
        self._verify = verify
        self._clients: dict[str, DavClient] = {}
        self._accounts: list[DavClient] = []  # nextcloud()'s, closed with the others
        self._password: str | None = None
        #: The user name of the last client made (what a 401 is about), and whether an
        #: address had no scheme (https was guessed: a plain http server is then said so).
        self.user: str | None = None
        self.guessed_https = False

    def resolve(self, url: str) -> tuple[DavClient, str]:
        """The client for a URL's server and the decoded path on it."""
        if "://" not in url:
            url, self.guessed_https = "https://" + url, True
        parts = _parts(url)
        host = parts.netloc.rpartition("@")[2]
        origin = f"{parts.scheme}://{host}"
        if origin not in self._clients:
            nextcloud = files_address(url)
            user = self._user_for(parts, nextcloud[1] if nextcloud else None)
            self.user = user
            client = DavClient(
                urlunsplit((parts.scheme, host, "/", "", "")),
                user=user,
                password=self._password_for(user, nextcloud[0] if nextcloud else None) if user else None,
                workers=self._workers,
                verify=self._verify,
            )
            self._clients[origin] = client
            if nextcloud is not None and user:
                speak(client, NextcloudAccount(nextcloud[0], nextcloud[1], user))
        return self._clients[origin], unquote(parts.path or "/", errors="surrogateescape")

    def nextcloud(self, address: str) -> NextcloudConnection:
        """A signed-in Nextcloud account for any address of it (discovery finds the rest)."""
        parts = _parts(address if "://" in address else "https://" + address)
        known = files_address(address)
        user = self._user_for(parts, known[1] if known else None)
        if not user:
            raise UsageError(f"whose account? give --user or put it in the address "
                             f"(https://alice@{parts.netloc.rpartition('@')[2]}/)")
        root = known[0] if known else None
        found = connect(address, login=user, password=self._password_for(user, root),
                        workers=self._workers, verify=self._verify)
        self._accounts.append(found.client)
        return found

    def _user_for(self, parts: SplitResult, user_id: str | None) -> str | None:
        """--user, else the URL's user, else the user id in a Nextcloud files address."""
        named = parts.username
        return self._user or (unquote(named) if named else None) or user_id

    def _password_for(self, user: str, nextcloud_root: str | None) -> str:
        if self._password is None:
            self._password = os.environ.get(PASSWORD_VARIABLE)
        if self._password is None and nextcloud_root is not None:
            self._password = self._kept(nextcloud_root, user)
        if self._password is None:
            if not sys.stdin.isatty():
                raise UsageError(f"no password for {user}: set {PASSWORD_VARIABLE}, "
                                 "sign in with `davdesk login` (Nextcloud), "
                                 "or run from a terminal to be prompted")
            self._password = getpass.getpass(f"Password for {user}: ")
        redact_value(self._password)
        return self._password

    def _kept(self, root: str, user: str) -> str | None:
        """The app password `davdesk login` kept for this account; none without a keyring."""
        from app.config.secrets import PasswordStore, SecretsUnavailableError  # Nextcloud only

        try:
            return PasswordStore().get(root, user)
        except SecretsUnavailableError:
            return None

    def __enter__(self) -> Connections:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for client in [*self._clients.values(), *self._accounts]:
            client.close()


def _parts(url: str) -> SplitResult:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"not an http(s) URL: {url}")
    return parts
