"""The first window's connection check and listing, begun the moment the process starts.

`davdesk URL` spends its first few hundred milliseconds loading Qt and
building the window, and only then would it check the address
(open_checked: is it a Nextcloud, does the password work, where does the
share begin) and ask the server for the folder. Here both go out on a
thread of its own before Qt is loaded (app/__main__.py starts it), so the
server's work and the transfers overlap the start-up, and the window shows
the listing whole, in one model reset, instead of streaming it in batches
with a repaint after each. The body is parsed only once the window wants it
(its first megabytes wait in memory meanwhile): parsing while Qt loads would
only take turns with it for the interpreter, which on a busy machine costs
more than it overlaps. (lxml 6.0 does let go of the interpreter while libxml2
parses, in XMLPullParser.feed as in fromstring, but turning each response into
a record is Python; parsing as the body arrived made a 10,000-entry folder
shown 6 % later, median of 11 paired runs of tests/bench/bench_window.py.)

Nothing is asked for it, and nothing read from disk but the keyring, on this
thread: the password is the one the window will use, looked up as it does
(_spec_for_url: the keyring's for the address and user, else DAVDESK_PASSWORD;
none for an address without a user). Where there is neither, the window asks,
and nothing is listed early; --verbose gets nothing early either (its log of
every request begins with the window). The window takes the early look in the
keyring rather than looking again (one look: a locked keyring asks to be
unlocked once), and its own rules decide which password it uses: an early guess
that turns out wrong is only dropped.
The early check never exchanges a password for an app password (that is a
write, and nobody would keep the app password if no window took the check): a
window that would exchange one (a password from the keyring) takes the early
check only where it found a plain WebDAV server, where there is nothing to
exchange, and checks a Nextcloud again itself. The window uses the check only
where it would have made the same one (the same address, user and password,
the system's certificate checks), and the listing only where it is exactly
the one it would have asked for (the same server, folder, user, password and
server extensions); else it drops them and does its own. A check or listing
that failed is made again the usual way, which then says why. No Qt here:
this module is loaded before Qt is.

The price: the first folder is shown when its listing is complete, not
batch by batch as it streams in; for a folder of 100,000 entries the table
stays empty (the status bar saying it is loading) for the two seconds or so
the listing takes, where streaming would have shown the first rows at once.
"""

from __future__ import annotations

import argparse
import os
import ssl
import threading
from collections.abc import Callable
from functools import partial
from typing import NoReturn
from urllib.parse import unquote, urlsplit, urlunsplit

from app.config.secrets import PasswordStore, SecretsUnavailableError
from app.dav import DavClient
from app.session import PASSWORD_VARIABLE
from app.session.sign_in import open_checked
from app.session.spec import ConnectionSpec
from app.ui.models.listing_cache import Listing, LoadTicket, folder_path, stream_listing
from app.ui.models.row_order import in_first_order


class _QuietParser(argparse.ArgumentParser):
    """Reads the address and the user off the window's command line; a mistake in it is
    left to the window's own parser to report."""

    def error(self, message: str) -> NoReturn:
        raise ValueError(message)


def _address_and_user(argv: list[str]) -> tuple[str, str | None] | None:
    parser = _QuietParser(add_help=False)
    parser.add_argument("url", nargs="?")
    parser.add_argument("--user", "-u")
    parser.add_argument("--verbose", action="store_true")
    try:
        known, _ = parser.parse_known_args(argv)
    except ValueError:
        return None
    # --verbose logs every request, and the log is set up only with the window: its
    # requests are made there, where they are logged.
    if not known.url or known.verbose:
        return None
    return known.url, known.user


