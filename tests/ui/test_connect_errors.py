"""Errors in words with a way forward, in the connect dialog (the CLI says the same: see
tests/integration/test_cli_errors.py): no scheme, a plain web server, a wrong password."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.dav.words import NOT_WEBDAV_HINTS
from tests.servers.plain_web import PlainWebServer
from tests.ui.conftest import connect, fill

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def plain_web(tmp_path):
    with PlainWebServer(tmp_path) as server:
        yield server


def test_no_scheme_tries_https_then_offers_plain_http_with_its_warning(
    qtbot, make_dialog, plain_web
):
    dialog = make_dialog()
    fill(dialog, plain_web.address + "/", "alice", "pw")
    connect(qtbot, dialog)
    assert dialog.error_label.text().startswith(
        "This server does not speak https at this address: it answered in plain http."
    )
    assert "SSL" not in dialog.error_label.text()
    assert dialog.use_http_button.isVisible() and not dialog.plain_http_warning.isVisible()

    qtbot.mouseClick(dialog.use_http_button, Qt.MouseButton.LeftButton)
    assert dialog.url_edit.text() == f"http://{plain_web.address}/"
    assert dialog.plain_http_warning.isVisible()  # the warning stays
    assert not dialog.error_label.isVisible()  # it was about the address as it was
    assert not dialog.use_http_button.isVisible()

    connect(qtbot, dialog)
    lines = dialog.error_label.text().splitlines()
    assert lines[0] == (
        "This address does not speak WebDAV: the server refused to list it "
        "(501 Unsupported method ('PROPFIND'))."
    )
    assert lines[1:] == list(NOT_WEBDAV_HINTS)


def test_a_stale_error_goes_when_the_address_is_edited(qtbot, make_dialog, plain_web):
    dialog = make_dialog()
    fill(dialog, f"http://{plain_web.address}/", "alice", "pw")
    connect(qtbot, dialog)
    assert dialog.error_label.isVisible()
    dialog.url_edit.setText(f"http://{plain_web.address}/dav/")
    assert not dialog.error_label.isVisible()


def test_401_without_a_user_name_asks_for_one_and_with_one_says_wrong(
    qtbot, make_dialog, wsgidav_server
):
    dialog = make_dialog()
    fill(dialog, wsgidav_server.url, "", "")
    connect(qtbot, dialog)
    assert (
        dialog.error_label.text().splitlines()[0] == "This server wants a user name and password."
    )
    dialog.error_label.hide()
    fill(dialog, wsgidav_server.url, wsgidav_server.user, "wrong")
    connect(qtbot, dialog)
    assert (
        dialog.error_label.text().splitlines()[0]
        == f"Wrong user name or password for {wsgidav_server.user}."
    )
