"""The pane's actions where a user finds them, with icons on any desktop, and job rows that say
where each job is: queued, running, finished, failed or cancelled, in words and in icons."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QImage
from PySide6.QtWidgets import QApplication, QToolBar

from app.dav.outcome import OutcomeClass
from app.jobs.model import JobState
from app.jobs.planner import plan_mkdir
from app.ui import icons
from app.ui.results import pane as pane_module
from app.ui.results.pane import class_icons, phase_icons
from app.ui.results.records import Phase
from tests.ui.results.test_pane import wait_for_jobs

#: The objectNames the results pane's issue names, each in the toolbar and the context menu.
NAMED = [
    "actionRetryFailed",
    "actionRetrySelected",
    "actionRetryOverwrite",
    "actionUnlockRetry",
    "actionReauthRetry",
    "actionReveal",
    "actionExportResults",
    "actionShowRaw",
]


@pytest.fixture
def bare_desktop(qapp) -> Iterator[None]:
    """No icon theme at all, as under Xvfb or on a minimal system."""
    name, paths = QIcon.themeName(), QIcon.themeSearchPaths()
    QIcon.setThemeSearchPaths([])
    QIcon.setThemeName("")
    yield
    QIcon.setThemeSearchPaths(paths)
    QIcon.setThemeName(name)


def test_every_named_action_is_in_the_toolbar_and_the_context_menu(wsgidav_server, open_window):
    pane = open_window(wsgidav_server).results
    toolbar = pane.findChild(QToolBar, "resultsToolBar")
    in_toolbar = [a.objectName() for a in toolbar.actions() if not a.isSeparator()]
    menu = pane.context_menu()
    in_menu = [a.objectName() for a in menu.actions() if not a.isSeparator()]
    for name in NAMED:
        assert name in in_toolbar, name
        assert name in in_menu, name
        assert pane.findChild(type(toolbar.actions()[0]), name) is not None
    assert "actionCopyDetails" in in_menu


def test_the_toolbar_shows_an_icon_for_every_action_on_a_bare_desktop(
    wsgidav_server, open_window, bare_desktop, monkeypatch
):
    asked: list[QIcon.ThemeIcon | str] = []

    def recording(theme: QIcon.ThemeIcon | str, fallback: QIcon) -> QIcon:
        asked.append(theme)
        return icons.themed_icon(theme, fallback)

    monkeypatch.setattr(pane_module, "themed_icon", recording)
    pane = open_window(wsgidav_server).results
    toolbar = pane.findChild(QToolBar, "resultsToolBar")
    shown = [a for a in toolbar.actions() if not a.isSeparator()]
    assert shown and all(not a.icon().isNull() for a in shown), [
        a.objectName() for a in shown if a.icon().isNull()
    ]
    names = {theme if isinstance(theme, str) else icons.theme_name(theme) for theme in asked}
    assert {"edit-redo", "document-replace", "dialog-password"} <= names  # Retry, Overwrite,
    missing = sorted(name for name in names if icons.bundled_icon(name) is None)  # Sign In
    assert not missing, f"add resources/icons/<name>.svg for: {missing}"


def image(icon: QIcon) -> QImage:
    return icon.pixmap(16, 16).toImage()


def test_a_cancel_is_grey_and_never_the_red_of_a_failure(qapp):
    classes = class_icons(QApplication.style())
    cancelled, failed = image(classes[OutcomeClass.CANCELLED]), image(classes[OutcomeClass.FAILED])
    assert cancelled != failed
    opaque = [
        cancelled.pixelColor(x, y)
        for x in range(16)
        for y in range(16)
        if cancelled.pixelColor(x, y).alpha() > 200
    ]
    assert opaque and all(
        abs(c.red() - c.green()) < 8 and abs(c.green() - c.blue()) < 8 for c in opaque
    )  # grey, whatever the style's cross looks like


def test_each_phase_has_its_own_icon(qapp):
    phases = phase_icons(class_icons(QApplication.style()))
    images = [image(phases[phase]) for phase in Phase]
    assert all(images[i] != images[j] for i in range(len(images)) for j in range(i))


def test_job_rows_say_queued_running_finished_failed_cancelled(wsgidav_server, open_window, qtbot):
    window = open_window(wsgidav_server)
    base = window.current_path
    model = window.results.model
    bridges = []
    window.operations.job_added.connect(
        lambda bridge, name, queued: bridges.append(bridge) or (not queued and bridge.pause())
    )
    folders = [[f"{base}ok/"], [f"{base}missing/parent/"], [f"{base}never/"]]
    for number, paths in enumerate(folders):
        window.operations.start_job(f"Folders {number}", plan_mkdir(paths), [base])
    phases = phase_icons(class_icons(QApplication.style()))

    def row(number: int) -> tuple[str, QImage]:
        index = model.job_row(bridges[number].job.id)
        return index.data(), image(index.data(Qt.ItemDataRole.DecorationRole))

    qtbot.waitUntil(lambda: model.rowCount() == 3)
    assert [row(n)[0].rsplit(" — ", 1)[1] for n in range(3)] == ["running", "running", "queued"]
    assert row(2)[1] == image(phases[Phase.QUEUED]) and row(0)[1] == image(phases[Phase.RUNNING])

    window.jobs.cards[bridges[2].job.id].cancel.click()  # the queued one
    qtbot.waitUntil(lambda: row(2)[0].endswith("— cancelled"), timeout=10_000)
    assert row(2)[1] == image(phases[Phase.CANCELLED])
    bridges[0].resume()
    bridges[1].resume()
    wait_for_jobs(qtbot, window, 3)
    qtbot.waitUntil(
        lambda: all(b.job.id not in window.jobs.cards for b in bridges[:2]), timeout=10_000
    )
    assert model.record(model.job_row(bridges[0].job.id)).ended.state is JobState.FINISHED
    assert row(0)[0].endswith("— finished") and row(0)[1] == image(phases[Phase.FINISHED])
    assert row(1)[0].endswith("— finished with problems") and "1 failed" in row(1)[0]
    assert row(1)[1] == image(class_icons(QApplication.style())[OutcomeClass.FAILED])
