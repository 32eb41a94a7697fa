"""Background sync in the window (real servers): a saved pair syncs with nobody pressing
anything, its runs reach the results pane, and the Sync panel's and the tray's actions work."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox

from app.config.autostart import XdgAutostart
from app.config.bookmarks import Bookmark, BookmarkStore
from app.config.pairs import PairStore, SavedPair
from app.config.paths import AppPaths
from app.config.secrets import PasswordStore
from app.config.settings import Settings
from app.dav import DavClient
from app.sync.background.status import PairState
from app.sync.background.types import WatchSettings
from app.ui.add_pair_dialog import AddPairDialog
from app.ui.app import parse_args
from app.ui.background import Background
from app.ui.desktop import TRAY_NOTICE, Desktop, Sync
from app.ui.main_window import MainWindow
from app.ui.sync_icons import pair_icon, tray_icon
from app.ui.sync_panel import SyncPanel
from app.ui.sync_service import Overall, SyncService
from tests.servers import ServerHandle

WAIT = 30_000
# Offscreen Qt has no window stacking, no size hints for a message box's window, and no
# system tray to connect a tray icon's window to.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support raise",
    "This plugin does not support propagateSizeHints",
    "No such signal QPlatformNativeInterface::systemTrayWindowChanged",
)
#: Quick enough for a test; the server is polled by PROPFIND Depth 0 or full scans.
QUICK = WatchSettings(
    poll_interval=1.0,
    full_scan_interval=1.0,
    debounce=0.3,
    settle=0.1,
    first_backoff=0.5,
    max_backoff=2.0,
    workers=2,
)


class Opener:
    """Windows on the test server, as the composition root opens them."""

    def __init__(self, server: ServerHandle) -> None:
        self._server = server
        self.windows: list[MainWindow] = []
        self.clients: list[DavClient] = []
        self.asked = 0

    def open_url(
        self, url: str, user: str | None, bookmark: Bookmark | None = None
    ) -> MainWindow | None:
        return self._window(DavClient(self._server.url).path_of(url))

    def ask(self) -> MainWindow | None:
        self.asked += 1
        return self._window("/")

    def _window(self, path: str) -> MainWindow:
        client = DavClient(self._server.url, user=self._server.user, password=self._server.password)
        self.clients.append(client)
        window = MainWindow(client, path, {}, paths=AppPaths.default())
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.windows.append(window)
        window.show()
        return window


class Rig:
    """A Desktop with background sync over a config folder of the test's own."""

    def __init__(self, qtbot: Any, server: ServerHandle, home: Path) -> None:
        self.qtbot = qtbot
        self.server = server
        self.paths = AppPaths.under(home)
        self.store = PairStore.in_config(self.paths)
        self.bookmarks = BookmarkStore.in_config(self.paths)
        self.bookmarks.add(Bookmark("test", server.url, server.user))
        PasswordStore().set(server.url, server.user, server.password)
        self.settings = Settings.in_config(self.paths)
        self.background = Background(2)
        self.autostart = XdgAutostart(
            home / "xdg" / "autostart" / "davdesk.desktop", ["davdesk", "--background"]
        )
        self.opener = Opener(server)
        self.ended: list[bool] = []
        self.desktop: Desktop | None = None

    def pair(self, name: str, local: Path, folder: str, **fields: Any) -> SavedPair:
        local.mkdir(parents=True, exist_ok=True)
        return self.store.add(
            SavedPair(name, str(local), self.server.url + folder, bookmark="test", **fields)
        )

    def start(self, *argv: str, tray: bool = False, settings: WatchSettings = QUICK) -> Desktop:
        service = SyncService(self.paths, self.background, settings, passwords=PasswordStore())
        sync = Sync(
            service, self.autostart, self.settings, self.bookmarks, self.background, tray=tray
        )
        self.desktop = Desktop(
            self.opener,
            parse_args,
            end=lambda: self.ended.append(True),
            sync=sync,
            bookmarks=self.bookmarks,
        )
        self.desktop.start(parse_args(list(argv)))
        return self.desktop

    @property
    def service(self) -> SyncService:
        assert self.desktop is not None and self.desktop._sync is not None
        return self.desktop._sync.service

    def panel(self, window: MainWindow) -> SyncPanel:
        panel = window.findChild(SyncPanel, "syncPanel")
        assert panel is not None
        return panel

    def wait_state(self, name: str, state: PairState, timeout: int = WAIT) -> None:
        def reached() -> bool:
            status = self.service.status(name)
            return status is not None and status.state is state

        self.qtbot.waitUntil(reached, timeout=timeout)

    def close(self) -> None:
        if self.desktop is not None:
            self.desktop.quit()
            self.desktop.close()
        for window in self.opener.windows:
            if shiboken6.isValid(window):
                window.close()
        self.qtbot.waitUntil(
            lambda: not any(shiboken6.isValid(w) for w in self.opener.windows), timeout=WAIT
        )
        self.background.wait(WAIT)
        for client in self.opener.clients:
            client.close()
        QApplication.setQuitOnLastWindowClosed(True)