def _clean_address(url: str) -> str:
    """The address as the window opens it: without the user name, the query or the fragment."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path or "/", "", ""))


#: Seconds the listing waits for a window to want it before it is dropped (a later davdesk
#: that handed its address to a running one, a window that opened elsewhere).
PATIENCE = 30.0


class _NoPassword(Exception):
    """Neither the keyring nor DAVDESK_PASSWORD has a password: the window asks for one."""


def _saved_password(url: str, user: str, passwords: PasswordStore | None) -> str | None:
    """The keyring's password for the address and user, as app.ui.app._stored_password finds
    it (a keyring that cannot be read has none)."""
    try:
        return passwords.get(url, user) if passwords is not None else None
    except SecretsUnavailableError:
        return None


class _Unwanted(Exception):
    """No window wanted the listing: the early thread stops reading it."""


class _WhenWanted:
    """The early listing's turn to parse (DavClient.iter_propfind's turn): taken once a
    window wants the listing."""

    def __init__(self) -> None:
        self._wanted = threading.Event()

    def want(self) -> None:
        self._wanted.set()

    def __enter__(self) -> None:
        if not self._wanted.wait(PATIENCE):
            raise _Unwanted("no window wanted the listing")

    def __exit__(self, *exc_info: object) -> None:
        return None


class EarlyListing:
    """One check and one listing on a thread of its own; each taken at most once, by the
    first window."""

    def __init__(
        self, url: str, user: str, password: str | None, passwords: PasswordStore | None = None
    ) -> None:
        """password: the one to use; None: look it up as the window will, on the thread,
        in passwords (the keyring the window will look in; None: DAVDESK_PASSWORD only)."""
        self.url = _clean_address(url)
        self._user = user
        self._password = password
        self._passwords = passwords
        self._saved: str | None = None  # what the keyring said (passwords.get)
        self._saved_taken = False
        self._known = threading.Event()  # _password is the one the window would use
        if password is not None:
            self._known.set()
        self._spec: ConnectionSpec | None = None
        self._checked = threading.Event()  # open_checked has ended (_spec or _check_error)
        self._check_error: BaseException | None = None
        self._check_taken = False
        #: The folder listed (set with the check: where the spec says the window opens).
        self.origin = self.path = ""
        self._listing: Listing | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()  # the listing has ended (_listing or _error)
        self._turn = _WhenWanted()
        self._claimed = False

    @classmethod
    def start(cls, argv: list[str], passwords: PasswordStore | None = None) -> EarlyListing | None:
        """Asked for when the window's command line names an address; None otherwise.

        passwords: the keyring the window will look in (app/__main__.py makes it, and
        app.ui.app.run_gui's Home takes it); None: DAVDESK_PASSWORD only."""
        found = _address_and_user(argv)
        if found is None:
            return None
        url, user = found
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        user = user or (unquote(parts.username) if parts.username else "")
        early = cls(url, user, None if user else "", passwords)
        threading.Thread(target=early._fetch, name="early listing", daemon=True).start()
        return early

    def _fetch(self) -> None:
        if not self._known.is_set():
            try:  # as the window finds it: the keyring's, else DAVDESK_PASSWORD's
                self._saved = _saved_password(self.url, self._user, self._passwords)
                saved = self._saved
                self._password = saved if saved is not None else os.environ.get(PASSWORD_VARIABLE)
            except Exception:  # a keyring failing otherwise: the window's own look says why
                self._password = None
            finally:
                self._known.set()
        if self._password is None:  # the window will ask: nothing to check or list with
            self._check_error = _NoPassword("no password to check the address with")
            self._checked.set()
            self._done.set()
            return
        try:
            try:
                spec = open_checked(self.url, self._user, self._password, True, exchange=False)
                client = spec.client(workers=1)
                # Where open_window opens a window on this spec (when not resuming).
                self.origin = client.origin
                self.path = folder_path(spec.start_path or client.root)
                self._spec = spec
            except BaseException as exc:  # for the window's check, which then checks again
                self._check_error = exc
                raise
            finally:
                self._checked.set()
            with client:
                ticket = LoadTicket(self.path)
                # Nobody shows the batches: each counts as shown when handed over.
                listing = stream_listing(
                    client, ticket, lambda batch: ticket.shown(), turn=self._turn
                )
                self._listing = listing and in_first_order(listing)
        except BaseException as exc:  # for whoever claims the listing, who then lists again
            self._error = exc
        finally:
            self._done.set()

    @property
    def passwords(self) -> PasswordStore | None:
        """The keyring the early listing looked in (the window's, handed in by app.py)."""
        return self._passwords

    def saved_password(
        self, passwords: PasswordStore, url: str, user: str
    ) -> Callable[[], str | None] | None:
        """What gives passwords.get(url, user) as the early thread looked it up (call it on
        a worker thread: it waits for the look-up), once, where that is the keyring, the
        address and the user it looked up; None otherwise. One look for the window and the
        early check: a locked keyring asks to be unlocked once."""
        if self._saved_taken or not (
            passwords is self._passwords and url == self.url and user == self._user
        ):
            return None
        self._saved_taken = True
        return self._saved_result

    def _saved_result(self) -> str | None:
        self._known.wait()
        return self._saved

    def checked(
        self, url: str, user: str, password: str, verify: bool | ssl.SSLContext, exchange: bool
    ) -> Callable[[], ConnectionSpec] | None:
        """What gives the spec open_checked(url, user, password, verify, exchange=exchange)
        would (call it on a worker thread: it waits for the early check), for the address
        checked early, once; None for another address or certificate checks, or once a
        window took it."""
        if self._check_taken or not (url == self.url and user == self._user and verify is True):
            return None
        self._check_taken = True
        return partial(self._checked_spec, password, exchange)

    def _checked_spec(self, password: str, exchange: bool) -> ConnectionSpec:
        """The early check where it is the one asked for; else the one asked for, made now:
        with another password, or where the window would trade a Nextcloud's password for
        an app password (the early check never does)."""
        self._known.wait()
        if password != self._password:
            return open_checked(self.url, self._user, password, True, exchange=exchange)
        self._checked.wait()
        if self._check_error is not None:
            raise self._check_error
        spec = self._spec
        assert spec is not None
        if exchange and spec.account is not None:
            return open_checked(self.url, self._user, password, True, exchange=True)
        return spec

    def claim(
        self, client: DavClient, path: str, user: str, password: str, verify: bool | ssl.SSLContext
    ) -> Callable[[], Listing] | None:
        """What gives the listing of path for a window on client (call it on a worker thread:
        it waits for the request to end), if that is the listing asked for early and no
        window took it yet; None otherwise (also while the early check has not ended: which
        folder it lists is not known until then)."""
        spec = self._spec
        if (
            self._claimed
            or not self._checked.is_set()
            or spec is None
            or not (
                client.origin == self.origin
                and folder_path(path) == self.path
                and user == self._user
                and password == self._password
                and verify is True
                and client.extensions == spec.extensions
            )
        ):
            return None
        self._claimed = True
        return self._result

    def _result(self) -> Listing:
        self._turn.want()
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._listing is not None  # None only for a cancelled ticket: never cancelled
        return self._listing
