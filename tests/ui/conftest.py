"""Opening the main window on the real test servers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from app.dav import DavClient
from app.ui.main_window import MainWindow
from tests.servers import ServerHandle

OpenWindow = Callable[..., MainWindow]


def seed(server: ServerHandle) -> None:
    """A small tree: files, a nested folder, a Unicode name."""
    server.make_file("a.txt", b"alpha\n")
    server.make_file("b.txt", b"bravo bravo\n")
    server.make_file("Docs/readme.md", b"# readme\n")
    server.make_file("Docs/inner/deep.txt", b"deep\n")
    server.make_file("Ünïcode ünï.txt", b"u\n")
    server.make_dir("Empty")


def wait_loaded(qtbot: Any, window: MainWindow, action: Callable[[], object], path: str,
                timeout: int = 10_000) -> None:
    """Run action and wait until the window has shown path's complete listing."""
    with qtbot.waitSignal(window.folder_loaded, timeout=timeout,
                          check_params_cb=lambda loaded: loaded == path):
        action()


def names(window: MainWindow) -> list[str]:
    """The names in the table, in the order shown."""
    proxy = window.proxy
    return [proxy.index(row, 0).data() for row in range(proxy.rowCount())]


@pytest.fixture
def open_window(qtbot: Any) -> Iterator[OpenWindow]:
    """open_window(server, path=None, state=None) -> a shown MainWindow with path listed."""
    clients: list[DavClient] = []

    def open_(server: ServerHandle, path: str | None = None,
              state: dict[str, Any] | None = None, workers: int = 4) -> MainWindow:
        client = DavClient(server.url, user=server.user, password=server.password, workers=workers)
        clients.append(client)
        window = MainWindow(client, path or client.root, {} if state is None else state, workers)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.folder_loaded, timeout=10_000):
            window.show()
        return window

    yield open_
    for client in clients:
        client.close()
