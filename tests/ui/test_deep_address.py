"""An address deep in a share opens that folder, and Up and the tree reach the share's top."""

from __future__ import annotations

from app.session.connection import open_connection
from app.ui.app import open_window
from tests.ui.conftest import WAIT, seed


def test_a_deep_address_opens_its_folder_and_up_reaches_the_share(wsgidav_server, qtbot):
    seed(wsgidav_server)
    spec = open_connection(
        wsgidav_server.url + "Docs/inner/", wsgidav_server.user, wsgidav_server.password
    )
    assert spec.url == wsgidav_server.url + "Docs/inner/"  # the bookmark keeps what was typed
    assert spec.top_url == wsgidav_server.url and spec.start_path == "/Docs/inner/"
    window = open_window(spec, {}, resume=False)
    qtbot.waitUntil(
        lambda: window.current_path == "/Docs/inner/" and not window.browser.loading, timeout=WAIT
    )
    assert window.commands.up.isEnabled()
    window.commands.up.trigger()
    qtbot.waitUntil(lambda: window.current_path == "/Docs/", timeout=WAIT)
    window.commands.up.trigger()
    qtbot.waitUntil(lambda: window.current_path == "/" and not window.browser.loading, timeout=WAIT)
    assert not window.commands.up.isEnabled()
    root = window.tree_model.index(0, 0)
    qtbot.waitUntil(lambda: window.tree_model.rowCount(root) >= 2, timeout=WAIT)
    window.close()


def test_apache_s_share_top_is_its_dav_folder(apache_server):
    """Above the folder served with Dav On the server refuses to list: that is the top."""
    from app.dav import DavClient
    from app.session.connection import share_top

    apache_server.make_file("deep/er/x.txt", b"x")
    with DavClient(
        apache_server.url + "deep/er/", user=apache_server.user, password=apache_server.password
    ) as client:
        top = share_top(client)
    with DavClient(
        apache_server.url, user=apache_server.user, password=apache_server.password
    ) as share:
        assert top.rstrip("/").count("/") <= share.root.rstrip("/").count("/")
        assert share.stat(top).is_dir
