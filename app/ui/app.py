"""The desktop program's composition root: what to connect to, then the main window.

`davdesk` asks with the connect dialog; `davdesk URL` opens that location
(password from the keyring, DAVDESK_PASSWORD, or a prompt), as desktop
programs open what they are given; `davdesk --demo` serves sample files on
loopback and opens them. One Davdesk runs per user: a later `davdesk` or
`davdesk URL` hands its arguments to it (single_instance.py) and exits 0;
the running one opens the window or the address (desktop.py), and keeps the
saved folder pairs in step while it runs (`davdesk --background`: with no
window, what start at login runs). Settings are
read before the window exists and written after the program's loop ended,
so the running GUI thread never touches the disk.

Every connection is opened with open_connection, on a pool thread, before
the window exists: a Nextcloud's address then gets the account's files
endpoint and the server's WebDAV extensions, and the window opens at the
folder the address named.

Where this user's Davdesk keeps things (AppPaths) and the keyring are made
here once, as a Home, and handed to the windows, dialogs and services that
read or write them: nothing below looks them up itself
(tests/ui/test_composition.py holds that).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox

from app import __version__
from app.config.paths import AppPaths
from app.config.preferences import PREFERENCES, Preferences
from app.config.secrets import PasswordStore, SecretsUnavailableError
from app.config.settings import Settings
from app.dav import errors
from app.logs import logging_to, redact_value
from app.resource_files import resource
from app.session import PASSWORD_VARIABLE
from app.session.sign_in import Verify, open_checked
from app.session.spec import ConnectionSpec
from app.ui.background import Background
from app.ui.early_listing import EarlyListing
from app.ui.gui_collection import GuiThreadCollection
from app.ui.main_window import LAST_FOLDER, MainWindow
from app.ui.models.listing_cache import folder_path
from app.ui.operations import MAX_RUNNING_JOBS
from app.ui.smoke_test import SmokeTest

if TYPE_CHECKING:
    # What only the one running Davdesk (Desktop: background sync, the tray, File ▸ Connect…)
    # or an action uses is loaded there, when first used: a window on an address or the
    # demo shows without it (tests/integration/test_window_imports.py holds that).
    import subprocess

    from app.config.bookmarks import Bookmark
    from app.sync.background.types import WatchSettings
    from app.ui.desktop import Desktop

T = TypeVar("T")
log = logging.getLogger(__name__)

#: The desktop entry's name (resources/<APP_ID>.desktop), also the window's Wayland app id.
APP_ID = "io.github.davdesk.Davdesk"
WORKERS = 4
#: The window's client serves at once every running job's workers, the window's own pool
#: (listings, properties) and a download dragged out to a file manager (a job of its own):
#: with a connection each, opening a folder never waits for a slot behind an upload's.
CONNECTIONS = WORKERS * (MAX_RUNNING_JOBS + 2)


@dataclass(frozen=True, slots=True)
class Home:
    """This user's Davdesk on this computer: its folders and the keyring."""

    paths: AppPaths
    passwords: PasswordStore

    @classmethod
    def default(cls) -> Home:
        """The platform's folders (or DAVDESK_CONFIG_HOME's) and the system keyring."""
        return cls(AppPaths.default(), PasswordStore())


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="davdesk", description="Davdesk, the desktop window.")
    parser.add_argument("url", nargs="?", help="a WebDAV folder to open (http://user@host/path/)")
    parser.add_argument(
        "--demo", action="store_true", help="serve sample files on loopback and open them"
    )
    parser.add_argument("--user", "-u", help="user name (or put it in the URL)")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="log debug lines and one line per HTTP request (stderr and log file)",
    )
    parser.add_argument(
        "--background",
        action="store_true",
        help="start without a window and sync the saved folder pairs, shown "
        "by an icon in the system tray (what start at login runs)",
    )
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="open the window on --demo or URL, wait for the first folder, "
        "quit: exit status 0 when it worked (offscreen unless "
        "QT_QPA_PLATFORM says otherwise)",
    )
    args = parser.parse_args(argv)
    if args.smoke_test and not (args.demo or args.url):
        parser.error("--smoke-test needs --demo or a URL")
    if args.background and (args.demo or args.url or args.smoke_test):
        parser.error("--background opens no window: not with a URL, --demo or --smoke-test")
    return args


