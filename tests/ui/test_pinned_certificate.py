"""The connect dialog on a bookmark whose pinned certificate the server no longer presents.

The server (wsgidav over TLS) switches to another certificate at the same
address, as a server that was replaced or a machine in between would. The
pin refuses it right after the TLS handshake, so no request, and with it no
password, is sent; the user is shown the certificate now presented, its
fingerprint beside the reason, and nothing is trusted unless they say so.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from app.config import Bookmark, PasswordStore
from app.ui.connect_dialog import CertificateDialog, ConnectDialog
from tests.servers.tls_server import TlsDavServer, make_certificate
from tests.ui.conftest import WAIT

# The offscreen platform cannot pass a window's minimum size on, and says so whenever the
# layout changes it (the error label appearing): a limit of the test platform, not a fault.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def asked(qtbot, dialog: ConnectDialog) -> CertificateDialog:
    """The certificate question, once it is shown."""

    def shown() -> CertificateDialog | None:
        found = dialog.findChild(CertificateDialog, "certificateDialog")
        return found if found is not None and found.isVisible() else None

    qtbot.wait_until(lambda: shown() is not None, timeout=WAIT)
    return shown()


def test_a_pinned_certificate_that_changed_is_refused_and_the_new_one_shown(
    qtbot, make_dialog, store, memory_keyring, tmp_path
):
    trusted = make_certificate(tmp_path, "nas.test")
    presented = make_certificate(tmp_path, "impostor.test")
    root = tmp_path / "tls-root"
    root.mkdir()
    with TlsDavServer(root, trusted) as server:
        store.put(Bookmark("NAS", server.url, server.user, pinned_sha256=trusted.sha256))
        PasswordStore().set(server.url, server.user, server.password)
        server.use_certificate(presented)

        dialog = make_dialog()
        dialog.bookmark_combo.setCurrentIndex(1)
        qtbot.wait_until(lambda: dialog.password_edit.text() == server.password, timeout=WAIT)
        qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)

        question = asked(qtbot, dialog)
        shown = question.findChild(QLabel, "certificateFingerprint").text()
        assert shown.replace("\n", ":") == presented.sha256 != trusted.sha256
        assert "impostor.test" in question.info.subject
        heading = " ".join(label.text() for label in question.findChildren(QLabel))
        assert "changed since it was trusted" in heading
        assert question.findChild(QPushButton, "cancelButton").isDefault()
        assert server.requests == []  # refused at the handshake: the password never left

        qtbot.mouseClick(question.findChild(QPushButton, "cancelButton"), Qt.MouseButton.LeftButton)
        qtbot.wait_until(dialog.error_label.isVisible, timeout=WAIT)
        assert dialog.error_label.text() == "The server's certificate was not trusted."
        assert dialog.result_connection() is None
        assert store.load()[0].pinned_sha256 == trusted.sha256  # the pin was not replaced
        assert server.requests == []


def test_open_recent_uses_the_bookmarks_pinned_certificate(qtbot, memory_keyring, tmp_path, capsys):
    """Open Recent goes by the address, with the trust the user gave the bookmark."""
    from app.ui.app import _spec_for_url

    trusted = make_certificate(tmp_path, "nas.test")
    root = tmp_path / "tls-root"
    root.mkdir()
    with TlsDavServer(root, trusted) as server:
        bookmark = Bookmark("NAS", server.url, server.user, pinned_sha256=trusted.sha256)
        PasswordStore().set(server.url, server.user, server.password)

        assert _spec_for_url(server.url, server.user, interactive=False) is None
        assert "certificate" in capsys.readouterr().err  # no authority vouches for it

        spec = _spec_for_url(server.url, server.user, interactive=False, bookmark=bookmark)
        assert spec is not None and spec.bookmark == bookmark
        with spec.client() as client:
            assert client.stat("/").is_dir
