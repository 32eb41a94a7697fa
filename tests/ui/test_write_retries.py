"""The window's Lock, Properties ▸ Save and Unlock through a proxy that breaks them, against
the real Apache: each ends as the user asked, once, and a server that keeps failing is
reported in words with the number of attempts."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from app.dav import DavClient
from app.ui.main_window import MainWindow
from app.ui.properties_dialog import NAME, NAMESPACE, VALUE, PropertiesDialog
from tests.servers.fault_proxy import FaultProxy
from tests.ui.conftest import seed
from tests.ui.test_operations import select


def test_lock_save_and_unlock_ride_out_lost_answers_and_errors(apache_server, open_window, qtbot):
    seed(apache_server)
    target = urlsplit(apache_server.url).path + "a.txt"
    script = {
        ("LOCK", target): ["503", "reset-after"],
        ("PROPPATCH", target): ["500", "reset-after"],
        ("UNLOCK", target): ["reset-after"],
    }
    with FaultProxy(apache_server.url, script=script, retry_after="0") as proxy:
        window: MainWindow = open_window(
            replace(apache_server, url=proxy.url_for(apache_server.url))
        )
        path = window.current_path + "a.txt"
        select(window, "a.txt")
        qtbot.waitUntil(window.commands.lock.isEnabled)
        window.commands.lock.trigger()
        qtbot.waitUntil(lambda: window.operations.locks.held(path) is not None, timeout=20_000)
        assert window.statusBar().currentMessage().startswith("Locked a.txt (owner davdesk")
        token = window.operations.locks.held(path).token
        with DavClient(
            apache_server.url, user=apache_server.user, password=apache_server.password
        ) as direct:
            assert [lock.token for lock in direct.locks(path)] == [token]

        window.commands.properties.trigger()
        dialog = window.findChild(PropertiesDialog)
        qtbot.waitUntil(lambda: not dialog.loading and dialog.table.rowCount() > 0)
        dialog.add_button.click()
        row = dialog.table.rowCount() - 1
        dialog.table.item(row, NAME).setText("note")
        dialog.table.item(row, NAMESPACE).setText("urn:example:test")
        dialog.table.item(row, VALUE).setText("through the storm")
        dialog.save()
        qtbot.waitUntil(lambda: dialog.status.text().startswith("Saved"), timeout=20_000)
        dialog.close()

        window.commands.unlock.trigger()
        qtbot.waitUntil(lambda: window.operations.locks.held(path) is None, timeout=20_000)
        assert window.statusBar().currentMessage() == "Unlocked a.txt"
        assert proxy.seen("LOCK") == {target: 2}  # the 503 sent again, the lost one found
        assert proxy.seen("UNLOCK") == {target: 1}
    with DavClient(
        apache_server.url, user=apache_server.user, password=apache_server.password
    ) as direct:
        assert direct.locks(path) == []
        assert direct.all_properties(path)["{urn:example:test}note"] == "through the storm"


def test_a_lock_the_server_keeps_refusing_says_how_often_it_was_tried(
    apache_server, open_window, qtbot
):
    seed(apache_server)
    target = urlsplit(apache_server.url).path + "a.txt"
    with FaultProxy(
        apache_server.url, script={("LOCK", target): ["503"] * 8}, retry_after="0"
    ) as proxy:
        window: MainWindow = open_window(
            replace(apache_server, url=proxy.url_for(apache_server.url))
        )
        select(window, "a.txt")
        qtbot.waitUntil(window.commands.lock.isEnabled)
        window.commands.lock.trigger()
        qtbot.waitUntil(
            lambda: window.statusBar().currentMessage().startswith("Could not lock"), timeout=20_000
        )
        assert window.statusBar().currentMessage() == (
            "Could not lock a.txt: Server unavailable (503 Service Unavailable) (after 8 attempts)"
        )
        assert proxy.seen("LOCK") == {target: 8}
