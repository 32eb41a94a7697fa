"""Files a background sync will not touch, in the window (wsgidav, pytest-qt): the pair's
state says it in words in the Sync panel and the tray, each file is a row of the results
pane with its reason, and the tray says it once, not on every look."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.sync.background.status import PairState
from app.ui.sync_service import Overall
from tests.ui.test_background_sync import WAIT, Rig, read, rows

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


BAD = "bad\x07name.txt"  # a control character: the server would refuse it
SHOWN = "bad\\x07name.txt"  # as a line of text shows it
WHY = f"not uploaded: the name {BAD!r} contains a control character"


def refused_rows(window: Any) -> list[tuple[str, str, str]]:
    """(name, problem, note) of every refused row in the window's results pane."""
    model = window.results.model
    return [
        (outcome.path.rpartition("/")[2], model.problem(outcome), record.note(number))
        for record in model.records()
        for number, outcome in enumerate(record.outcomes)
        if outcome.reason == "refused"
    ]


def test_a_refused_file_is_shown_in_the_pane_and_the_tray_says_it_once(rig, qtbot, tmp_path):
    local = tmp_path / "Docs"
    local.mkdir()
    (local / BAD).write_bytes(b"bad")
    (local / "fine.txt").write_bytes(b"fine")
    rig.server.make_dir("docs")
    rig.pair("Docs", local, "docs/")
    desktop = rig.start(tray=True)
    tray = desktop.tray
    assert tray is not None
    notes: list[tuple[str, str]] = []
    tray.notified.connect(lambda title, text: notes.append((title, text)))
    looks: list[PairState] = []
    rig.service.changed.connect(
        lambda: looks.append(s.state) if (s := rig.service.status("Docs")) else None
    )
    [window] = desktop.windows
    panel = rig.panel(window)

    rig.wait_state("Docs", PairState.ATTENTION)
    assert read(rig.server.root / "docs" / "fine.txt") == b"fine"
    said = f"not synced: {SHOWN}"
    qtbot.waitUntil(lambda: rows(panel) == [("Docs", said)], timeout=WAIT)
    assert f"  {SHOWN}: {WHY}" in panel.list.topLevelItem(0).toolTip(1)
    # Between two looks (one a second here): a look under way shows as syncing meanwhile.
    qtbot.waitUntil(
        lambda: tray.state == Overall.ATTENTION and tray.status_action.text() == f"Docs: {said}",
        timeout=WAIT,
    )
    qtbot.waitUntil(lambda: refused_rows(window) == [(BAD, "Refused", WHY)], timeout=WAIT)
    # A problem to see, not one Retry Failed would run again (it would be refused again).
    assert all(not r.open_failures for r in window.results.model.records())
    qtbot.waitUntil(lambda: notes != [], timeout=WAIT)
    assert notes == [
        (
            "Docs: 1 file not synced",
            "The sync leaves it alone until you rename, move or delete it: " + SHOWN + f" ({WHY})",
        )
    ]

    # Full looks every second find the same refusal: nothing is said or shown again.
    seen = looks.count(PairState.SCANNING)
    qtbot.waitUntil(lambda: looks.count(PairState.SCANNING) >= seen + 3, timeout=WAIT)
    rig.wait_state("Docs", PairState.ATTENTION)
    assert len(notes) == 1 and refused_rows(window) == [(BAD, "Refused", WHY)]

    (local / BAD).rename(local / "good name.txt")  # the user deals with it
    rig.wait_state("Docs", PairState.IDLE)
    assert read(rig.server.root / "docs" / "good name.txt") == b"bad"
    qtbot.waitUntil(lambda: tray.state == Overall.IDLE, timeout=WAIT)
    assert len(notes) == 1


def test_after_a_restart_the_rows_come_back_but_the_tray_does_not_say_it_again(
    rig, qtbot, tmp_path
):
    local = tmp_path / "Docs"
    local.mkdir()
    (local / BAD).write_bytes(b"bad")
    rig.server.make_dir("docs")
    rig.pair("Docs", local, "docs/")
    notes: list[tuple[str, str]] = []
    for start in (1, 2):  # Davdesk quits and starts again, as at the next login
        if start == 2:
            assert rig.desktop is not None
            rig.desktop.quit()
            rig.desktop.close()
        desktop = rig.start(tray=True)
        assert desktop.tray is not None
        desktop.tray.notified.connect(lambda title, text: notes.append((title, text)))
        [window] = desktop.windows
        rig.wait_state("Docs", PairState.ATTENTION)
        # This process's results pane has the row again: what it shows is this session's.
        qtbot.waitUntil(
            lambda shown=window: refused_rows(shown) == [(BAD, "Refused", WHY)], timeout=WAIT
        )
        qtbot.waitUntil(lambda: len(notes) >= 1, timeout=WAIT)
    assert [title for title, _ in notes] == ["Docs: 1 file not synced"]
