"""The connect dialog against real servers: credentials, plain-http warning, keyring, trust.

Every test gets its own bookmarks file and an in-memory keyring: nothing reaches
the real home or the OS keyring.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton

from app.config import AppPaths, Bookmark, BookmarkStore, PasswordStore
from app.dav.tls import PinnedContext
from app.ui.background import Background
from app.ui.connect_dialog import CertificateDialog, ConnectDialog, describe_error, normalize_url
from tests.servers.tls_server import TlsDavServer, make_certificate

WAIT = 10_000

# The offscreen platform cannot pass a window's minimum size on, and says so whenever the
# layout changes it (the error label appearing): a limit of the test platform, not a fault.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def store(tmp_path: Path) -> BookmarkStore:
    return BookmarkStore.in_config(AppPaths.under(tmp_path / "home"))


@pytest.fixture
def background() -> Iterator[Background]:
    background = Background(threads=2)
    yield background
    background.wait(WAIT)


@pytest.fixture
def make_dialog(qtbot, background, store, memory_keyring):
    def make() -> ConnectDialog:
        dialog = ConnectDialog(background, store, PasswordStore())
        qtbot.addWidget(dialog)
        dialog.show()
        # The bookmarks load in the background; wait for that before touching the form.
        background.wait(WAIT)
        qtbot.wait_until(lambda: dialog.bookmark_combo.count() == 1 + len(store.load()))
        return dialog
    return make


def fill(dialog: ConnectDialog, url: str, user: str, password: str) -> None:
    dialog.url_edit.setText(url)
    dialog.user_edit.setText(user)
    dialog.password_edit.setText(password)


def connect(qtbot, dialog: ConnectDialog) -> None:
    """Press Connect and wait until the dialog has either accepted or shown an error."""
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: dialog.result() == dialog.DialogCode.Accepted
                     or dialog.error_label.isVisible(), timeout=WAIT)


def test_a_wrong_password_shows_a_readable_error(qtbot, make_dialog, wsgidav_server):
    dialog = make_dialog()
    fill(dialog, wsgidav_server.url, wsgidav_server.user, "wrong")
    connect(qtbot, dialog)
    assert dialog.error_label.text() == "The server refused the user name or password."
    assert dialog.isVisible() and dialog.result_connection() is None
    assert dialog.connect_button.isEnabled()


def test_the_right_password_connects_and_returns_the_spec(qtbot, make_dialog, wsgidav_server,
                                                          store, memory_keyring):
    dialog = make_dialog()
    fill(dialog, wsgidav_server.url, wsgidav_server.user, wsgidav_server.password)
    dialog.name_edit.setText("Test server")
    connect(qtbot, dialog)
    spec = dialog.result_connection()
    assert spec is not None
    assert (spec.url, spec.user, spec.password, spec.verify) == (
        wsgidav_server.url, wsgidav_server.user, wsgidav_server.password, True)
    assert spec.bookmark == Bookmark("Test server", wsgidav_server.url, wsgidav_server.user)
    assert store.load() == [spec.bookmark]
    assert memory_keyring.passwords == {}  # not asked to remember
    with spec.client() as client:
        assert client.stat("").is_dir


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


def test_remember_password_uses_the_keyring_and_never_the_file(qtbot, make_dialog, wsgidav_server,
                                                               store, memory_keyring):
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
        qtbot.mouseClick(asked.findChild(QPushButton, "trustAlwaysButton"),
                         Qt.MouseButton.LeftButton)
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


def test_a_custom_ca_file_is_chosen_used_and_kept_in_the_bookmark(qtbot, make_dialog, tmp_path,
                                                                    store, monkeypatch):
    ca = make_certificate(tmp_path, "Home CA", ca=True)
    root = tmp_path / "tls-root"
    root.mkdir()
    with TlsDavServer(root, make_certificate(tmp_path, "nas.test", issuer=ca)) as server:
        dialog = make_dialog()
        fill(dialog, server.url, server.user, server.password)
        dialog.show_advanced(True)
        assert dialog.ca_file_edit.isVisible()
        monkeypatch.setattr(QFileDialog, "getOpenFileName",
                            lambda *args: (str(ca.cert), "Certificates (*.pem *.crt *.cer)"))
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
    assert dialog.error_label.text() == "Nothing answers at this address: the connection was refused."


def test_without_a_keyring_the_user_is_told_and_can_go_on(qtbot, make_dialog, wsgidav_server):
    keyring.set_keyring(keyring.backends.fail.Keyring())  # memory_keyring's fixture restores
    dialog = make_dialog()
    fill(dialog, wsgidav_server.url, wsgidav_server.user, wsgidav_server.password)
    dialog.remember_check.setChecked(True)
    connect(qtbot, dialog)
    assert dialog.error_label.text().startswith("Connected, but the password cannot be remembered")
    assert not dialog.remember_check.isEnabled() and not dialog.remember_check.isChecked()
    dialog.error_label.hide()
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


@pytest.mark.parametrize(("typed", "expected"), [
    ("https://nas.local/dav/", "https://nas.local/dav/"),
    ("nas.local/dav", "https://nas.local/dav"),
    ("  http://h:8080/  ", "http://h:8080/"),
    ("", None),
    ("ftp://h/", None),
    ("https://", None),
])
def test_addresses_are_normalized(typed, expected):
    assert normalize_url(typed) == expected


@pytest.mark.expected_log("unexpected failure while connecting")
def test_errors_read_as_one_line_without_a_traceback():
    message = describe_error(ValueError("bad\nthing"))
    assert "\n" not in message and "Traceback" not in message
