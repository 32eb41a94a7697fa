"""A Nextcloud account in the main window: Sign Out, and nothing of it for plain WebDAV."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

WAIT = 10_000


def test_sign_out_revokes_the_app_password_forgets_it_and_closes_the_window(
    qtbot, nextcloud_server, open_nextcloud, memory_keyring, monkeypatch
):
    window = open_nextcloud(nextcloud_server)
    [app_password] = memory_keyring.passwords.values()
    asked = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda parent, title, text, *a: asked.append(text) or QMessageBox.StandardButton.Yes,
    )
    sign_out = window.findChild(QAction, "actionSignOut")
    assert sign_out is window.commands.sign_out and sign_out.isEnabled()
    assert sign_out in window.menuBar().actions()[0].menu().actions()  # the File menu
    sign_out.trigger()
    assert asked[0].startswith(f"Sign out of {nextcloud_server.user_id} on 127.0.0.1:")
    qtbot.wait_until(lambda: not window.isVisible(), timeout=WAIT)
    assert memory_keyring.passwords == {}
    assert [p.revoked for p in nextcloud_server.app_passwords if p.password == app_password] in (
        [True],
        [],
    )  # revoked, or gone from the list
    assert app_password not in [p.password for p in nextcloud_server.app_passwords if not p.revoked]


# The offscreen platform cannot pass a message box's size limits on, and says so.
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_a_server_that_cannot_revoke_is_said_and_the_password_still_forgotten(
    qtbot, nextcloud_server, open_nextcloud, memory_keyring, monkeypatch
):
    window = open_nextcloud(nextcloud_server)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    nextcloud_server.stop()
    window.commands.sign_out.trigger()
    qtbot.wait_until(
        lambda: window.findChild(QMessageBox, "signOutProblem") is not None, timeout=WAIT
    )
    box = window.findChild(QMessageBox, "signOutProblem")
    assert "did not revoke the app password" in box.informativeText()
    assert "Devices & sessions" in box.informativeText()
    assert memory_keyring.passwords == {}
    box.done(QMessageBox.StandardButton.Close)
    qtbot.wait_until(lambda: not window.isVisible(), timeout=WAIT)


def test_declining_to_sign_out_keeps_everything(
    qtbot, nextcloud_server, open_nextcloud, memory_keyring, monkeypatch
):
    window = open_nextcloud(nextcloud_server)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.No)
    window.commands.sign_out.trigger()
    assert window.isVisible() and len(memory_keyring.passwords) == 1


def test_plain_webdav_has_no_trash_bin_and_no_sign_out(dav_server, open_window):
    window = open_window(dav_server)
    assert window.findChild(QAction, "actionTrashBin") is None
    assert window.findChild(QAction, "actionSignOut") is None
    assert window.account is None
    assert "Trash Bin…" not in [
        a.text().replace("&", "") for a in window.menuBar().actions()[0].menu().actions()
    ]
