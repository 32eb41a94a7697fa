"""The first folder's listing, asked for the moment the window process starts.

`davdesk URL` spends its first few hundred milliseconds loading Qt and
building the window, and only then would it ask the server for the folder.
Here the request goes out on a thread of its own before Qt is loaded
(app/__main__.py starts it), so the server's work and the transfer overlap
the start-up, and the window shows the listing whole, in one model reset,
instead of streaming it in batches with a repaint after each.

Nothing is asked, and nothing read from disk or the keyring, for it: the
password is DAVDESK_PASSWORD's (none for an address without a user; an
address with a user and no such password gets no early listing). The window
uses the listing only where it is exactly the one it would have asked for
(the same server, folder, user and password, the system's certificate
checks, no server extensions); else it drops it and lists the folder as
usual. A listing that failed is asked for again the usual way, which then
says why. No Qt here: this module is loaded before Qt is.
"""

from __future__ import annotations

import argparse
import os
import ssl
import threading
from collections.abc import Callable
from typing import NoReturn
from urllib.parse import unquote, urlsplit

from app.dav import DavClient
from app.dav.extensions import NO_EXTENSIONS
from app.session import PASSWORD_VARIABLE
from app.ui.models.listing_cache import Listing, LoadTicket, folder_path, stream_listing


class _QuietParser(argparse.ArgumentParser):
    """Reads the address and the user off the window's command line; a mistake in it is
    left to the window's own parser to report."""

    def error(self, message: str) -> NoReturn:
        raise ValueError(message)


def _address_and_user(argv: list[str]) -> tuple[str, str | None] | None:
    parser = _QuietParser(add_help=False)
    parser.add_argument("url", nargs="?")
    parser.add_argument("--user", "-u")
    try:
        known, _ = parser.parse_known_args(argv)
    except ValueError:
        return None
    if not known.url:
        return None
    return known.url, known.user


class EarlyListing:
    """One listing asked for on a thread of its own; claimed at most once, by the first window."""

    def __init__(self, url: str, user: str, password: str) -> None:
        parts = urlsplit(url)
        self.origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
        self.path = folder_path(unquote(parts.path or "/", errors="surrogateescape"))
        self._user = user
        self._password = password
        self._listing: Listing | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        self._claimed = False

    @classmethod
    def start(cls, argv: list[str]) -> EarlyListing | None:
        """Asked for when the window's command line names an address; None otherwise."""
        found = _address_and_user(argv)
        if found is None:
            return None
        url, user = found
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        user = user or (unquote(parts.username) if parts.username else "")
        password = os.environ.get(PASSWORD_VARIABLE) if user else ""
        if password is None:  # the window will look in the keyring or ask
            return None
        early = cls(url, user, password)
        threading.Thread(target=early._fetch, name="early listing", daemon=True).start()
        return early

    def _fetch(self) -> None:
        try:
            with DavClient(self.origin + "/", user=self._user or None, password=self._password,
                           workers=1) as client:
                ticket = LoadTicket(self.path)
                # Nobody shows the batches: each counts as shown when handed over.
                self._listing = stream_listing(client, ticket, lambda batch: ticket.shown())
        except BaseException as exc:  # for whoever claims the listing, who then lists again
            self._error = exc
        finally:
            self._done.set()

    def claim(self, client: DavClient, path: str, user: str, password: str,
              verify: bool | ssl.SSLContext) -> Callable[[], Listing] | None:
        """What gives the listing of path for a window on client (call it on a worker thread:
        it waits for the request to end), if that is the listing asked for early and no
        window took it yet; None otherwise."""
        if self._claimed or not (
                client.origin == self.origin and folder_path(path) == self.path
                and user == self._user and password == self._password and verify is True
                and client.extensions == NO_EXTENSIONS):
            return None
        self._claimed = True
        return self._result

    def _result(self) -> Listing:
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._listing is not None  # None only for a cancelled ticket: never cancelled
        return self._listing
