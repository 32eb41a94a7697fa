"""Clients for saved pairs, as the window's background sync opens them.

The engine (app.sync.background) sits below this layer: it asks its front end
for each pair's connection through a Connect factory, called on the pair's own
thread whenever the pair starts or reconnects. PairConnector is the window's
factory. A pair saved from the window names its bookmark; one added with
`davdesk pair add` names none, and signs in as the saved server whose folder
holds it. No password is traded for an app password here (nobody would revoke
it): a Nextcloud bookmark's keyring entry already is one.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

from app.config.bookmarks import Bookmark, BookmarkFileError, BookmarkStore
from app.config.pairs import SavedPair
from app.config.secrets import PasswordStore, SecretsUnavailableError
from app.dav import DavClient, DavError
from app.dav.tls import verify_for
from app.session import PASSWORD_VARIABLE
from app.session.connection import open_connection
from app.sync.background.watch_spec import WatchSpec


class PairConnector:
    """A Connect factory for background sync: each pair's client, from its bookmark.

    Called on the engine's threads. The clients it made stay open while their
    pairs use them; close() closes them all once the engine has stopped.
    """

    def __init__(
        self,
        bookmarks: BookmarkStore,
        pair_named: Callable[[str], SavedPair | None],
        workers: int,
        passwords: PasswordStore,
    ) -> None:
        """pair_named: the saved pair of a name, as the front end last read the pairs file;
        passwords: the keyring its composition root chose."""
        self._bookmarks = bookmarks
        self._pair_named = pair_named
        self._workers = workers
        self._passwords = passwords
        self._clients: list[DavClient] = []
        self._lock = threading.Lock()

    def __call__(self, spec: WatchSpec) -> tuple[DavClient, str]:
        """A client for the pair's server and the pair's folder on it: its bookmark's user,
        trust and keyring password. DavError if it cannot be had (the pair then waits)."""
        pair = self._pair_named(spec.name)
        parts = urlsplit(spec.url)
        try:
            if pair is not None and pair.bookmark:
                bookmark = self._bookmarks.get(pair.bookmark)
            else:  # a pair added with `davdesk pair add`: a saved server it lies in, if any
                bookmark = _containing(self._bookmarks.load(), parts)
        except BookmarkFileError as exc:
            raise DavError(f"cannot read the saved servers: {exc}") from exc
        path = unquote(parts.path) or "/"
        if bookmark is not None:
            url, user = bookmark.url, bookmark.user
            verify = verify_for(bookmark.pinned_sha256, bookmark.ca_file)
            app_password = bookmark.kind == "nextcloud"
        else:
            host = parts.netloc.rpartition("@")[2]
            url = urlunsplit((parts.scheme, host, "/", "", ""))
            user = unquote(parts.username or "")
            verify, app_password = True, False
        password = self._password(url, user) if user else ""
        opened = open_connection(
            url, user, password, verify, app_password=app_password, exchange=False
        )
        client = opened.client(workers=self._workers)
        with self._lock:
            self._clients.append(client)
        return client, path

    def close(self) -> None:
        """Close every client made so far; the connector may make new ones afterwards."""
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()

    def _password(self, url: str, user: str) -> str:
        """The keyring's password for the server, else DAVDESK_PASSWORD's, else none (the
        server then refuses, and the pair waits saying so)."""
        try:
            stored = self._passwords.get(url, user)
        except SecretsUnavailableError:
            stored = None
        if stored is not None:
            return stored
        return os.environ.get(PASSWORD_VARIABLE, "")


def _containing(bookmarks: list[Bookmark], pair_url: SplitResult) -> Bookmark | None:
    """The bookmark whose folder holds the pair's, for the same user where the URL names one."""
    host = pair_url.netloc.rpartition("@")[2]
    user = unquote(pair_url.username or "")
    for bookmark in bookmarks:
        parts = urlsplit(bookmark.url)
        root = parts.path if parts.path.endswith("/") else parts.path + "/"
        if (
            (parts.scheme, parts.netloc.rpartition("@")[2]) == (pair_url.scheme, host)
            and pair_url.path.startswith(root)
            and (not user or user == bookmark.user)
        ):
            return bookmark
    return None