@pytest.fixture
def rig(qtbot, wsgidav_server, tmp_path, memory_keyring) -> Iterator[Rig]:
    rig = Rig(qtbot, wsgidav_server, tmp_path / "home")
    yield rig
    rig.close()


def read(path: Path) -> bytes | None:
    """A file's bytes, None while it is not there (a file being written may be short)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def rows(panel: SyncPanel) -> list[tuple[str, str]]:
    items = [panel.list.topLevelItem(n) for n in range(panel.list.topLevelItemCount())]
    return [(item.text(0), item.text(1)) for item in items]


def choose(panel: SyncPanel, name: str) -> None:
    panel.select(name)
    assert panel.selected_name() == name


def answer_next_box(qtbot: Any, button_text: str) -> None:
    """Press a button of the message box about to open (exec blocks: a timer presses it)."""

    def press() -> None:
        box = next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.isVisible()
            ),
            None,
        )
        if box is None:
            QTimer.singleShot(20, press)
            return
        button = next(b for b in box.buttons() if b.text().replace("&", "") == button_text)
        button.click()

    QTimer.singleShot(0, press)


def test_a_saved_pair_syncs_with_nobody_pressing_anything(rig, qtbot, tmp_path):
    local = tmp_path / "Docs"
    (local / "sub").mkdir(parents=True)
    (local / "mine.txt").write_bytes(b"mine")
    rig.server.make_file("docs/theirs.txt", b"theirs")
    rig.pair("Docs", local, "docs/")
    desktop = rig.start()
    [window] = desktop.windows
    panel = rig.panel(window)
    assert (
        panel.objectName() == "syncPanel"
        and window.dockWidgetArea(panel) == Qt.DockWidgetArea.BottomDockWidgetArea
    )

    qtbot.waitUntil(
        lambda: (
            read(rig.server.root / "docs" / "mine.txt") == b"mine"
            and read(local / "theirs.txt") == b"theirs"
        ),
        timeout=WAIT,
    )
    rig.wait_state("Docs", PairState.IDLE)
    qtbot.waitUntil(lambda: rows(panel) == [("Docs", "up to date")], timeout=WAIT)
    # The run is a job in the results pane, each file with its Outcome.
    qtbot.waitUntil(lambda: any(r.outcomes for r in window.results.model.records()), timeout=WAIT)
    records = window.results.model.records()
    paths = {o.path.rsplit("/", 1)[-1] for r in records for o in r.outcomes if o.ok}
    assert {"mine.txt", "theirs.txt"} <= paths
    jobs_before = len(records)

    # A local edit goes up, a change on the server comes down: nobody presses anything.
    (local / "mine.txt").write_bytes(b"mine, edited")
    qtbot.waitUntil(
        lambda: read(rig.server.root / "docs" / "mine.txt") == b"mine, edited", timeout=WAIT
    )
    rig.server.make_file("docs/new.txt", b"new on the server")
    qtbot.waitUntil(lambda: read(local / "new.txt") == b"new on the server", timeout=WAIT)
    qtbot.waitUntil(lambda: len(window.results.model.records()) >= jobs_before + 2, timeout=WAIT)
    # Polls that find nothing add no row.
    rig.wait_state("Docs", PairState.IDLE)
    settled = len(window.results.model.records())
    qtbot.wait(3000)
    assert len(window.results.model.records()) == settled


class Opened(QObject):
    """Catches the URLs QDesktopServices would hand to the file manager."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_the_panels_actions(rig, qtbot, tmp_path):
    local = tmp_path / "Photos"
    rig.server.make_file("photos/p.jpg", b"jpeg")
    rig.server.make_file("elsewhere/x.txt", b"x")
    rig.pair("Photos", local, "photos/", direction="down")
    desktop = rig.start()
    [window] = desktop.windows
    panel = rig.panel(window)
    qtbot.waitUntil(lambda: (local / "p.jpg").exists(), timeout=WAIT)
    rig.wait_state("Photos", PairState.IDLE)
    choose(panel, "Photos")

    # Pause: the pair stops, lastingly; a change on the server waits.
    panel.pause_action.trigger()
    assert panel.pause_action.text() == "Resume" and rows(panel) == [("Photos", "paused")]
    qtbot.waitUntil(lambda: rig.store.get("Photos").paused, timeout=WAIT)
    rig.wait_state("Photos", PairState.PAUSED)  # a look begun before the pause has ended
    rig.server.make_file("photos/q.jpg", b"later")
    qtbot.wait(2500)
    assert not (local / "q.jpg").exists()
    panel.pause_action.trigger()  # Resume
    qtbot.waitUntil(lambda: not rig.store.get("Photos").paused, timeout=WAIT)
    qtbot.waitUntil(lambda: (local / "q.jpg").exists(), timeout=WAIT)

    # Sync Now looks at once.
    rig.server.make_file("photos/r.jpg", b"now")
    choose(panel, "Photos")
    panel.sync_action.trigger()
    qtbot.waitUntil(lambda: (local / "r.jpg").exists(), timeout=WAIT)

    # Open Local Folder: the file manager gets the folder.
    opened = Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    try:
        panel.open_local_action.trigger()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert opened.urls == [QUrl.fromLocalFile(str(local))]

    # Open on Server: the window shows the pair's server folder.
    with qtbot.waitSignal(window.folder_loaded, timeout=WAIT):
        panel.open_server_action.trigger()
    assert window.current_path == "/photos/"

    # Remove: asked first; forgets the pair, deletes no file on either side.
    answer_next_box(qtbot, "Cancel")
    panel.remove_action.trigger()
    assert rig.store.get("Photos") is not None
    answer_next_box(qtbot, "Remove")
    panel.remove_action.trigger()
    qtbot.waitUntil(lambda: rig.store.load() == [], timeout=WAIT)
    assert rows(panel) == [] and panel.empty.isVisible()
    assert sorted(p.name for p in local.iterdir()) == ["p.jpg", "q.jpg", "r.jpg"]
    assert (rig.server.root / "photos" / "p.jpg").read_bytes() == b"jpeg"


