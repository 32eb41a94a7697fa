"""One DavClient per server a command touches, with credentials from the environment.

Passwords never come from an argument (other users can read the process
list): DAVDESK_PASSWORD, else the app password `davdesk login` kept in the
keyring for a Nextcloud, else a prompt when there is a terminal to prompt on.

A Nextcloud files address (.../remote.php/dav/files/USERID/...) gets a client
that speaks the server's WebDAV extensions (chunked uploads, checksums, its
name rules), found out with two small requests when the client is made. So
does any other address of a Nextcloud, as the window finds it: that of an
account kept here (app/cli/accounts.py), or the server's bare address or a
URL pasted from the browser, where status.php says a Nextcloud answers.
"""

from __future__ import annotations

import argparse
import getpass
import os
import ssl
import sys
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit, urlunsplit

from app.dav import DavClient, errors
from app.logs import redact_value
from app.nextcloud.account import NextcloudAccount, files_address
from app.session import PASSWORD_VARIABLE

if TYPE_CHECKING:  # the sign-in is loaded when a Nextcloud address is met, not for any other
    from app.cli.accounts import KeptAccount
    from app.nextcloud.connect import NextcloudConnection, Speaking


class UsageError(Exception):
    """A mistake in the command line; reported in one line with exit status 2."""


def verify_of(args: argparse.Namespace) -> bool | ssl.SSLContext:
    """How the command checks certificates: --trust pins one, --insecure none, else the
    system's CAs decide."""
    if args.trust:
        from app.dav.tls import verify_for  # a pinned certificate: loaded for --trust alone

        return verify_for(args.trust, None)
    return not args.insecure


def certificate_hint(refused: errors.CertificateError, pinned: str | None) -> str:
    """What to do about a refused certificate: the fingerprint the server presents now (read
    with a handshake alone, so no credentials go to it), to check and pass to --trust."""
    from app.dav.tls import fetch_certificate

    try:
        presented = fetch_certificate(refused.url, timeout=5.0).sha256
    except errors.DavError:
        return ""
    if pinned == presented:  # it changed back meanwhile: nothing to add
        return ""
    return (
        f"the server presents the certificate SHA256:{presented}; if you trust it, "
        f"run again with --trust SHA256:{presented}"
    )


