"""Keyboard and safety: Enter connects, no shortcut is ambiguous on any platform, actions
with nothing to act on are disabled, and with the focus in the tree they act on its folder."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from app.ui.main_window import MainWindow
from app.ui.models.folder_tree import PATH_ROLE
from tests.ui.conftest import WAIT, fill, seed

Key = QKeySequence.StandardKey
#: Qt.Key values from here on are a keyboard's dedicated keys (Back, Copy, Find…), which QTest
#: cannot type on the offscreen platform.
MEDIA_KEYS = Qt.Key.Key_Back.value

#: Qt's standard key bindings on each platform, for the standard keys the window's actions
#: use (Qt's QKeySequence documentation, "Standard Shortcuts"; "Ctrl" is Command on a Mac,
#: "Meta" its Control key). The running platform has only one of these tables: a shortcut
#: that is ambiguous only on another desktop (Ctrl+D is Delete on X11) shows here.
PLATFORM_KEYS: dict[str, dict[Key, tuple[str, ...]]] = {
    "Windows": {
        Key.Delete: ("Del",),
        Key.Back: ("Alt+Left", "Backspace"),
        Key.Forward: ("Alt+Right", "Shift+Backspace"),
        Key.Refresh: ("F5",),
        Key.Copy: ("Ctrl+C", "Ctrl+Ins"),
        Key.Cut: ("Ctrl+X", "Shift+Del"),
        Key.Paste: ("Ctrl+V", "Shift+Ins"),
        Key.Find: ("Ctrl+F",),
        Key.New: ("Ctrl+N",),
        Key.Quit: (),
        Key.Preferences: (),
        Key.Close: ("Ctrl+F4", "Ctrl+W"),
        Key.HelpContents: ("F1",),
    },
    "macOS": {
        Key.Delete: ("Del", "Meta+D"),
        Key.Back: ("Ctrl+[",),
        Key.Forward: ("Ctrl+]",),
        Key.Refresh: (),
        Key.Copy: ("Ctrl+C",),
        Key.Cut: ("Ctrl+X", "Meta+K"),
        Key.Paste: ("Ctrl+V", "Meta+Y"),
        Key.Find: ("Ctrl+F",),
        Key.New: ("Ctrl+N",),
        Key.Quit: ("Ctrl+Q",),
        Key.Preferences: ("Ctrl+,",),
        Key.Close: ("Ctrl+W",),
        Key.HelpContents: ("Ctrl+?",),
    },
    "KDE": {
        Key.Delete: ("Del", "Ctrl+D"),
        Key.Back: ("Alt+Left",),
        Key.Forward: ("Alt+Right",),
        Key.Refresh: ("F5",),
        Key.Copy: ("Ctrl+C", "F16", "Ctrl+Ins"),
        Key.Cut: ("Ctrl+X", "F20", "Shift+Del"),
        Key.Paste: ("Ctrl+V", "F18", "Shift+Ins"),
        Key.Find: ("Ctrl+F",),
        Key.New: ("Ctrl+N",),
        Key.Quit: ("Ctrl+Q",),
        Key.Preferences: ("Ctrl+Shift+,",),
        Key.Close: ("Ctrl+W", "Ctrl+Esc"),
        Key.HelpContents: ("F1",),
    },
    "GNOME": {
        Key.Delete: ("Del", "Ctrl+D"),
        Key.Back: ("Alt+Left",),
        Key.Forward: ("Alt+Right",),
        Key.Refresh: ("Ctrl+R", "F5"),
        Key.Copy: ("Ctrl+C", "F16", "Ctrl+Ins"),
        Key.Cut: ("Ctrl+X", "F20", "Shift+Del"),
        Key.Paste: ("Ctrl+V", "F18", "Shift+Ins"),
        Key.Find: ("Ctrl+F",),
        Key.New: ("Ctrl+N",),
        Key.Quit: ("Ctrl+Q",),
        Key.Preferences: (),
        Key.Close: ("Ctrl+W",),
        Key.HelpContents: ("F1",),
    },
}
#: Which standard key each action takes its shortcuts from.
STANDARD_OF = {
    "actionDelete": Key.Delete,
    "actionBack": Key.Back,
    "actionForward": Key.Forward,
    "actionRefresh": Key.Refresh,
    "actionCopy": Key.Copy,
    "actionCut": Key.Cut,
    "actionPaste": Key.Paste,
    "actionFilter": Key.Find,
    "actionNewFolder": Key.New,
    "actionQuit": Key.Quit,
    "actionPreferences": Key.Preferences,
    "actionHelpContents": Key.HelpContents,
    "actionCloseWindow": Key.Close,
}


def shortcut_actions(window: MainWindow) -> list[QAction]:
    return [a for a in window.findChildren(QAction) if a.shortcuts() and a.objectName()]


def keys_on(action: QAction, platform: dict[Key, tuple[str, ...]]) -> set[str]:
    """The action's shortcuts as they would be on that platform."""
    own = {s.toString() for s in action.shortcuts()}
    standard = STANDARD_OF.get(action.objectName())
    if standard is None:
        return own
    here = {s.toString() for s in QKeySequence.keyBindings(standard)}
    return (own - here) | set(platform[standard])


