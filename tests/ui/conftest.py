"""Opening the main window on the real test servers, and on the fake Nextcloud."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.config import AppPaths
from app.config.bookmarks import BookmarkStore
from app.config.secrets import PasswordStore
from app.dav import DavClient
from app.session.connection import open_connection
from app.session.spec import ConnectionSpec
from app.ui.background import Background
from app.ui.connect_dialog import ConnectDialog
from app.ui.main_window import MainWindow
from tests.servers import ServerHandle
from tests.servers.nextcloud import NextcloudServer

OpenWindow = Callable[..., MainWindow]
WAIT = 10_000


def seed(server: ServerHandle) -> None:
    """A small tree: files, a nested folder, a Unicode name."""
    server.make_file("a.txt", b"alpha\n")
    server.make_file("b.txt", b"bravo bravo\n")
    server.make_file("Docs/readme.md", b"# readme\n")
    server.make_file("Docs/inner/deep.txt", b"deep\n")
    server.make_file("Ünïcode ünï.txt", b"u\n")
    server.make_dir("Empty")


def wait_loaded(
    qtbot: Any, window: MainWindow, action: Callable[[], object], path: str, timeout: int = 10_000
) -> None:
    """Run action and wait until the window has shown path's complete listing."""
    with qtbot.waitSignal(
        window.folder_loaded, timeout=timeout, check_params_cb=lambda loaded: loaded == path
    ):
        action()


def names(window: MainWindow) -> list[str]:
    """The names in the table, in the order shown."""
    proxy = window.proxy
    return [proxy.index(row, 0).data() for row in range(proxy.rowCount())]


@pytest.fixture
def open_window(qtbot: Any) -> Iterator[OpenWindow]:
    """open_window(server, path=None, state=None) -> a shown MainWindow with path listed."""
    clients: list[DavClient] = []

    def open_(
        server: ServerHandle,
        path: str | None = None,
        state: dict[str, Any] | None = None,
        workers: int = 4,
    ) -> MainWindow:
        client = DavClient(server.url, user=server.user, password=server.password, workers=workers)
        clients.append(client)
        window = MainWindow(
            client,
            path or client.root,
            {} if state is None else state,
            workers,
            paths=AppPaths.default(),
        )
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.folder_loaded, timeout=10_000):
            window.show()
        return window

    yield open_
    for client in clients:
        client.close()


@pytest.fixture
def open_nextcloud(qtbot: Any, memory_keyring: Any) -> Iterator[Callable[..., MainWindow]]:
    """open_nextcloud(server, path=None) -> a shown MainWindow signed in to the account with an
    app password (as the connect dialog leaves it, the keyring holding it), path listed."""
    clients: list[DavClient] = []

    def open_(server: NextcloudServer, path: str | None = None) -> MainWindow:
        spec: ConnectionSpec = open_connection(server.files_url, server.login_name, server.password)
        PasswordStore().set(spec.url, spec.user, spec.password)
        client = spec.client()
        clients.append(client)
        window = MainWindow(
            client,
            path or spec.start_path,
            {},
            paths=AppPaths.default(),
            account=spec.account,
            passwords=PasswordStore(),
        )
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.folder_loaded, timeout=10_000):
            window.show()
        return window

    yield open_
    for client in clients:
        client.close()


# -- the connect dialog ----------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> BookmarkStore:
    return BookmarkStore.in_config(AppPaths.under(tmp_path / "home"))


@pytest.fixture
def background() -> Iterator[Background]:
    background = Background(threads=2)
    yield background
    background.wait(WAIT)


@pytest.fixture
def make_dialog(qtbot, background, store, memory_keyring):
    """make_dialog() -> a shown ConnectDialog over the test's bookmarks and in-memory keyring."""

    def make() -> ConnectDialog:
        dialog = ConnectDialog(background, store, PasswordStore())
        qtbot.addWidget(dialog)
        dialog.show()
        # The bookmarks load in the background; wait for that before touching the form.
        background.wait(WAIT)
        qtbot.wait_until(lambda: dialog.bookmark_combo.count() == 1 + len(store.load()))
        return dialog

    return make


def fill(dialog: ConnectDialog, url: str, user: str, password: str) -> None:
    dialog.url_edit.setText(url)
    dialog.user_edit.setText(user)
    dialog.password_edit.setText(password)


def connect(qtbot, dialog: ConnectDialog) -> None:
    """Press Connect and wait until the dialog has either accepted or shown an error."""
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(
        lambda: dialog.result() == dialog.DialogCode.Accepted or dialog.error_label.isVisible(),
        timeout=WAIT,
    )