def run_gui(
    argv: list[str], demo: subprocess.Popen[str] | None = None, early: EarlyListing | None = None
) -> int:
    """Run the desktop program until its window closes; returns the exit status.

    demo: the demo server's process when the caller started it ahead (app.demo);
    early: the listing of the address's folder, asked for while Qt loaded.
    """
    # app/__main__.py paused the collector while the window's modules and Qt's types load
    # (objects that live as long as the process: about 150 collections, 30-40 ms of a
    # 10,000-entry folder's start); from the first turn of an event loop it runs in the GUI
    # thread only, with them frozen (app/ui/gui_collection.py says why).
    collection = GuiThreadCollection()
    try:
        args = parse_args(argv)
        home = Home.default()
        if early is not None and early.passwords is not None:  # the keyring it looked in
            home = replace(home, passwords=early.passwords)
        with logging_to(home.paths.log, verbose=args.verbose):
            return _run(args, argv, home, demo, early, collection)
    finally:
        collection.stop()


def _run(
    args: argparse.Namespace,
    argv: list[str],
    home: Home,
    demo: subprocess.Popen[str] | None = None,
    early: EarlyListing | None = None,
    collection: GuiThreadCollection | None = None,
) -> int:
    if args.smoke_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    existing = QApplication.instance()
    assert existing is None or isinstance(existing, QApplication)  # never a bare core app
    app = existing or QApplication(sys.argv[:1])
    app.setApplicationName("Davdesk")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(QIcon(str(resource("davdesk.svg"))))
    if collection is not None:  # at the first turn of an event loop
        QTimer.singleShot(0, partial(collection.start, app))
    if not (args.demo or args.smoke_test):  # those two are self-contained, never handed over
        return _desktop(args, argv, home, early)
    server = None
    spec: ConnectionSpec | None
    if args.demo:
        spec, server = _demo(demo)
    else:
        spec = _spec_for_url(
            args.url, args.user, interactive=not args.smoke_test, home=home, early=early
        )
    if spec is None:
        return 1
    redact_value(spec.password)
    try:
        if args.smoke_test:
            return _smoke_test(spec, home, early)
        return _show(spec, Settings.in_config(home.paths).load(), home)
    finally:
        if server is not None:
            server.communicate(timeout=30)  # closing its stdin stops it


def _show(spec: ConnectionSpec, settings: Settings, home: Home) -> int:
    """The demo's window: one window, the program ends with it."""
    state: dict[str, Any] = dict(settings.get("window", {}))
    open_window(spec, state, resume=False, home=home)
    status = QApplication.exec()
    settings.set("window", state)
    settings.save()
    return status


def _desktop(
    args: argparse.Namespace, argv: list[str], home: Home, early: EarlyListing | None = None
) -> int:
    """The one Davdesk of this user, or a hand-over to it (exit status 0 once it took it).

    With an address its window opens first, and the Desktop (background sync, the tray,
    File ▸ Connect…) is made once that window has shown its folder (desktop_start.py)."""
    from app.ui.desktop_start import DesktopStart, quit_on_signals
    from app.ui.single_instance import AlreadyRunning, SingleInstance

    instance = SingleInstance(home.paths.config)
    if not instance.claim():
        try:
            instance.hand_over(argv)
        except AlreadyRunning as exc:
            print(f"davdesk: {exc}", file=sys.stderr, flush=True)
            return 1
        return 0
    try:
        settings = Settings.in_config(home.paths).load()
        state: dict[str, Any] = dict(settings.get("window", {}))
        opener = _Opener(state, home, early)
        start = DesktopStart(partial(_make_desktop, opener, settings, state, home), instance)
        quit_on_signals(start.quit, start)
        try:
            if not start.start(args, opener):
                return 1
            status = QApplication.exec()
        finally:
            start.close()
        settings.set("window", state)
        settings.save()
        return status
    finally:
        instance.close()


def _make_desktop(
    opener: _Opener, settings: Settings, state: dict[str, Any], home: Home
) -> Desktop:
    """The running Davdesk: its windows, background sync of the saved pairs, the tray."""
    from app.config import autostart
    from app.config.bookmarks import BookmarkStore
    from app.ui.desktop import Desktop, Sync
    from app.ui.sync_service import SyncService

    background = Background(2)
    bookmarks = BookmarkStore.in_config(home.paths)
    sync = Sync(
        SyncService(home.paths, background, _watch_settings(state), passwords=home.passwords),
        autostart.for_platform(),
        settings,
        bookmarks,
        background,
    )
    return Desktop(opener, parse_args, bookmarks=bookmarks, sync=sync)