def test_sync_this_folder_adds_a_pair_that_then_syncs(rig, qtbot, tmp_path):
    rig.server.make_file("share/s.txt", b"shared")
    desktop = rig.start()
    [window] = desktop.windows
    with qtbot.waitSignal(window.folder_loaded, timeout=WAIT):
        window.navigate("/share/")
    panel = rig.panel(window)
    assert panel.empty.isVisible()
    panel.add_action.trigger()
    qtbot.waitUntil(lambda: window.findChild(AddPairDialog) is not None, timeout=WAIT)
    dialog = window.findChild(AddPairDialog)
    dialog.local.setText(str(tmp_path / "missing"))
    dialog.ok.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT)
    assert "is not a folder" in dialog.error.text()
    local = tmp_path / "Shared here"
    local.mkdir()
    dialog.local.setText(str(local))
    dialog.ok.click()
    qtbot.waitUntil(lambda: rig.store.get("Shared here") is not None, timeout=WAIT)
    saved = rig.store.get("Shared here")
    assert (saved.url, saved.bookmark, saved.direction) == (
        rig.server.url + "share/",
        "test",
        "both",
    )
    qtbot.waitUntil(lambda: (local / "s.txt").exists(), timeout=WAIT)
    qtbot.waitUntil(lambda: panel.selected_name() == "Shared here", timeout=WAIT)

    # A second pair on a folder the first one holds: refused in words.
    panel.add_action.trigger()
    qtbot.waitUntil(
        lambda: any(d.isVisible() for d in window.findChildren(AddPairDialog)), timeout=WAIT
    )
    again = next(d for d in window.findChildren(AddPairDialog) if d.isVisible())
    other = tmp_path / "other"
    other.mkdir()
    again.local.setText(str(other))
    again.ok.click()
    qtbot.waitUntil(lambda: again.error.isVisible(), timeout=WAIT)
    assert "overlaps the server folder" in again.error.text()


