"""Share Link… and the Sharing tab on the fake Nextcloud: links made, copied, changed,
deleted, and what the server's rules forbid greyed out with the reason."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QGuiApplication

from app.ui.sharing import ShareDialog
from tests.servers.nextcloud import sharing
from tests.ui.test_operations import select

WAIT = 15_000


def open_dialog(qtbot, window, name: str) -> ShareDialog:
    select(window, name)
    assert window.commands.share_link.isEnabled()
    window.commands.share_link.trigger()
    dialog = window.findChild(ShareDialog)
    assert dialog is not None
    qtbot.wait_until(lambda: not dialog.panel.busy, timeout=WAIT)
    return dialog


def server_shares(server) -> list[sharing.LinkShare]:
    return list(sharing.store_of(server.instance).shares.values())


def test_a_folder_link_with_password_and_expiry_is_made_copied_changed_and_deleted(
    nextcloud_server, open_nextcloud, qtbot
):
    (nextcloud_server.files_root / "Docs").mkdir()
    window = open_nextcloud(nextcloud_server)
    panel = open_dialog(qtbot, window, "Docs").panel
    assert panel.status.text() == "Not shared by link yet."
    panel.access.setCurrentIndex(panel.access.findData("upload"))
    panel.use_password.setChecked(True)
    panel.password.setText("open sesame")
    panel.use_expiry.setChecked(True)
    panel.expiry.setDate(panel.expiry.date().currentDate().addDays(3))
    panel.create_button.click()
    qtbot.wait_until(lambda: len(panel.shares) == 1 and not panel.busy, timeout=WAIT)
    [made] = server_shares(nextcloud_server)
    assert made.permissions == 15 and made.password_hash
    assert made.expiration == dt.date.today() + dt.timedelta(days=3)
    assert QGuiApplication.clipboard().text() == panel.link.text() == panel.shares[0].url
    assert panel.status.text() == "Link created and copied."
    panel.use_password.setChecked(False)
    panel.use_expiry.setChecked(False)
    panel.save_button.click()
    qtbot.wait_until(lambda: panel.status.text() == "Link changed.", timeout=WAIT)
    assert made.password_hash is None and made.expiration is None
    panel.delete_button.click()
    qtbot.wait_until(lambda: not panel.shares and not panel.busy, timeout=WAIT)
    assert server_shares(nextcloud_server) == []


def test_what_the_server_forbids_is_greyed_out_with_the_reason(
    make_nextcloud, open_nextcloud, qtbot
):
    server = make_nextcloud(link_sharing=False)
    (server.files_root / "a.txt").write_bytes(b"a")
    (server.files_root / "mine.txt").write_bytes(b"m")
    server.set_permissions("mine.txt", "GDNVW")
    window = open_nextcloud(server)
    select(window, "mine.txt")
    assert not window.commands.share_link.isEnabled()
    panel = open_dialog(qtbot, window, "a.txt").panel
    assert panel.status.text() == "The server does not allow public links."
    assert not panel.create_button.isEnabled()


def test_an_enforced_password_is_asked_for_before_anything_is_sent(
    make_nextcloud, open_nextcloud, qtbot
):
    server = make_nextcloud(share_password_enforced=True)
    (server.files_root / "a.txt").write_bytes(b"a")
    window = open_nextcloud(server)
    panel = open_dialog(qtbot, window, "a.txt").panel
    assert panel.use_password.isChecked() and not panel.use_password.isEnabled()
    panel.create_button.click()
    assert panel.status.text() == (
        "Cannot create the link: the server requires a password for public links."
    )
    assert server_shares(server) == []


def test_the_properties_dialog_has_a_sharing_tab(nextcloud_server, open_nextcloud, qtbot):
    (nextcloud_server.files_root / "a.txt").write_bytes(b"a")
    window = open_nextcloud(nextcloud_server)
    select(window, "a.txt")
    window.commands.properties.trigger()
    dialog = window._properties
    assert dialog is not None
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == ["Properties", "Sharing"]
    panel = dialog.tabs.widget(1)
    qtbot.wait_until(lambda: not panel.busy and not dialog.loading, timeout=WAIT)
    dialog.close()


def test_edit_needs_the_write_permission(nextcloud_server, open_nextcloud):
    (nextcloud_server.files_root / "ro.txt").write_bytes(b"r")
    (nextcloud_server.files_root / "rw.txt").write_bytes(b"w")
    nextcloud_server.set_permissions("ro.txt", "GRDNV")
    window = open_nextcloud(nextcloud_server)
    select(window, "rw.txt")
    assert window.commands.edit.isEnabled()
    select(window, "ro.txt")
    assert not window.commands.edit.isEnabled() and window.commands.open.isEnabled()