class _Opener:
    """Windows for the Desktop: on an address, or on what the connect dialog gives."""

    def __init__(
        self, state: dict[str, Any], home: Home, early: EarlyListing | None = None
    ) -> None:
        self._state = state
        self._home = home
        self._early = early

    def open_url(
        self, url: str, user: str | None, bookmark: Bookmark | None = None
    ) -> MainWindow | None:
        spec = _spec_for_url(url, user, bookmark=bookmark, home=self._home, early=self._early)
        if spec is None:
            return None
        redact_value(spec.password)
        return open_window(spec, self._state, resume=False, home=self._home, early=self._early)

    def ask(self) -> MainWindow | None:
        spec = _ask(self._home)
        if spec is None:
            return None
        redact_value(spec.password)
        return open_window(spec, self._state, resume=True, home=self._home)


def _smoke_test(spec: ConnectionSpec, home: Home, early: EarlyListing | None = None) -> int:
    """Like _show, but the window closes itself once it listed a folder; nothing is saved."""
    test = SmokeTest(open_window(spec, {}, resume=False, home=home, early=early))
    QApplication.exec()
    return 1 if test.status is None else test.status


def open_window(
    spec: ConnectionSpec,
    state: dict[str, Any],
    resume: bool,
    home: Home | None = None,
    early: EarlyListing | None = None,
) -> MainWindow:
    """The main window on the spec's location or, with resume, where it was left last time.

    A folder the address itself named (spec.start_path below the root) is
    opened whatever was left last time. The last folder is kept per server in
    state; the window's own LAST_FOLDER entry is moved there when the window
    is destroyed. home: this user's folders and keyring (the platform's by default);
    early: a listing asked for before the window, shown if it is the start folder's.
    """
    home = home or Home.default()
    # The connection pool is sized for the parallel transfers the preferences ask for.
    workers = max(WORKERS, Preferences.from_mapping(state.get(PREFERENCES)).parallel_transfers)
    client = spec.client(workers=CONNECTIONS * workers // WORKERS)
    per_server = f"{LAST_FOLDER}:{client.origin}{client.root}"
    named = folder_path(spec.start_path) if spec.start_path else folder_path(client.root)
    if named != folder_path(client.root):
        start = named
    else:
        start = state.get(per_server, client.root) if resume else client.root
    window = MainWindow(
        client,
        start,
        state,
        workers=workers,
        paths=home.paths,
        account=spec.account,
        passwords=home.passwords if spec.account is not None else None,
        keep_mtime=spec.bookmark is not None and spec.bookmark.keep_mtime,
        bookmark=spec.bookmark,
        first_listing=early.claim(client, start, spec.user, spec.password, spec.verify)
        if early is not None
        else None,
    )

    def remember() -> None:
        state[per_server] = state.pop(LAST_FOLDER, start)
        client.close()

    window.destroyed.connect(remember)
    window.folder_loaded.connect(
        lambda path: log.info(
            "Window on %s showed %s: %d entries", client.origin, path, window.table_model.rowCount()
        ),
        Qt.ConnectionType.SingleShotConnection,
    )  # the first folder: how long a start took, read off the log (tests/bench/bench_window.py)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    return window


def _demo(started: subprocess.Popen[str] | None) -> tuple[ConnectionSpec, subprocess.Popen[str]]:
    from app.demo import start_for_window  # the demo's own: not loaded for an address

    details, process = start_for_window(started)
    return ConnectionSpec(details["url"], details["user"], details["password"]), process


def _spec_for_url(
    url: str,
    user: str | None,
    *,
    interactive: bool = True,
    bookmark: Bookmark | None = None,
    home: Home | None = None,
    early: EarlyListing | None = None,
) -> ConnectionSpec | None:
    """The tested connection to a URL given on the command line; None: said why, stop.

    A password the server refuses is asked for again. One from the keyring
    that a Nextcloud exchanged for an app password (kept by a Davdesk from
    before app passwords) is replaced there by the app password. A folder
    that is not there opens the window anyway, which says so and can go up
    from it. Not interactive (--smoke-test): nothing is asked, failures go to
    stderr. A bookmark's trust (its pinned certificate or CA file) is used as the
    connect dialog uses it, and the window keeps the bookmark (its name, keep mtime).
    home: this user's keyring (the platform's by default); early: the check made as the
    process started, taken where it is the one made here.
    """
    passwords = (home or Home.default()).passwords
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        _tell(f"Not a WebDAV address: {url}", interactive)
        return None
    user = user or (unquote(parts.username) if parts.username else "")
    clean = urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path or "/", "", ""))
    background = Background(1)
    verify: Verify = True
    if bookmark is not None:
        from app.dav.tls import verify_for  # a bookmark's trust: not loaded for an address

        trust, problem = _waited(
            background, lambda: verify_for(bookmark.pinned_sha256, bookmark.ca_file)
        )
        if problem is not None or trust is None:
            from app.ui.connect_words import describe_error  # loaded when there is an error

            reason = describe_error(problem or errors.DavError("no answer"))
            _tell(f"Cannot open {bookmark.name}: {reason}", interactive)
            return None
        verify = trust
    looked_up = early.saved_password(passwords, clean, user) if early is not None else None
    stored, _ = (
        _waited(background, looked_up or (lambda: _stored_password(passwords, clean, user)))
        if user
        else (None, None)
    )
    password = stored if stored is not None else _password(clean, user, refused=False)
    while password is not None:
        # Traded for an app password only when the keyring held it (and so keeps the app
        # password instead); a typed one would leave an app password nobody revokes.
        made_early = (
            early.checked(clean, user, password, verify, stored is not None)
            if early is not None
            else None
        )
        spec, error = _waited(
            background,
            made_early
            or partial(open_checked, clean, user, password, verify, exchange=stored is not None),
        )
        if isinstance(error, errors.NotFoundError):
            return ConnectionSpec(clean, user, password, verify=verify, bookmark=bookmark)
        if spec is not None:
            if stored is not None and spec.password != stored:
                _waited(background, partial(_keep_password, passwords, spec))
            return spec if bookmark is None else replace(spec, bookmark=bookmark)
        if not (interactive and user and isinstance(error, errors.AuthenticationError)):
            from app.ui.connect_words import describe_error

            reason = describe_error(error or errors.DavError("no connection"))
            _tell(f"Cannot open {clean}: {reason}", interactive)
            return None
        stored, password = None, _password(clean, user, refused=True)
    return None