def test_sync_this_folder_without_a_bookmark_names_the_user_in_the_pair(rig, qtbot, tmp_path):
    # The window's server is no saved server: the pair keeps the user, for the keyring entry.
    rig.bookmarks.remove("test")
    rig.server.make_file("share/s.txt", b"shared")
    desktop = rig.start()
    [window] = desktop.windows
    with qtbot.waitSignal(window.folder_loaded, timeout=WAIT):
        window.navigate("/share/")
    rig.panel(window).add_action.trigger()
    qtbot.waitUntil(lambda: window.findChild(AddPairDialog) is not None, timeout=WAIT)
    dialog = window.findChild(AddPairDialog)
    local = tmp_path / "Mine"
    local.mkdir()
    dialog.local.setText(str(local))
    dialog.ok.click()
    qtbot.waitUntil(lambda: rig.store.get("Mine") is not None, timeout=WAIT)
    saved = rig.store.get("Mine")
    user_url = rig.server.url.replace("://", f"://{rig.server.user}@", 1)
    assert (saved.url, saved.bookmark) == (user_url + "share/", None)


def test_the_tray_menu(rig, qtbot, tmp_path):
    a, b = tmp_path / "A", tmp_path / "B"
    rig.pair("A", a, "a/", direction="down")
    rig.pair("B", b, "b/", direction="down")
    rig.server.make_dir("a")
    rig.server.make_dir("b")
    desktop = rig.start("--background", tray=True)
    notes: list[tuple[str, str]] = []
    desktop.tray.notified.connect(lambda title, text: notes.append((title, text)))
    assert desktop.windows == [] and rig.opener.asked == 0  # no window at all
    tray = desktop.tray
    assert tray is not None
    qtbot.waitUntil(lambda: tray.icon.isVisible(), timeout=WAIT)
    rig.wait_state("A", PairState.IDLE)
    rig.wait_state("B", PairState.IDLE)
    assert tray.state == Overall.IDLE
    names = [a.objectName() for a in tray.menu.actions() if not a.isSeparator()]
    assert names == ["trayStatus", "trayOpen", "traySyncNow", "trayPauseAll", "trayQuit"]
    assert tray.status_action.text() == "All folders are up to date"

    tray.pause_action.trigger()  # Pause All
    qtbot.waitUntil(lambda: all(p.paused for p in rig.store.load()), timeout=WAIT)
    # The store is written first; the engine's pair states reach the tray after it.
    qtbot.waitUntil(lambda: tray.state == Overall.PAUSED, timeout=WAIT)
    assert tray.pause_action.text() == "&Resume All"
    assert tray.status_action.text() == "Syncing is paused"
    assert "A: paused" in tray.icon.toolTip()
    tray.pause_action.trigger()  # Resume All
    qtbot.waitUntil(lambda: not any(p.paused for p in rig.store.load()), timeout=WAIT)
    qtbot.waitUntil(lambda: tray.pause_action.text() == "&Pause All", timeout=WAIT)

    rig.server.make_file("a/now.txt", b"now")
    tray.sync_action.trigger()  # Sync Now
    qtbot.waitUntil(lambda: (a / "now.txt").exists(), timeout=WAIT)

    tray.open_action.trigger()  # Open Davdesk: the connect dialog, then a window
    assert rig.opener.asked == 1 and len(desktop.windows) == 1
    window = desktop.windows[0]
    # What ran before the window opened is in its results pane, each file's Outcome too.
    qtbot.waitUntil(
        lambda: rig.service.recent and rig.service.recent[-1].bridge is None, timeout=WAIT
    )
    shown = [o.path for r in window.results.model.records() for o in r.outcomes if o.ok]
    assert any(path.endswith("/a/now.txt") for path in shown), shown
    window.close()  # pairs are active: Davdesk stays in the tray, and says so once
    qtbot.waitUntil(lambda: desktop.windows == [])
    assert rig.ended == [] and rig.settings.get(TRAY_NOTICE) is True
    tray.open_action.trigger()
    desktop.windows[0].close()
    qtbot.waitUntil(lambda: desktop.windows == [])
    assert rig.ended == []

    # Notifications: for new conflict copies, and a pair that stopped; never for each file.
    assert notes == [("Davdesk keeps syncing", notes[0][1])]
    (tmp_path / "C").mkdir()
    (tmp_path / "C" / "report.txt").write_bytes(b"mine")
    rig.server.make_file("c/report.txt", b"theirs")
    rig.pair("C", tmp_path / "C", "c/")
    qtbot.waitUntil(lambda: len(notes) == 2, timeout=WAIT)
    assert notes[1][0] == "C: 1 conflict" and "both versions were kept" in notes[1][1]
    assert (tmp_path / "C" / "report.txt").read_bytes() == b"mine"
    qtbot.waitUntil(  # conflict copies badge the tray: files wait for the user
        lambda: (
            tray.state == Overall.ATTENTION
            and tray.status_action.text() == "C: 1 conflict: both versions kept"
        ),
        timeout=WAIT,
    )
    shutil.rmtree(b)  # the local folder of B goes away: B stops, and says why
    qtbot.waitUntil(lambda: len(notes) == 3, timeout=WAIT)
    assert notes[2][0] == "B stopped syncing"
    assert tray.state == Overall.ERROR and not tray.icon.icon().isNull()

    tray.quit_action.trigger()
    assert rig.ended == [True]


