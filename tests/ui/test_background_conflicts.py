"""Conflicts of a background sync in the tray (wsgidav, pytest-qt): a pair with conflict
copies badges the tray icon orange (files wait for the user; the pairs keep syncing), its
menu's first line and tooltip count the conflicts in words, and once the copies are dealt
with the badge goes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from app.sync.background.status import PairState
from app.ui.sync_icons import ORANGE, tray_icon
from app.ui.sync_service import Overall
from app.ui.tray import Tray
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


def edited_on_both_sides(rig: Rig, local: Path, folder: str, names: list[str]) -> None:
    """Files never synced, different here and on the server: each a conflict, both kept."""
    rig.server.make_dir(folder)
    for name in names:
        (local / name).parent.mkdir(parents=True, exist_ok=True)
        (local / name).write_bytes(b"mine")
        rig.server.make_file(f"{folder}/{name}", b"theirs")


def conflict_copies(local: Path) -> list[Path]:
    return sorted(p for p in local.rglob("*") if "(conflict " in p.name)


def shown(tray: Tray) -> QImage:
    return tray.icon.icon().pixmap(22).toImage()


def badge_colour(image: QImage) -> QColor:
    """A pixel of the badge's disc, left of its glyph (the badge fills the lower right)."""
    return image.pixelColor(12, 15)


def test_conflicts_badge_the_tray_and_are_counted_in_its_menu(rig, qtbot, tmp_path):
    one, two = tmp_path / "One", tmp_path / "Two"
    rig.pair("One", one, "one/")
    rig.pair("Two", two, "two/")
    edited_on_both_sides(rig, one, "one", ["report.txt"])
    edited_on_both_sides(rig, two, "two", ["a.txt", "sub/b.txt"])
    desktop = rig.start("--background", tray=True)
    tray = desktop.tray
    assert tray is not None
    rig.wait_state("One", PairState.CONFLICTS)
    rig.wait_state("Two", PairState.CONFLICTS)
    assert (one / "report.txt").read_bytes() == b"mine"
    assert [p.read_bytes() for p in conflict_copies(one)] == [b"theirs"]
    # Between two looks (one a second here): a look under way shows as syncing meanwhile.
    qtbot.waitUntil(
        lambda: tray.status_action.text() == "2 folders need a look: 3 conflicts",
        timeout=WAIT,
    )
    qtbot.waitUntil(lambda: tray.state == Overall.ATTENTION, timeout=WAIT)
    badged = tray_icon(Overall.ATTENTION).pixmap(22).toImage()
    assert shown(tray) == badged != tray_icon(Overall.IDLE).pixmap(22).toImage()
    assert badge_colour(badged) == ORANGE
    assert tray.icon.toolTip().splitlines()[0] == "Davdesk: 3 conflicts"

    for copy in conflict_copies(two):  # the user deals with Two's: One's alone are left
        copy.unlink()
    rig.wait_state("Two", PairState.IDLE)
    qtbot.waitUntil(
        lambda: tray.status_action.text() == "One: 1 conflict: both versions kept",
        timeout=WAIT,
    )
    qtbot.waitUntil(lambda: tray.state == Overall.ATTENTION, timeout=WAIT)
    assert tray.icon.toolTip().splitlines()[:2] == [
        "Davdesk: 1 conflict",
        "One: 1 conflict: both versions kept",
    ]

    for copy in conflict_copies(one):
        copy.unlink()
    rig.wait_state("One", PairState.IDLE)
    qtbot.waitUntil(lambda: tray.state == Overall.IDLE, timeout=WAIT)
    assert tray.status_action.text() == "All folders are up to date"
    assert shown(tray) == tray_icon(Overall.IDLE).pixmap(22).toImage()


def test_a_paused_pair_s_conflicts_do_not_badge_the_tray(rig, qtbot, tmp_path):
    """Pause means "leave it for now": the tray says paused, as for any paused pair."""
    local = tmp_path / "One"
    rig.pair("One", local, "one/")
    edited_on_both_sides(rig, local, "one", ["report.txt"])
    desktop = rig.start("--background", tray=True)
    tray = desktop.tray
    assert tray is not None
    rig.wait_state("One", PairState.CONFLICTS)
    tray.pause_action.trigger()
    qtbot.waitUntil(lambda: tray.state == Overall.PAUSED, timeout=WAIT)
    assert tray.status_action.text() == "Syncing is paused"
    assert shown(tray) == tray_icon(Overall.PAUSED).pixmap(22).toImage()


def test_a_conflict_notification_escapes_control_characters(rig, qtbot, tmp_path):
    """A line separator in a name (the local disk allows it) must not break the message."""
    pair = rig.pair("One", tmp_path / "One", "one/")
    rig.server.make_dir("one")
    desktop = rig.start("--background", tray=True)
    tray = desktop.tray
    assert tray is not None
    notes: list[tuple[str, str]] = []
    tray.notified.connect(lambda title, text: notes.append((title, text)))
    rig.service.conflicts_found.emit(pair, ("odd\u2028name.txt",))
    assert notes == [
        ("One: 1 conflict", "Changed on both sides; both versions were kept: odd\\u2028name.txt")
    ]
