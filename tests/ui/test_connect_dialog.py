"""The connect dialog against real servers: credentials, plain-http warning, keyring, trust.

Every test gets its own bookmarks file and an in-memory keyring: nothing reaches
the real home or the OS keyring.
"""

from __future__ import annotations

import json

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton

from app.config import Bookmark, PasswordStore
from app.dav.tls import PinnedContext
from app.ui.connect_dialog import CertificateDialog, ConnectDialog, describe_error, normalize_url
from tests.servers.tls_server import TlsDavServer, make_certificate
from tests.ui.conftest import WAIT, connect, fill

# The offscreen platform cannot pass a window's minimum size on, and says so whenever the
# layout changes it (the error label appearing): a limit of the test platform, not a fault.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_a_wrong_password_shows_a_readable_error(qtbot, make_dialog, wsgidav_server):
    dialog = make_dialog()
    fill(dialog, wsgidav_server.url, wsgidav_server.user, "wrong")
    connect(qtbot, dialog)
    assert (
        dialog.error_label.text().splitlines()[0]
        == f"Wrong user name or password for {wsgidav_server.user}."
    )
    assert dialog.isVisible() and dialog.result_connection() is None
    assert dialog.connect_button.isEnabled()


def test_the_right_password_connects_and_returns_the_spec(
    qtbot, make_dialog, wsgidav_server, store, memory_keyring
):
    dialog = make_dialog()
    fill(dialog, wsgidav_server.url, wsgidav_server.user, wsgidav_server.password)
    dialog.name_edit.setText("Test server")
    connect(qtbot, dialog)
    spec = dialog.result_connection()
    assert spec is not None
    assert (spec.url, spec.user, spec.password, spec.verify) == (
        wsgidav_server.url,
        wsgidav_server.user,
        wsgidav_server.password,
        True,
    )
    assert spec.bookmark == Bookmark("Test server", wsgidav_server.url, wsgidav_server.user)
    assert store.load() == [spec.bookmark]
    assert memory_keyring.passwords == {}  # not asked to remember
    with spec.client() as client:
        assert client.stat("").is_dir


def test_keeping_mtimes_is_the_bookmark_s_choice_off_by_default(
    qtbot, make_dialog, wsgidav_server, store, memory_keyring
):
    """One more request per file on a plain WebDAV server: asked for under Advanced, kept in the
    bookmark, shown again when the bookmark is chosen."""
    dialog = make_dialog()
    fill(dialog, wsgidav_server.url, wsgidav_server.user, wsgidav_server.password)
    dialog.show_advanced(True)
    assert dialog.keep_mtime_check.isVisible() and not dialog.keep_mtime_check.isChecked()
    dialog.keep_mtime_check.setChecked(True)
    connect(qtbot, dialog)
    spec = dialog.result_connection()
    assert spec is not None and spec.bookmark is not None and spec.bookmark.keep_mtime
    assert store.load()[0].keep_mtime

    again = make_dialog()
    again.bookmark_combo.setCurrentIndex(1)
    assert again.keep_mtime_check.isChecked()


def test_plain_http_shows_the_warning_and_https_hides_it(make_dialog):
    dialog = make_dialog()
    warning = dialog.plain_http_warning
    assert warning.objectName() == "plainHttpWarning"
    dialog.url_edit.setText("http://nas.local/dav/")
    assert warning.isVisible() and "unencrypted" in warning.text()
    dialog.url_edit.setText("https://nas.local/dav/")
    assert not warning.isVisible()
    dialog.url_edit.setText("HTTP://NAS.LOCAL/")
    assert warning.isVisible()