def test_without_a_tray_closing_the_window_asks_whether_to_keep_syncing(rig, qtbot, tmp_path):
    rig.pair("A", tmp_path / "A", "a/")
    rig.server.make_dir("a")
    desktop = rig.start(tray=False)
    qtbot.waitUntil(lambda: rig.service.active, timeout=WAIT)
    window = desktop.windows[0]
    answer_next_box(qtbot, "Cancel")
    window.close()
    assert desktop.windows == [window] and window.isVisible()
    answer_next_box(qtbot, "Keep Syncing")
    window.close()
    qtbot.waitUntil(lambda: desktop.windows == [])
    assert rig.ended == []  # still syncing, with no visible UI
    desktop.handle([])  # `davdesk` again
    assert len(desktop.windows) == 1
    answer_next_box(qtbot, "Quit Davdesk")
    desktop.windows[0].close()
    qtbot.waitUntil(lambda: rig.ended == [True])


def test_start_at_login_switch(rig, qtbot):
    desktop = rig.start()
    panel = rig.panel(desktop.windows[0])
    box = panel.autostart_box
    qtbot.waitUntil(box.isEnabled, timeout=WAIT)
    assert not box.isChecked()
    box.click()
    qtbot.waitUntil(lambda: rig.autostart.path.exists() and box.isEnabled(), timeout=WAIT)
    assert "Exec=davdesk --background" in rig.autostart.path.read_text()
    box.click()
    qtbot.waitUntil(lambda: not rig.autostart.path.exists() and box.isEnabled(), timeout=WAIT)


