"""The composition root: `davdesk URL` opens the window there; the last folder is remembered."""

from __future__ import annotations

import logging

import pytest

from app.config.paths import AppPaths
from app.config.secrets import PasswordStore
from app.dav import errors
from app.session.spec import ConnectionSpec
from app.ui.app import WORKERS, Home, _spec_for_url, open_window
from app.ui.early_listing import EarlyListing
from app.ui.main_window import MainWindow
from app.ui.operations import MAX_RUNNING_JOBS
from tests.servers.fault_proxy import FaultProxy


def test_url_with_password_from_environment_opens_the_window_there(
    qtbot, wsgidav_server, monkeypatch, memory_keyring
):
    wsgidav_server.make_file("docs & notes/a.txt", b"a")
    monkeypatch.setenv("DAVDESK_PASSWORD", wsgidav_server.password)
    url = wsgidav_server.url.replace("://", f"://{wsgidav_server.user}@") + "docs%20%26%20notes/"
    spec = _spec_for_url(url, None)
    assert spec is not None and spec.user == wsgidav_server.user
    assert "@" not in spec.url and spec.password == wsgidav_server.password
    window = open_window(spec, {}, resume=False)
    assert isinstance(window, MainWindow) and window.objectName() == "mainWindow"
    qtbot.waitUntil(lambda: window.table_model.rowCount() == 1, timeout=10000)
    assert window.table_model.index(0, 0).data() == "a.txt"
    window.close()


def test_the_last_folder_is_remembered_per_server(qtbot, wsgidav_server):
    wsgidav_server.make_file("inner/b.txt", b"b")
    spec = ConnectionSpec(wsgidav_server.url, wsgidav_server.user, wsgidav_server.password)
    state: dict = {}
    window = open_window(spec, state, resume=True)
    with qtbot.waitSignal(window.folder_loaded, timeout=10000):
        window.browser.navigate("/inner/")
    window.close()  # deletes itself on close, and leaves the folder in state
    key = f"last_folder:{wsgidav_server.url.rstrip('/')}/"
    qtbot.waitUntil(lambda: key in state, timeout=5000)
    assert state[key] == "/inner/"
    again = open_window(spec, state, resume=True)
    qtbot.waitUntil(lambda: again.table_model.rowCount() == 1, timeout=10000)
    assert again.table_model.index(0, 0).data() == "b.txt"
    again.close()


def test_a_window_logs_the_first_folder_it_showed_and_only_that_one(qtbot, wsgidav_server, caplog):
    wsgidav_server.make_file("a.txt", b"a")
    wsgidav_server.make_file("inner/b.txt", b"b")
    caplog.set_level(logging.INFO, logger="app.ui.app")
    spec = ConnectionSpec(wsgidav_server.url, wsgidav_server.user, wsgidav_server.password)
    window = open_window(spec, {}, resume=False)
    with qtbot.waitSignal(window.folder_loaded, timeout=10000):
        pass
    with qtbot.waitSignal(window.folder_loaded, timeout=10000):
        window.browser.navigate("/inner/")
    window.close()
    shown = [r.getMessage() for r in caplog.records if " showed " in r.getMessage()]
    assert shown == [f"Window on {wsgidav_server.url.rstrip('/')} showed /: 2 entries"]


def test_demo_server_runs_in_its_own_process_and_stops_with_the_window():
    from app.dav import DavClient
    from app.demo import LARGE_FOLDER_SIZE, start_for_window

    details, process = start_for_window()
    try:
        with DavClient(details["url"], user=details["user"], password=details["password"]) as c:
            # The whole tree is there by the time the window learns where the server is: the
            # window's first listing is the only one it takes by itself.
            names = {r.name for r in c.listdir("/")}
            assert {"Documents", "Photos", f"{LARGE_FOLDER_SIZE} files"} <= names
            assert len(c.listdir(f"/{LARGE_FOLDER_SIZE} files/")) == LARGE_FOLDER_SIZE
    finally:
        process.communicate(timeout=30)
    assert process.returncode == 0


def test_a_nextcloud_url_opens_with_its_extensions_at_the_folder_it_names(
    qtbot, nextcloud_server, monkeypatch, memory_keyring
):
    server = nextcloud_server
    (server.files_root / "Docs").mkdir()
    (server.files_root / "Docs" / "a.txt").write_bytes(b"a")
    monkeypatch.setenv("DAVDESK_PASSWORD", server.password)
    url = server.files_url.replace("://", f"://{server.user_id}@") + "Docs/"
    spec = _spec_for_url(url, None)
    assert spec is not None and spec.account is not None
    assert spec.extensions.extra_props and spec.url == server.files_url
    # A password from the environment is not kept, so it is not traded for an app password
    # that nobody would ever revoke: the session cookie spares the server its checks.
    assert spec.password == server.password and server.app_passwords == []
    window = open_window(spec, {}, resume=True)
    assert window.current_path == f"{spec.account.files_path}Docs/"
    qtbot.waitUntil(lambda: window.table_model.rowCount() == 1, timeout=10000)
    assert window.findChild(type(window.commands.copy), "actionTrashBin") is not None
    window.close()