def test_remember_password_uses_the_keyring_and_never_the_file(
    qtbot, make_dialog, wsgidav_server, store, memory_keyring
):
    dialog = make_dialog()
    fill(dialog, wsgidav_server.url, wsgidav_server.user, wsgidav_server.password)
    dialog.remember_check.setChecked(True)
    connect(qtbot, dialog)
    assert dialog.result_connection() is not None
    assert PasswordStore().get(wsgidav_server.url, wsgidav_server.user) == wsgidav_server.password
    text = store.path.read_text(encoding="utf-8")
    assert wsgidav_server.password not in text and "password" not in text.lower()

    # The bookmark brings the password back from the keyring.
    again = make_dialog()
    again.bookmark_combo.setCurrentIndex(1)
    qtbot.wait_until(lambda: again.password_edit.text() == wsgidav_server.password, timeout=WAIT)
    assert again.url_edit.text() == wsgidav_server.url
    assert again.remember_check.isChecked()

    # Unticking "Remember password" forgets it.
    again.remember_check.setChecked(False)
    connect(qtbot, again)
    assert again.result_connection() is not None
    assert memory_keyring.passwords == {}


def test_a_self_signed_server_asks_and_trust_always_pins_it(qtbot, make_dialog, tmp_path, store):
    certificate = make_certificate(tmp_path, "self-signed.test")
    root = tmp_path / "tls-root"
    root.mkdir()
    with TlsDavServer(root, certificate) as server:
        dialog = make_dialog()
        fill(dialog, server.url, server.user, server.password)
        dialog.name_edit.setText("Self-signed")
        qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)

        asked = wait_for_certificate_dialog(qtbot, dialog)
        assert asked.findChild(QPushButton, "cancelButton").isDefault()
        shown = asked.findChild(type(dialog.error_label), "certificateFingerprint").text()
        assert shown.replace("\n", ":") == certificate.sha256
        assert "self-signed.test" in asked.info.subject
        qtbot.mouseClick(
            asked.findChild(QPushButton, "trustAlwaysButton"), Qt.MouseButton.LeftButton
        )
        qtbot.wait_until(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=WAIT)

        spec = dialog.result_connection()
        assert isinstance(spec.verify, PinnedContext)
        assert spec.bookmark.pinned_sha256 == certificate.sha256
        saved = json.loads(store.path.read_text(encoding="utf-8"))["bookmarks"][0]
        assert saved["pinned_sha256"] == certificate.sha256
        with spec.client() as client:
            assert client.stat("").is_dir

        # Next time the pin is used without asking.
        again = make_dialog()
        again.bookmark_combo.setCurrentIndex(1)
        again.password_edit.setText(server.password)
        connect(qtbot, again)
        assert again.result_connection() is not None
        assert again.findChild(CertificateDialog) is None


def test_trust_once_connects_without_pinning(qtbot, make_dialog, tmp_path, store):
    certificate = make_certificate(tmp_path, "self-signed.test")
    root = tmp_path / "tls-root"
    root.mkdir()
    with TlsDavServer(root, certificate) as server:
        dialog = make_dialog()
        fill(dialog, server.url, server.user, server.password)
        qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
        asked = wait_for_certificate_dialog(qtbot, dialog)
        qtbot.mouseClick(asked.findChild(QPushButton, "trustOnceButton"), Qt.MouseButton.LeftButton)
        qtbot.wait_until(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=WAIT)
        spec = dialog.result_connection()
        assert isinstance(spec.verify, PinnedContext)
        assert spec.bookmark.pinned_sha256 is None
        assert store.load()[0].pinned_sha256 is None


def test_refusing_the_certificate_says_so(qtbot, make_dialog, tmp_path):
    certificate = make_certificate(tmp_path, "self-signed.test")
    root = tmp_path / "tls-root"
    root.mkdir()
    with TlsDavServer(root, certificate) as server:
        dialog = make_dialog()
        fill(dialog, server.url, server.user, server.password)
        qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
        asked = wait_for_certificate_dialog(qtbot, dialog)
        qtbot.mouseClick(asked.findChild(QPushButton, "cancelButton"), Qt.MouseButton.LeftButton)
        qtbot.wait_until(dialog.error_label.isVisible, timeout=WAIT)
        assert dialog.error_label.text() == "The server's certificate was not trusted."
        assert dialog.result_connection() is None