def test_a_pair_added_by_the_cli_signs_in_as_the_saved_server_it_lies_in(
    qtbot, apache_server, tmp_path, memory_keyring
):
    # Apache serves the test's folder below the root: the bookmark's URL is not the origin's.
    rig = Rig(qtbot, apache_server, tmp_path / "home")
    try:
        local = tmp_path / "cli"
        local.mkdir()
        apache_server.make_file("cli/from-server.txt", b"s")
        url = apache_server.url.replace("://", f"://{apache_server.user}@") + "cli/"
        rig.store.add(SavedPair("cli", str(local), url))  # no bookmark, as `pair add` saves
        rig.start()
        qtbot.waitUntil(lambda: read(local / "from-server.txt") == b"s", timeout=WAIT)
    finally:
        rig.close()


def test_a_failure_of_a_background_run_is_retried_from_the_results_pane(
    qtbot, apache_server, tmp_path, memory_keyring
):
    rig = Rig(qtbot, apache_server, tmp_path / "home")
    colleague = DavClient(
        apache_server.url, user=apache_server.user, password=apache_server.password
    )
    try:
        local = tmp_path / "up"
        local.mkdir()
        (local / "a.txt").write_bytes(b"v1")
        apache_server.make_dir("up")
        rig.pair("Up", local, "up/", direction="up")
        slow = WatchSettings(
            poll_interval=600,
            full_scan_interval=600,
            debounce=0.3,
            settle=0.1,
            first_backoff=600,
            max_backoff=600,
            workers=2,
        )
        window = rig.start(settings=slow).windows[0]
        on_server = apache_server.root / "up" / "a.txt"
        qtbot.waitUntil(lambda: read(on_server) == b"v1", timeout=WAIT)
        rig.wait_state("Up", PairState.IDLE)
        held = colleague.lock(colleague.root + "up/a.txt", owner="colleague")
        (local / "a.txt").write_bytes(b"v2")  # its upload meets the colleague's lock: 423

        def locked() -> bool:
            return any(
                o.path.endswith("/a.txt") and o.status == 423
                for r in window.results.model.records()
                for o in r.outcomes
            )

        qtbot.waitUntil(locked, timeout=WAIT)
        qtbot.waitUntil(window.results.retry_failed.isEnabled, timeout=WAIT)
        assert read(on_server) == b"v1"
        colleague.unlock(colleague.root + "up/a.txt", held.token)
        window.results.retry_failed.trigger()
        qtbot.waitUntil(lambda: read(on_server) == b"v2", timeout=WAIT)
    finally:
        colleague.close()
        rig.close()


def test_every_state_has_its_icon(qtbot):
    trays = [tray_icon(overall).pixmap(22).toImage() for overall in Overall]
    assert all(not image.isNull() for image in trays)
    assert all(a != b for n, a in enumerate(trays) for b in trays[n + 1 :])  # told apart
    assert all(not pair_icon(state).isNull() for state in PairState)


def test_a_wide_panel_shows_a_pair_s_state_whole(rig, qtbot, tmp_path):
    """The state takes the width a wide window has; the addresses beside it keep theirs."""
    (tmp_path / "Team").mkdir()
    rig.store.add(SavedPair("Team", str(tmp_path / "Team"), "http://127.0.0.1:9/team/", "both"))
    desktop = rig.start()
    [window] = desktop.windows
    window.resize(1600, 1000)
    panel = rig.panel(window)
    rig.wait_state("Team", PairState.WAITING)
    qtbot.waitUntil(lambda: rows(panel) and rows(panel)[0][1].startswith("server"), timeout=WAIT)
    panel.raise_()
    qtbot.waitUntil(lambda: panel.list.viewport().width() > 1500, timeout=WAIT)
    header = panel.list.header()
    others = [header.sectionSize(c) for c in (0, 2, 3, 4)]
    assert others == [140, 90, 220, 280]  # the name, the time and the folders keep theirs
    assert header.sectionSize(1) == panel.list.viewport().width() - sum(others)
    room = header.sectionSize(1) - panel.list.iconSize().width() - 16  # the icon, the margins
    assert rows(panel)[0][1].startswith("server unreachable: trying again ")
    longest = "server unreachable: trying again in 10 min"
    assert panel.list.fontMetrics().horizontalAdvance(longest) <= room