class Connections:
    """Clients keyed by origin, closed together when the command ends."""

    def __init__(self, user: str | None, workers: int, verify: bool | ssl.SSLContext) -> None:
        self._user = user
        self._workers = workers
        self._verify = verify
        self._clients: dict[str, DavClient] = {}
        self._accounts: list[DavClient] = []  # nextcloud()'s, closed with the others
        self._password: str | None = None
        #: Origin -> the Nextcloud account found from an address of it that is not its files
        #: address: such addresses name folders of that account's files.
        self._roots: dict[str, NextcloudAccount] = {}
        #: Client -> its Nextcloud capabilities still on their way (resolve(meanwhile=True)).
        self._speaking: dict[DavClient, Speaking] = {}
        #: The user name of the last client made (what a 401 is about), and whether an
        #: address had no scheme (https was guessed: a plain http server is then said so).
        self.user: str | None = None
        self.guessed_https = False
        self.signing_in: tuple[str, str] | None = None

    def resolve(self, url: str, *, meanwhile: bool = False) -> tuple[DavClient, str]:
        """The client for a URL's server and the decoded path on it.

        meanwhile: a Nextcloud's capabilities may still be on their way, and nothing has been
        asked on the client yet: the caller's first request is a WebDAV listing (it opens the
        session: app.nextcloud.connect.Speaking), it lists folders meanwhile, and calls
        ready(client) before it plans or sends anything else.
        """
        client, path = self._resolve(url, meanwhile)
        if not meanwhile:
            self.ready(client)
        return client, path

    def ready(self, client: DavClient) -> None:
        """The client speaks every extension of its server from now on: a Nextcloud's
        capabilities that resolve(meanwhile=True) left on their way have arrived."""
        speaking = self._speaking.pop(client, None)
        if speaking is not None:
            speaking.wait()

    def _resolve(self, url: str, meanwhile: bool) -> tuple[DavClient, str]:
        if "://" not in url:
            url, self.guessed_https = "https://" + url, True
        parts = _parts(url)
        host = parts.netloc.rpartition("@")[2]
        origin = f"{parts.scheme}://{host}"
        if origin not in self._clients and files_address(url) is None:
            found = self._nextcloud_address(url, parts)
            if found is not None:
                self._clients[origin] = found.client
                self._roots[origin] = found.account
        if origin in self._roots and files_address(url) is None:  # not its files address
            account = self._roots[origin]
            return self._clients[origin], account.files_path + _files_folder(url, account.root_path)
        if origin not in self._clients:
            nextcloud = files_address(url)
            user = self._user_for(parts, nextcloud[1] if nextcloud else None)
            self.user = user
            client = DavClient(
                urlunsplit((parts.scheme, host, "/", "", "")),
                user=user,
                password=self._password_for(user, nextcloud[0] if nextcloud else None)
                if user
                else None,
                workers=self._workers,
                verify=self._verify,
                basic_first=nextcloud is not None,  # a Nextcloud takes Basic, and nothing else
            )
            self._clients[origin] = client
            if nextcloud is not None and user:
                from app.nextcloud.connect import Speaking

                account = NextcloudAccount(nextcloud[0], nextcloud[1], user)
                self._speaking[client] = Speaking(client, account, meanwhile=meanwhile)
        return self._clients[origin], unquote(parts.path or "/", errors="surrogateescape")

    def _nextcloud_address(self, url: str, parts: SplitResult) -> NextcloudConnection | None:
        """The account behind a Nextcloud address that is not a files address: one kept
        here for its server, else, for the bare address or a page of the web interface,
        the Nextcloud that status.php finds there. None for any other server."""
        bare = (parts.path or "/") == "/" or _below_root(parts.path)
        if _may_keep_account(url):
            from app.cli.accounts import kept_accounts

            self.user = self._user_for(parts, None)
            kept = kept_accounts(url, self.user)
            if kept:
                return self.nextcloud(url, kept=kept)
        if not bare:
            return None  # a plain WebDAV folder: no probe for every command
        from app.session.probe import nextcloud_root

        root = nextcloud_root(url, self._verify)
        return None if root is None else self.nextcloud(url, root_url=root)

    def nextcloud(
        self,
        address: str,
        *,
        kept: list[KeptAccount] | None = None,
        root_url: str | None = None,
        kept_password: bool = False,
    ) -> NextcloudConnection:
        """A signed-in Nextcloud account for any address of it (discovery finds the rest).

        The account is the one named (--user, the address), else the one kept here
        for the server. kept_password: sign in with the app password kept here, never
        DAVDESK_PASSWORD (signing out revokes what it signs in with).
        """
        from app.cli.accounts import kept_accounts

        parts = _parts(address if "://" in address else "https://" + address)
        host = parts.netloc.rpartition("@")[2]
        known = files_address(address)
        user = self._user_for(parts, None)
        kept = kept if kept is not None else kept_accounts(address, user)
        if user is None and len(kept) > 1:
            raise UsageError(
                f"{len(kept)} accounts are kept for {host}: "
                f"{', '.join(k.login_name for k in kept)}; give --user"
            )
        user = user or (kept[0].login_name if kept else known[1] if known else None)
        if not user:
            raise UsageError(
                f"whose account? give --user, put it in the address "
                f"(https://alice@{host}/) or sign in with `davdesk login {host}`"
            )
        self.user = user
        root = kept[0].root_url if kept else known[0] if known else root_url
        if root is None:  # found here, so that the keyring can be asked for the account
            from app.nextcloud.discovery import find_server

            root = find_server(address, verify=self._verify).root_url
        #: The server's root and login name of the account being signed in to.
        self.signing_in = (root, user)
        if kept_password:
            password = self._kept(root, user)
            if password is None:
                raise UsageError(
                    f"no app password is kept here for {user} on {host}: nothing to sign out of"
                )
            redact_value(password)
        else:
            password = self._password_for(user, root)
        files = kept[0].account.files_url if kept else address
        from app.nextcloud.connect import connect

        found = connect(
            files,
            login=user,
            password=password,
            workers=self._workers,
            verify=self._verify,
            root_url=root,
        )
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
                raise UsageError(
                    f"no password for {user}: set {PASSWORD_VARIABLE}, "
                    "sign in with `davdesk login` (Nextcloud), "
                    "or run from a terminal to be prompted"
                )
            try:
                self._password = getpass.getpass(f"Password for {user}: ")
            except EOFError:  # Ctrl-D: the prompt ends, and so does the command, in one line
                print(file=sys.stderr)
                raise UsageError("no password given") from None
            except KeyboardInterrupt:  # Ctrl-C: "interrupted" goes on a line of its own
                print(file=sys.stderr)
                raise
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
        for speaking in self._speaking.values():  # nobody waited: the command ended before
            speaking.ended()
        for client in [*self._clients.values(), *self._accounts]:
            client.close()


def _may_keep_account(url: str) -> bool:
    """Whether an account may be kept for the server of url: its origin is in the bookmarks
    file. A look at the file's text, so that a listing of any other server reads no more."""
    from app.config.paths import AppPaths

    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
    try:
        text = (AppPaths.default().config / "bookmarks.json").read_text(errors="replace")
    except OSError:
        return False
    return origin in text


def _below_root(path: str) -> bool:
    """Whether a path is a page of a Nextcloud's web interface or API, not a WebDAV folder."""
    return any(
        marker in path
        for marker in (
            "/index.php",
            "/apps/",
            "/login",
            "/status.php",
            "/ocs/",
            "/remote.php/webdav",
            "/s/",
        )
    )


def _files_folder(url: str, root_path: str) -> str:
    """The account's folder an address of its server names, relative to its files: the one
    a web-interface URL shows (?dir=/Photos: "Photos/"), else what follows the server's
    root ("https://cloud.example/Photos/": "Photos/"), the files root for the bare address."""
    parts = urlsplit(url)
    if _below_root(parts.path):
        folder = parse_qs(parts.query).get("dir", [""])[0].strip("/")
        return f"{folder}/" if folder else ""
    path = unquote(parts.path or "/", errors="surrogateescape")
    return path[len(root_path) :] if path.startswith(root_path) else ""


def _parts(url: str) -> SplitResult:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"not an http(s) URL: {url}")
    return parts