def test_an_account_password_left_in_the_keyring_becomes_an_app_password(
    nextcloud_server, memory_keyring, monkeypatch
):
    server = nextcloud_server
    PasswordStore().set(server.files_url, server.user_id, server.password)  # an older Davdesk's
    monkeypatch.delenv("DAVDESK_PASSWORD", raising=False)
    spec = _spec_for_url(server.files_url.replace("://", f"://{server.user_id}@"), None)
    assert spec is not None and spec.password != server.password
    assert list(memory_keyring.passwords.values()) == [spec.password]
    assert spec.password in [p.password for p in server.app_passwords]


def test_the_early_check_of_a_nextcloud_password_from_the_keyring_leaves_the_exchange_to_the_window(
    nextcloud_server, memory_keyring, monkeypatch
):
    """The early check (app/ui/early_listing.py) never trades a password: the window, which
    keeps what it gets, does, as it would have without the early check."""
    server = nextcloud_server
    PasswordStore().set(server.files_url, server.user_id, server.password)  # an older Davdesk's
    monkeypatch.delenv("DAVDESK_PASSWORD", raising=False)
    address = server.files_url.replace("://", f"://{server.user_id}@")
    early = EarlyListing.start([address], PasswordStore())
    assert early is not None
    spec = _spec_for_url(address, None, early=early)
    assert spec is not None and spec.password != server.password
    assert list(memory_keyring.passwords.values()) == [spec.password]
    assert [p.password for p in server.app_passwords] == [spec.password]  # one, kept


def test_the_window_and_the_early_check_look_in_the_keyring_once(
    wsgidav_server, monkeypatch, memory_keyring
):
    """A locked keyring asks to be unlocked once: the window takes the early thread's look."""
    monkeypatch.delenv("DAVDESK_PASSWORD", raising=False)
    user, password = wsgidav_server.user, wsgidav_server.password
    store = PasswordStore()
    store.set(wsgidav_server.url, user, password)
    looks: list[str] = []
    get = memory_keyring.get_password

    def counted(service: str, name: str) -> str | None:
        looks.append(name)
        return get(service, name)

    monkeypatch.setattr(memory_keyring, "get_password", counted)
    early = EarlyListing.start(["--user", user, wsgidav_server.url], store)
    assert early is not None and early.passwords is store
    home = Home(AppPaths.default(), store)
    spec = _spec_for_url(wsgidav_server.url, user, interactive=False, home=home, early=early)
    assert spec is not None and spec.password == password
    assert looks == [user]
    other = Home(AppPaths.default(), PasswordStore())  # another keyring: looked in again
    assert _spec_for_url(wsgidav_server.url, user, interactive=False, home=other) is not None
    assert looks == [user, user]


def test_a_window_with_another_password_checks_the_address_itself(
    wsgidav_server, monkeypatch, memory_keyring
):
    monkeypatch.setenv("DAVDESK_PASSWORD", wsgidav_server.password)
    early = EarlyListing.start(["--user", wsgidav_server.user, wsgidav_server.url])
    assert early is not None
    check = early.checked(wsgidav_server.url, wsgidav_server.user, "typed", True, False)
    assert check is not None
    with pytest.raises(errors.AuthenticationError):  # checked with "typed", as asked
        check()


def test_a_folder_opens_while_two_uploads_hold_every_worker(qtbot, apache_server, tmp_path):
    """Two running jobs keep 4 requests each waiting on the server (their PUTs hang); the
    window's own listing still finds a connection of its own and shows the folder."""
    apache_server.make_dir("elsewhere")
    apache_server.make_file("elsewhere/there.txt", b"x")
    with FaultProxy(
        apache_server.url, share=1.0, faults=("hang",), methods=("PUT",), stall_seconds=60
    ) as proxy:
        spec = ConnectionSpec(
            proxy.url_for(apache_server.url), apache_server.user, apache_server.password
        )
        window = open_window(spec, {}, resume=False)
        qtbot.waitUntil(lambda: window.table_model.rowCount() == 1, timeout=10_000)
        for job in range(MAX_RUNNING_JOBS):
            files = []
            for number in range(WORKERS):
                files.append(tmp_path / f"job{job}-{number}.bin")
                files[-1].write_bytes(b"data")
            window.operations.upload(files, window.current_path)
        qtbot.waitUntil(
            lambda: proxy.injected["hang"] >= MAX_RUNNING_JOBS * WORKERS, timeout=10_000
        )
        with qtbot.waitSignal(window.folder_loaded, timeout=5_000):
            window.browser.navigate(window.current_path + "elsewhere/")
        assert window.table_model.rowCount() == 1
        window.operations.cancel_all()
        window.close()
