"""The mass-delete guard in the window (wsgidav, pytest-qt): a pair whose server folder was
emptied deletes nothing here; its state says why in the Sync panel, the tray says it once, the
results pane has its row; Delete Here Too (asked first) deletes, Restore Files copies back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.sync.background.status import PairState
from tests.integration.test_sync import tree
from tests.sync.background.test_mass_delete import FILES, empty
from tests.ui.test_background_sync import WAIT, Rig, answer_next_box, choose, rows

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support raise",
    "This plugin does not support propagateSizeHints",
    "No such signal QPlatformNativeInterface::systemTrayWindowChanged",
)

SAID = "held back: all 3 synced files were deleted on the server (or it shows an empty folder)"


@pytest.fixture
def rig(qtbot, wsgidav_server, tmp_path, memory_keyring) -> Iterator[Rig]:
    rig = Rig(qtbot, wsgidav_server, tmp_path / "home")
    yield rig
    rig.close()


def held_rows(window) -> list[str]:
    return [
        outcome.note or ""
        for record in window.results.model.records()
        for outcome in record.outcomes
        if outcome.reason == "held back"
    ]


@pytest.mark.parametrize("word", ["Delete Here Too", "Restore Files"])
def test_an_emptied_server_folder_waits_for_the_users_word_in_the_panel(rig, qtbot, tmp_path, word):
    local = tmp_path / "Docs"
    for rel, data in FILES.items():
        (local / rel).parent.mkdir(parents=True, exist_ok=True)
        (local / rel).write_bytes(data)
    server = rig.server.root / "docs"
    rig.server.make_dir("docs")
    rig.pair("Docs", local, "docs/")
    desktop = rig.start(tray=True)
    assert desktop.tray is not None
    notes: list[tuple[str, str]] = []
    desktop.tray.notified.connect(lambda title, text: notes.append((title, text)))
    [window] = desktop.windows
    panel = rig.panel(window)
    qtbot.waitUntil(lambda: tree(server) == tree(local), timeout=WAIT)
    rig.wait_state("Docs", PairState.IDLE)
    choose(panel, "Docs")
    held = panel.held
    assert not held.delete_action.isVisible() and not held.restore_action.isEnabled()

    # Emptied between two looks (paused meanwhile): a look between two of empty()'s deletes
    # sees a partial delete, which syncs as ever (tests/sync/background/test_mass_delete.py).
    rig.service.set_paused("Docs", True)
    rig.wait_state("Docs", PairState.PAUSED)
    qtbot.waitUntil(lambda: rig.store.get("Docs").paused, timeout=WAIT)  # saved, then resumed
    empty(server)
    rig.service.set_paused("Docs", False)
    qtbot.waitUntil(lambda: not rig.store.get("Docs").paused, timeout=WAIT)
    rig.wait_state("Docs", PairState.ATTENTION)
    qtbot.waitUntil(lambda: rows(panel) == [("Docs", SAID)], timeout=WAIT)
    assert "none is deleted here until you choose" in panel.list.topLevelItem(0).toolTip(1)
    assert held.delete_action.isEnabled() and held.restore_action.isEnabled()
    assert held.delete_action.text() == "Delete Here Too" and held.delete_action.isVisible()
    assert not held.delete_action.icon().isNull() and not held.restore_action.icon().isNull()
    qtbot.waitUntil(lambda: len(held_rows(window)) == 1, timeout=WAIT)
    qtbot.waitUntil(lambda: notes != [], timeout=WAIT)
    assert notes == [
        (
            "Docs: deletes held back",
            SAID[:1].upper() + SAID[1:] + ". Choose Delete Here Too or Restore Files in the "
            "Sync panel.",
        )
    ]
    assert tree(local) == {"sub": None, **FILES}, "nothing deleted here"
    tray = desktop.tray  # its tooltip counts what waits: no "file not synced" for the folder
    qtbot.waitUntil(
        lambda: tray.icon.toolTip().startswith("Davdesk: deletes held back\n"), timeout=WAIT
    )

    if word == "Delete Here Too":
        answer_next_box(qtbot, "Cancel")  # asked first: cancelled, nothing happens
        held.delete_action.trigger()
        assert held.delete_action.isEnabled() and tree(local) == {"sub": None, **FILES}
        answer_next_box(qtbot, "Delete")
        held.delete_action.trigger()
        qtbot.waitUntil(lambda: tree(local) == {}, timeout=WAIT)
        assert tree(server) == {}
    else:
        held.restore_action.trigger()
        qtbot.waitUntil(lambda: tree(server) == {"sub": None, **FILES}, timeout=WAIT)
        assert tree(local) == {"sub": None, **FILES}
    rig.wait_state("Docs", PairState.IDLE)
    qtbot.waitUntil(lambda: not held.delete_action.isVisible(), timeout=WAIT)
    assert len(notes) == 1 and len(held_rows(window)) == 1
