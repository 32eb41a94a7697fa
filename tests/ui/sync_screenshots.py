"""Screenshots of background sync for the docs: the Sync panel and the tray menu.

Not a test: run it on an X display with a tray host (Xvfb and Debian's
trayer), from the repository:

    Xvfb :14 -screen 0 1600x1000x24 &
    DISPLAY=:14 trayer --edge bottom --align right --widthtype request --height 26 &
    DISPLAY=:14 uv run python -m tests.ui.sync_screenshots docs/ 1600x1000

It serves a few folders with wsgidav, saves five pairs in a config folder of
its own (up to date, one with a conflict, one with a file it will not sync,
one paused, one whose server is down, its tooltip shown with the detail behind
its state's words), waits until background sync has done its first runs, and
saves sync-panel-<size>.png and tray-menu-<size>.png with `import -window root`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOME = Path(tempfile.mkdtemp(prefix="davdesk-shots-"))
os.environ["DAVDESK_CONFIG_HOME"] = str(HOME / "davdesk")
os.environ["HOME"] = str(HOME / "home")  # local folders show as ~/Documents
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QToolTip  # noqa: E402

from app.config.autostart import XdgAutostart  # noqa: E402
from app.config.bookmarks import Bookmark, BookmarkStore  # noqa: E402
from app.config.pairs import PairStore, SavedPair  # noqa: E402
from app.config.paths import AppPaths  # noqa: E402
from app.config.secrets import PasswordStore  # noqa: E402
from app.config.settings import Settings  # noqa: E402
from app.dav import DavClient  # noqa: E402
from app.sync.background.status import PairState  # noqa: E402
from app.sync.background.types import WatchSettings  # noqa: E402
from app.ui.app import parse_args  # noqa: E402
from app.ui.background import Background  # noqa: E402
from app.ui.desktop import Desktop, Sync  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from app.ui.sync_panel import SyncPanel  # noqa: E402
from app.ui.sync_service import SyncService  # noqa: E402
from tests.servers import WsgiDavServer  # noqa: E402

TRAY_HEIGHT = 26


def files(root: Path, tree: dict[str, bytes]) -> None:
    for name, data in tree.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


class Opener:
    def __init__(self, server: WsgiDavServer, size: tuple[int, int]) -> None:
        self.server = server
        self.size = size

    def open_url(
        self, url: str, user: str | None, bookmark: Bookmark | None = None
    ) -> MainWindow | None:
        return self.ask()

    def ask(self) -> MainWindow | None:
        client = DavClient(self.server.url, user=self.server.user, password=self.server.password)
        window = MainWindow(client, "/Documents/", {}, paths=AppPaths.default())
        window.setGeometry(0, 0, self.size[0], self.size[1] - TRAY_HEIGHT)
        window.show()
        return window


def wait(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("background sync did not get there")
        QTest.qWait(100)


def main(out: Path, size: tuple[int, int]) -> None:
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Davdesk")
    served = HOME / "server"
    files(
        served,
        {
            "Documents/Budget 2026.ods": b"b" * 48_000,
            "Documents/Letters/offer.odt": b"o" * 9_000,
            "Documents/Scans/receipt.pdf": b"p" * 30_000,
            "Photos/2026/harbour.jpg": b"j" * 250_000,
            "Photos/2026/market.jpg": b"m" * 180_000,
            "Reports/q3.txt": b"the server's q3\n",
            "Projects/plan.md": b"# plan\n",
        },
    )
    local = HOME / "home"
    files(
        local,
        {
            "Documents/notes.txt": b"notes\n",
            "Documents/Scans": b"a file where the server has a folder\n",
            "Reports/q3.txt": b"my q3, edited\n",
            "Projects/todo.txt": b"todo\n",
        },
    )
    (local / "Photos").mkdir()
    (local / "Team").mkdir()
    with WsgiDavServer(served) as server:
        os.environ["DAVDESK_PASSWORD"] = server.password
        paths = AppPaths.default()
        bookmarks = BookmarkStore.in_config(paths)
        bookmarks.add(Bookmark("Office", server.url, server.user))
        store = PairStore.in_config(paths)
        for name, folder, direction, paused in (
            ("Documents", "Documents", "both", False),
            ("Photos", "Photos", "down", False),
            ("Reports", "Reports", "both", False),
            ("Projects", "Projects", "up", True),
        ):
            store.add(
                SavedPair(
                    name,
                    str(local / folder),
                    f"{server.url}{folder}/",
                    direction,
                    bookmark="Office",
                    paused=paused,
                )
            )
        store.add(
            SavedPair(
                "Team", str(local / "Team"), f"http://{server.user}@127.0.0.1:9/team/", "both"
            )
        )
        background = Background(2)
        service = SyncService(
            paths, background, WatchSettings(first_backoff=30), passwords=PasswordStore()
        )
        autostart = XdgAutostart(HOME / "autostart" / "davdesk.desktop", ["davdesk"])
        sync = Sync(service, autostart, Settings.in_config(paths), bookmarks, background)
        desktop = Desktop(Opener(server, size), parse_args, sync=sync, bookmarks=bookmarks)
        desktop.start(parse_args([]))
        window = desktop.windows[0]

        def settled() -> bool:
            states = {name: s.state for name, s in service.statuses.items()}
            return (
                states.get("Documents") is PairState.ATTENTION
                and states.get("Photos") is PairState.IDLE
                and states.get("Reports") is PairState.CONFLICTS
                and states.get("Team") is PairState.WAITING
            )

        wait(settled)
        panel = window.findChild(SyncPanel, "syncPanel")
        panel.raise_()
        panel.select("Reports")
        window.resizeDocks([panel], [300 if size[1] < 800 else 420], Qt.Orientation.Vertical)
        QTest.qWait(800)
        show_tooltip(panel, "Team")  # the detail behind the words of its state
        shoot(out / f"sync-panel-{size[0]}x{size[1]}.png")
        QToolTip.hideText()

        tray = desktop.tray
        assert tray is not None, "no system tray: start trayer on this display first"
        where = tray.icon.geometry()
        menu_size = tray.menu.sizeHint()
        screen = QGuiApplication.primaryScreen().geometry()
        tray.menu.popup(
            QPoint(
                min(where.left(), screen.width() - menu_size.width() - 4),
                where.top() - menu_size.height() - 2,
            )
        )
        tray.menu.setActiveAction(tray.sync_action)
        QTest.qWait(800)
        shoot(out / f"tray-menu-{size[0]}x{size[1]}.png")
        tray.menu.hide()
        desktop.quit()
        desktop.close()
        background.wait()


def show_tooltip(panel: SyncPanel, name: str) -> None:
    """The pair's tooltip as a pointer resting on its state shows it."""
    for row in range(panel.list.topLevelItemCount()):
        item = panel.list.topLevelItem(row)
        if item is not None and item.text(0) == name:
            place = panel.list.visualItemRect(item)
            spot = QPoint(panel.list.header().sectionPosition(1) + 60, place.center().y())
            where = panel.list.viewport().mapToGlobal(spot)
            QToolTip.showText(where, item.toolTip(1), panel.list.viewport())
            QTest.qWait(800)
            return


def shoot(path: Path) -> None:
    subprocess.run(["import", "-window", "root", str(path)], check=True)
    print(f"saved {path}")


if __name__ == "__main__":
    width, height = (int(n) for n in sys.argv[2].split("x"))
    main(Path(sys.argv[1]), (width, height))