def select_file(window: MainWindow, name: str) -> None:
    row = window.table_model.row_of(name)
    index = window.proxy.mapFromSource(window.table_model.index(row, 0))
    window.table.selectionModel().select(
        index,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )


def test_no_shortcut_is_shared_by_two_actions_on_any_platform(wsgidav_server, open_window):
    window = open_window(wsgidav_server)
    for platform, table in PLATFORM_KEYS.items():
        owners: dict[str, str] = {}
        for action in shortcut_actions(window):
            for key in keys_on(action, table):
                assert key not in owners, (
                    f"{key} is {owners[key]} and {action.objectName()} on {platform}"
                )
                owners[key] = action.objectName()


def test_every_shortcut_triggers_without_an_ambiguous_overload(wsgidav_server, open_window, qtbot):
    """Qt warns "QAction::event: Ambiguous shortcut overload" (a failure here) and does nothing
    when two enabled actions share a key; every action is enabled with a file selected."""
    seed(wsgidav_server)
    window = open_window(wsgidav_server)
    select_file(window, "a.txt")
    actions = shortcut_actions(window)
    for action in actions:
        action.blockSignals(True)  # the keys reach the actions; nothing runs
    for place in (window.table, window.results.view):
        place.setFocus()
        qtbot.waitUntil(place.hasFocus)
        for action in actions:
            if not action.isEnabled():
                continue
            for sequence in action.shortcuts():
                if sequence[0].key().value < MEDIA_KEYS:  # a keyboard's Copy key: no QTest
                    QTest.keySequence(window.windowHandle(), sequence)
    for action in actions:
        action.blockSignals(False)


def test_actions_with_nothing_to_act_on_are_disabled(wsgidav_server, open_window, qtbot):
    seed(wsgidav_server)
    window = open_window(wsgidav_server)
    a = window.commands
    selectable = (a.delete, a.rename, a.download, a.copy, a.cut)
    assert not any(action.isEnabled() for action in selectable)
    select_file(window, "a.txt")
    assert all(action.isEnabled() for action in selectable)
    window.navigate(window.current_path + "Docs/")  # the listing goes, and the selection
    qtbot.waitUntil(
        lambda: window.browser.current.endswith("/Docs/") and not window.browser.loading,
        timeout=WAIT,
    )
    assert not any(action.isEnabled() for action in selectable)


def test_with_the_focus_in_the_tree_delete_acts_on_the_tree_s_folder(
    wsgidav_server, open_window, qtbot, monkeypatch
):
    seed(wsgidav_server)
    window = open_window(wsgidav_server)
    select_file(window, "a.txt")  # the table's selection is not what the tree's Delete takes
    tree = window.tree
    root = window.tree_model.index(0, 0)
    qtbot.waitUntil(lambda: window.tree_model.rowCount(root) > 0, timeout=WAIT)
    sub = next(
        window.tree_model.index(r, 0, root)
        for r in range(window.tree_model.rowCount(root))
        if window.tree_model.index(r, 0, root).data(PATH_ROLE).endswith("/Empty/")
    )
    tree.setFocus()
    qtbot.waitUntil(tree.hasFocus)
    tree.setCurrentIndex(root)
    assert not window.commands.delete.isEnabled()  # the share itself is never deleted
    tree.setCurrentIndex(sub)
    assert window.commands.delete.isEnabled() and not window.commands.rename.isEnabled()
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda parent, title, text, *a: asked.append(text) or QMessageBox.StandardButton.Yes,
    )
    window.commands.delete.trigger()
    qtbot.waitUntil(lambda: not (wsgidav_server.root / "Empty").exists(), timeout=WAIT)
    assert "Empty" in asked[0] and (wsgidav_server.root / "a.txt").exists()


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
@pytest.mark.parametrize("field", ["url_edit", "user_edit", "password_edit"])
def test_enter_in_a_field_connects(qtbot, make_dialog, wsgidav_server, field):
    dialog = make_dialog()
    fill(dialog, wsgidav_server.url, wsgidav_server.user, wsgidav_server.password)
    getattr(dialog, field).setFocus()
    qtbot.keyClick(getattr(dialog, field), Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: dialog.result() == dialog.DialogCode.Accepted or dialog.error_label.isVisible(),
        timeout=WAIT,
    )
    assert dialog.result() == dialog.DialogCode.Accepted
