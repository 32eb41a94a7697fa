"""Log in with the browser (Login Flow v2) from the connect dialog, against the fake Nextcloud.

QDesktopServices.openUrl is replaced by the test's browser: it records the
address and, where the test says so, signs in on the server's page as the
user would (server.grant_login).
"""

from __future__ import annotations

from typing import ClassVar

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices

from app.session import sign_in
from app.session.sign_in import MaintenanceError
from app.ui.connect_dialog import ConnectDialog, describe_error
from tests.ui.conftest import WAIT

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def browser(monkeypatch):
    """The addresses opened; grants: the server whose sign-in page the browser completes."""

    class Browser:
        opened: ClassVar[list[str]] = []
        grants = None

        @classmethod
        def open_url(cls, url: QUrl) -> bool:
            cls.opened.append(url.toString())
            if cls.grants is not None:
                cls.grants.grant_login(url.toString())
            return True

    Browser.opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", Browser.open_url)
    return Browser


def log_in_with_browser(qtbot, dialog: ConnectDialog, url: str) -> None:
    dialog.url_edit.setText(url)
    qtbot.mouseClick(dialog.browser_button, Qt.MouseButton.LeftButton)


def ended(dialog: ConnectDialog) -> bool:
    return dialog.result() == dialog.DialogCode.Accepted or dialog.error_label.isVisible()


def test_logging_in_with_the_browser_keeps_an_issued_app_password(
    qtbot, make_dialog, nextcloud_server, browser, store, memory_keyring
):
    server = nextcloud_server
    browser.grants = server
    dialog = make_dialog()
    button = dialog.findChild(type(dialog.browser_button), "loginWithBrowser")
    assert button is dialog.browser_button
    log_in_with_browser(qtbot, dialog, server.root_url)
    qtbot.wait_until(lambda: ended(dialog), timeout=WAIT)
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.error_label.text()

    assert len(browser.opened) == 1 and browser.opened[0].startswith(server.root_url)
    spec = dialog.result_connection()
    issued = {p.password: p for p in server.app_passwords if not p.revoked}
    assert spec.password in issued and spec.password != server.password
    assert issued[spec.password].name.startswith("Davdesk")
    assert (spec.url, spec.user) == (server.files_url, server.login_name)
    assert spec.account is not None and spec.account.user_id == server.user_id
    assert spec.bookmark.kind == "nextcloud" and spec.bookmark.url == server.files_url
    assert store.load() == [spec.bookmark]
    assert memory_keyring.passwords == {
        (f"davdesk {server.root_url}", server.login_name): spec.password
    }
    assert server.password not in store.path.read_text(encoding="utf-8")
    with spec.client() as client:
        assert client.stat(spec.account.files_path).is_dir


def test_the_dialog_waits_visibly_and_cancel_stops_polling_at_once(
    qtbot, make_dialog, nextcloud_server, browser, background
):
    dialog = make_dialog()
    log_in_with_browser(qtbot, dialog, nextcloud_server.root_url)
    panel = dialog.waiting_panel
    waiting = "Waiting for you to sign in in your browser…"
    qtbot.wait_until(lambda: bool(browser.opened) and waiting in panel.status.text(), timeout=WAIT)
    assert panel.isVisible() and browser.opened[0] in panel.link.text()
    assert not dialog.connect_button.isEnabled() and not dialog.url_edit.isEnabled()

    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert background.wait(500), "the poll went on after Cancel"
    assert not panel.isVisible()
    assert dialog.error_label.text() == "The sign-in in the browser was cancelled."
    assert dialog.browser_button.isEnabled() and dialog.connect_button.isEnabled()
    assert dialog.result_connection() is None and nextcloud_server.app_passwords == []


def test_closing_the_dialog_mid_sign_in_leaves_nothing_running(
    qtbot, make_dialog, nextcloud_server, browser, background
):
    dialog = make_dialog()
    log_in_with_browser(qtbot, dialog, nextcloud_server.root_url)
    qtbot.wait_until(lambda: bool(browser.opened), timeout=WAIT)
    dialog.reject()
    assert background.wait(500), "the poll went on after the dialog closed"
    assert dialog.result_connection() is None


def test_a_sign_in_not_finished_in_time_says_it_expired(
    qtbot, make_dialog, nextcloud_server, browser, monkeypatch
):
    monkeypatch.setattr(sign_in, "SIGN_IN_LIFETIME", 0.0)
    dialog = make_dialog()
    log_in_with_browser(qtbot, dialog, nextcloud_server.root_url)
    qtbot.wait_until(dialog.error_label.isVisible, timeout=WAIT)
    assert dialog.error_label.text() == (
        "The sign-in in the browser was not finished in time "
        "and has expired. Log in with the browser again."
    )
    assert not dialog.waiting_panel.isVisible()


def test_no_nextcloud_at_the_address_is_said_before_any_browser_opens(
    qtbot, make_dialog, wsgidav_server, browser
):
    dialog = make_dialog()
    log_in_with_browser(qtbot, dialog, wsgidav_server.url)
    qtbot.wait_until(dialog.error_label.isVisible, timeout=WAIT)
    assert dialog.error_label.text().startswith("There is no Nextcloud at this address")
    assert browser.opened == []


def test_maintenance_mode_reads_as_such():
    assert describe_error(MaintenanceError("x")) == (
        "The Nextcloud at this address is in maintenance mode. Try again once its "
        "administrator has finished."
    )