def test_a_custom_ca_file_is_chosen_used_and_kept_in_the_bookmark(
    qtbot, make_dialog, tmp_path, store, monkeypatch
):
    ca = make_certificate(tmp_path, "Home CA", ca=True)
    root = tmp_path / "tls-root"
    root.mkdir()
    with TlsDavServer(root, make_certificate(tmp_path, "nas.test", issuer=ca)) as server:
        dialog = make_dialog()
        fill(dialog, server.url, server.user, server.password)
        dialog.show_advanced(True)
        assert dialog.ca_file_edit.isVisible()
        monkeypatch.setattr(
            QFileDialog,
            "getOpenFileName",
            lambda *args: (str(ca.cert), "Certificates (*.pem *.crt *.cer)"),
        )
        qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
        assert dialog.ca_file_edit.text() == str(ca.cert)
        connect(qtbot, dialog)
        spec = dialog.result_connection()
        assert spec is not None and dialog.findChild(CertificateDialog) is None
        assert store.load()[0].ca_file == str(ca.cert)


def test_nothing_listening_is_a_readable_error(qtbot, make_dialog, wsgidav_server):
    url = wsgidav_server.url
    wsgidav_server.server.stop()
    dialog = make_dialog()
    fill(dialog, url, "alice", "pw")
    connect(qtbot, dialog)
    assert (
        dialog.error_label.text() == "Nothing answers at this address: the connection was refused."
    )


def test_without_a_keyring_remember_is_disabled_first_and_connect_takes_one_click(
    qtbot, make_dialog, wsgidav_server
):
    keyring.set_keyring(keyring.backends.fail.Keyring())  # memory_keyring's fixture restores
    dialog = make_dialog()
    remember = dialog.remember_check
    qtbot.waitUntil(lambda: not remember.isEnabled(), timeout=WAIT)  # before connecting
    assert not remember.isChecked() and "no system keyring" in remember.text()
    assert "No system keyring is available" in remember.toolTip()
    fill(dialog, wsgidav_server.url, wsgidav_server.user, wsgidav_server.password)
    connect(qtbot, dialog)
    assert dialog.result_connection() is not None


def test_results_arriving_after_cancel_are_dropped(qtbot, make_dialog, wsgidav_server, background):
    dialog = make_dialog()
    fill(dialog, wsgidav_server.url, wsgidav_server.user, wsgidav_server.password)
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    dialog.reject()
    background.wait(WAIT)
    QApplication.processEvents()  # the queued result arrives now, and is dropped
    assert dialog.result() == dialog.DialogCode.Rejected
    assert dialog.result_connection() is None


def wait_for_certificate_dialog(qtbot, dialog: ConnectDialog) -> CertificateDialog:
    def shown() -> CertificateDialog | None:
        found = dialog.findChild(CertificateDialog, "certificateDialog")
        return found if found is not None and found.isVisible() else None

    qtbot.wait_until(lambda: shown() is not None, timeout=WAIT)
    return shown()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("https://nas.local/dav/", "https://nas.local/dav/"),
        ("nas.local/dav", "https://nas.local/dav"),
        ("  http://h:8080/  ", "http://h:8080/"),
        ("", None),
        ("ftp://h/", None),
        ("https://", None),
    ],
)
def test_addresses_are_normalized(typed, expected):
    assert normalize_url(typed) == expected


@pytest.mark.expected_log("unexpected failure while connecting")
def test_errors_read_as_one_line_without_a_traceback():
    message = describe_error(ValueError("bad\nthing"))
    assert "\n" not in message and "Traceback" not in message


# -- a Nextcloud ---------------------------------------------------------------------------------


def kept_password(memory_keyring, server, login: str) -> str | None:
    """The keyring's entry for the account: one per server root, whatever folder is open."""
    return memory_keyring.passwords.get((f"davdesk {server.root_url}", login))


def live_app_passwords(server) -> list[str]:
    return [p.password for p in server.app_passwords if not p.revoked]