def _tell(message: str, interactive: bool) -> None:
    if interactive:
        QMessageBox.critical(None, "Davdesk", message)
    else:
        print(f"davdesk: {message}", file=sys.stderr, flush=True)


def _waited(background: Background, work: Callable[[], T]) -> tuple[T | None, BaseException | None]:
    """work() run on the pool while the event loop turns (the GUI thread does no I/O)."""
    loop = QEventLoop()
    answer: list[tuple[Any, BaseException | None]] = []

    def done(result: Any, error: BaseException | None) -> None:
        answer.append((result, error))
        loop.quit()

    background.submit(work, done)
    if not answer:
        loop.exec()
    return answer[0]


def _stored_password(passwords: PasswordStore, url: str, user: str) -> str | None:
    try:
        return passwords.get(url, user)
    except SecretsUnavailableError:
        return None


def _keep_password(passwords: PasswordStore, spec: ConnectionSpec) -> None:
    # Without a keyring the old one stays, and is exchanged again next time.
    with contextlib.suppress(SecretsUnavailableError):
        passwords.set(spec.url, spec.user, spec.password)


def _password(url: str, user: str, *, refused: bool) -> str | None:
    """The environment's (unless refused), or the user's answer to a prompt (None: cancelled;
    "" without a user name)."""
    if not user:
        return ""
    if PASSWORD_VARIABLE in os.environ and not refused:
        return os.environ[PASSWORD_VARIABLE]
    question = (
        f"The server refused that password.\nPassword for {user} at {url}:"
        if refused
        else f"Password for {user} at {url}:"
    )
    password, ok = QInputDialog.getText(None, "Davdesk", question, QLineEdit.EchoMode.Password)
    return password if ok else None


def _ask(home: Home) -> ConnectionSpec | None:
    from app.config.bookmarks import BookmarkStore
    from app.ui.connect_dialog import ConnectDialog

    dialog = ConnectDialog(Background(2), BookmarkStore.in_config(home.paths), home.passwords)
    if dialog.exec() != ConnectDialog.DialogCode.Accepted:
        return None
    return dialog.result_connection()


def _watch_settings(state: dict[str, Any]) -> WatchSettings:
    """Background sync's intervals as Edit ▸ Preferences set them (read at start)."""
    from app.sync.background.types import WatchSettings

    preferences = Preferences.from_mapping(state.get(PREFERENCES))
    return WatchSettings(
        poll_interval=float(preferences.sync_poll_seconds),
        full_scan_interval=60.0 * preferences.sync_full_scan_minutes,
    )
