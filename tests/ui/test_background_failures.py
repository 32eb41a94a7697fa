"""A pair that cannot sync, in the window's Sync panel (wsgidav, pytest-qt): its state cell
says it in words a person reads at a glance, the tooltip keeps the technical detail."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QTreeWidgetItem

from app.config.pairs import SavedPair
from app.config.secrets import PasswordStore
from app.sync.background.status import PairState
from app.ui.sync_panel import SyncPanel
from tests.ui.test_background_sync import WAIT, Rig

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support raise",
    "This plugin does not support propagateSizeHints",
    "No such signal QPlatformNativeInterface::systemTrayWindowChanged",
)


@pytest.fixture
def rig(qtbot, wsgidav_server, tmp_path, memory_keyring) -> Iterator[Rig]:
    rig = Rig(qtbot, wsgidav_server, tmp_path / "home")
    yield rig
    rig.close()


def closed_port() -> int:
    """A port nothing listens on: bound, then let go."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def row(panel: SyncPanel, name: str) -> QTreeWidgetItem:
    items = [panel.list.topLevelItem(n) for n in range(panel.list.topLevelItemCount())]
    return next(item for item in items if item is not None and item.text(0) == name)


#: What a state cell must not show: a status code, an errno, a method, an address.
TECHNICAL = re.compile(r"\b\d{3}\b|Errno|http://|GET |PROPFIND|attempts")


def test_an_unreachable_server_reads_as_words_with_the_detail_in_the_tooltip(rig, qtbot, tmp_path):
    port = closed_port()
    (tmp_path / "Team").mkdir()
    rig.store.add(
        SavedPair("Team", str(tmp_path / "Team"), f"http://127.0.0.1:{port}/team/", "both")
    )
    desktop = rig.start()
    [window] = desktop.windows
    panel = window.findChild(SyncPanel, "syncPanel")
    assert panel is not None
    rig.wait_state("Team", PairState.WAITING)
    qtbot.waitUntil(lambda: row(panel, "Team").text(1).startswith("server"), timeout=WAIT)
    cell = row(panel, "Team").text(1)
    assert re.fullmatch(r"server unreachable: trying again (in \d+ s|now)", cell), cell
    assert not TECHNICAL.search(cell)
    tip = row(panel, "Team").toolTip(1).splitlines()
    assert tip[0] == f"Team: {cell}"
    assert f"127.0.0.1:{port}" in tip[1] and "Connection refused" in tip[1]  # the detail


def test_a_refused_password_says_sign_in_again_with_the_401_in_the_tooltip(rig, qtbot, tmp_path):
    rig.server.make_file("docs/a.txt", b"from the server")
    rig.pair("Docs", tmp_path / "Docs", "docs/")
    PasswordStore().set(rig.server.url, rig.server.user, "not the password")
    desktop = rig.start()
    [window] = desktop.windows
    panel = window.findChild(SyncPanel, "syncPanel")
    assert panel is not None
    rig.wait_state("Docs", PairState.ERROR)
    qtbot.waitUntil(lambda: row(panel, "Docs").text(1).startswith("signed out"), timeout=WAIT)
    cell = row(panel, "Docs").text(1)
    assert cell == "signed out: sign in again"
    tip = row(panel, "Docs").toolTip(1).splitlines()
    assert tip[0] == "Docs: signed out: sign in again"
    assert ": 401 " in tip[1] and rig.server.url in tip[1]  # the request and its status

    # Signed in again (the keyring holds the right password): Sync Now uses it, no restart.
    PasswordStore().set(rig.server.url, rig.server.user, rig.server.password)
    panel.select("Docs")
    panel.sync_action.trigger()
    rig.wait_state("Docs", PairState.IDLE)
    assert (tmp_path / "Docs" / "a.txt").read_bytes() == b"from the server"
    qtbot.waitUntil(lambda: row(panel, "Docs").text(1) == "up to date", timeout=WAIT)
    assert len(row(panel, "Docs").toolTip(1).splitlines()) == 2  # the state, the last sync