def test_an_account_password_is_exchanged_and_only_the_app_password_kept(
    qtbot, make_dialog, nextcloud_server, store, memory_keyring
):
    server = nextcloud_server
    dialog = make_dialog()
    fill(dialog, server.root_url, server.user_id, server.password)
    dialog.remember_check.setChecked(True)
    connect(qtbot, dialog)
    spec = dialog.result_connection()
    assert spec is not None, dialog.error_label.text()
    assert spec.account is not None and spec.url == server.files_url
    assert spec.extensions.extra_props  # it speaks the server's WebDAV extensions
    assert live_app_passwords(server) == [spec.password] != [server.password]
    assert memory_keyring.passwords == {
        (f"davdesk {server.root_url}", server.user_id): spec.password
    }
    assert spec.bookmark == Bookmark(
        server.root_url.split("//")[1].rstrip("/"),
        server.files_url,
        server.user_id,
        kind="nextcloud",
    )
    assert server.password not in store.path.read_text(encoding="utf-8")
    with spec.client() as client:
        assert client.stat(spec.account.files_path).is_dir


def test_a_password_not_remembered_is_not_traded_for_an_app_password(
    qtbot, make_dialog, nextcloud_server, memory_keyring
):
    """An app password nobody keeps would stay on the server, revoked by nobody."""
    server = nextcloud_server
    dialog = make_dialog()
    fill(dialog, server.root_url, server.user_id, server.password)
    dialog.remember_check.setChecked(False)
    connect(qtbot, dialog)
    spec = dialog.result_connection()
    assert spec is not None and spec.account is not None, dialog.error_label.text()
    assert server.app_passwords == [] and memory_keyring.passwords == {}
    with spec.client() as client:
        assert client.stat(spec.account.files_path).is_dir


def test_an_account_password_typed_with_the_e_mail_address_connects(
    qtbot, make_dialog, nextcloud_server, memory_keyring
):
    """The app password an e-mail login exchanges belongs to the user id (Nextcloud's session
    logs in as that): the bookmark and the keyring keep the login that works with it."""
    server = nextcloud_server
    dialog = make_dialog()
    fill(dialog, server.root_url, server.login_name, server.password)
    dialog.remember_check.setChecked(True)
    connect(qtbot, dialog)
    spec = dialog.result_connection()
    assert spec is not None, dialog.error_label.text()
    assert kept_password(memory_keyring, server, spec.user) == spec.password
    assert spec.bookmark.user == spec.user and live_app_passwords(server) == [spec.password]
    with spec.client() as client:
        assert client.stat(spec.account.files_path).is_dir


def test_a_pasted_app_password_works_as_any_password_does(
    qtbot, make_dialog, nextcloud_server, memory_keyring
):
    server = nextcloud_server
    pasted = server.issue_app_password("Pasted from the security settings")
    checks = server.password_checks
    dialog = make_dialog()
    fill(dialog, server.files_url, server.user_id, pasted)
    dialog.remember_check.setChecked(True)
    connect(qtbot, dialog)
    spec = dialog.result_connection()
    assert spec is not None, dialog.error_label.text()
    assert spec.password == pasted
    assert kept_password(memory_keyring, server, server.user_id) == pasted
    assert live_app_passwords(server) == [pasted]  # nothing new was issued
    assert server.password_checks == checks  # and the account password never checked


def test_a_nextcloud_bookmark_reopens_with_its_app_password(
    qtbot, make_dialog, nextcloud_server, memory_keyring
):
    server = nextcloud_server
    (server.files_root / "Docs").mkdir()
    first = make_dialog()
    fill(first, server.files_url + "Docs/", server.user_id, server.password)
    first.remember_check.setChecked(True)
    connect(qtbot, first)
    spec = first.result_connection()
    assert spec is not None, first.error_label.text()
    assert spec.start_path == spec.account.files_path + "Docs/"  # the folder the address named

    again = make_dialog()
    again.bookmark_combo.setCurrentIndex(1)
    qtbot.wait_until(lambda: again.password_edit.text() == spec.password, timeout=WAIT)
    assert again.url_edit.text() == server.files_url
    connect(qtbot, again)
    reopened = again.result_connection()
    assert reopened is not None, again.error_label.text()
    assert reopened.password == spec.password and reopened.extensions == spec.extensions
    assert reopened.start_path == spec.account.files_path
    assert live_app_passwords(server) == [spec.password]
