"""The first window's connection check and listing, begun as the process starts
(app/ui/early_listing.py): read off the command line, each given once and only to the
window that would have made the same, and a failed listing made again by the window, which
then says why."""

from __future__ import annotations

import ssl
from typing import Any

import pytest

from app.config import AppPaths
from app.config.secrets import PasswordStore
from app.dav import DavClient, Resource, errors
from app.dav.extensions import ServerExtensions
from app.session import PASSWORD_VARIABLE
from app.ui.early_listing import EarlyListing
from app.ui.main_window import MainWindow
from app.ui.models.listing_cache import ROW_PATH, ROW_PERMISSIONS, Listing, as_row
from app.ui.models.row_order import FIRST_ORDER
from tests.servers import ServerHandle
from tests.ui.conftest import WAIT, names


@pytest.fixture
def client(wsgidav_server: ServerHandle):
    with DavClient(
        wsgidav_server.url, user=wsgidav_server.user, password=wsgidav_server.password
    ) as made:
        yield made


def _names(listing: Listing) -> list[str]:
    return sorted(row[ROW_PATH].rstrip("/").rsplit("/", 1)[-1] for row in listing.rows)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--demo"],
        ["--background"],
        ["--user"],
        ["ftp://example.invalid/"],
        ["--verbose", "not an address"],
        ["--verbose", "http://127.0.0.1:9/"],
    ],
)
def test_nothing_is_asked_for_without_an_address_or_with_every_request_logged(argv: list[str]):
    assert EarlyListing.start(argv) is None


def test_nothing_is_sent_without_a_password_and_the_window_checks_with_the_one_it_asked_for(
    wsgidav_server, client, monkeypatch, memory_keyring
):
    """Neither the keyring nor DAVDESK_PASSWORD has one: the window will ask (nothing is
    asked before it), and its check is made with the typed password."""
    monkeypatch.delenv(PASSWORD_VARIABLE, raising=False)
    user = wsgidav_server.user
    early = EarlyListing.start([wsgidav_server.url.replace("://", f"://{user}@")], PasswordStore())
    assert early is not None
    check = early.checked(wsgidav_server.url, user, wsgidav_server.password, True, False)
    assert check is not None
    assert check().password == wsgidav_server.password  # made then, with the typed password
    assert early.claim(client, "/", user, wsgidav_server.password, True) is None  # none listed


def test_a_password_saved_in_the_keyring_is_checked_and_listed_early(
    wsgidav_server, client, monkeypatch, memory_keyring
):
    """As the window looks it up (the keyring first): a plain WebDAV server's check is taken
    by a window that would exchange a password from the keyring (there is nothing to
    exchange), and its listing too."""
    wsgidav_server.make_file("a.txt", b"a")
    monkeypatch.setenv(PASSWORD_VARIABLE, "not the saved one")
    user, password = wsgidav_server.user, wsgidav_server.password
    PasswordStore().set(wsgidav_server.url, user, password)
    early = EarlyListing.start(["--user", user, wsgidav_server.url], PasswordStore())
    assert early is not None
    check = early.checked(wsgidav_server.url, user, password, True, True)
    assert check is not None and check().password == password
    given = early.claim(client, "/", user, password, True)
    assert given is not None
    assert _names(given()) == ["a.txt"]


def test_the_check_and_listing_go_once_to_the_window_that_would_make_them(
    wsgidav_server, client, monkeypatch
):
    wsgidav_server.make_file("Docs & more/a.txt", b"a")
    wsgidav_server.make_dir("Docs & more/sub")
    monkeypatch.setenv(PASSWORD_VARIABLE, wsgidav_server.password)
    address = wsgidav_server.url + "Docs%20%26%20more/"
    early = EarlyListing.start(
        ["--smoke-test", "--user", wsgidav_server.user, address + "?dir=x#y"]
    )
    assert early is not None
    user, password = wsgidav_server.user, wsgidav_server.password
    for other in (
        (wsgidav_server.url, user, password, True, False),
        (address, "bob", password, True, False),
        (address, user, password, ssl.create_default_context(), False),
    ):
        assert early.checked(*other) is None
    check = early.checked(address, user, password, True, False)
    assert check is not None
    spec = check()
    assert (spec.url, spec.user, spec.start_path) == (address, user, "/Docs & more/")
    assert early.checked(address, user, password, True, False) is None  # taken
    folder = "/Docs & more/"
    for other in (
        (client, "/", user, password, True),
        (client, folder, "bob", password, True),
        (client, folder, user, "other", True),
        (client, folder, user, password, ssl.create_default_context()),
    ):
        assert early.claim(*other) is None
    with DavClient(
        wsgidav_server.url,
        user=user,
        password=password,
        extensions=ServerExtensions(extra_props=("{http://owncloud.org/ns}fileid",)),
    ) as nextcloud_like:  # would ask for more properties than were asked for
        assert early.claim(nextcloud_like, folder, user, password, True) is None
    given = early.claim(client, "/Docs & more", user, password, True)
    assert given is not None
    listing = given()
    assert _names(listing) == ["a.txt", "sub"] and listing.folders == ("sub",)
    # In the table's first order (folders first, then by name): shown without a sort.
    assert [row[ROW_PATH] for row in listing.rows] == ["/Docs & more/sub/", "/Docs & more/a.txt"]
    assert listing.order == FIRST_ORDER
    assert early.claim(client, folder, user, password, True) is None  # taken


def test_a_check_that_failed_is_raised_to_the_window_and_nothing_is_listed(
    wsgidav_server, client, monkeypatch
):
    monkeypatch.setenv(PASSWORD_VARIABLE, "wrong")
    early = EarlyListing.start([wsgidav_server.url.replace("://", f"://{wsgidav_server.user}@")])
    assert early is not None
    check = early.checked(wsgidav_server.url, wsgidav_server.user, "wrong", True, False)
    assert check is not None
    with pytest.raises(errors.AuthenticationError):
        check()
    assert early.claim(client, "/", wsgidav_server.user, "wrong", True) is None


def test_a_nextcloud_address_is_checked_and_listed_with_the_servers_extensions(
    nextcloud_server, monkeypatch
):
    (nextcloud_server.files_root / "Photos").mkdir(parents=True, exist_ok=True)
    (nextcloud_server.files_root / "Photos" / "a.jpg").write_bytes(b"jpeg")
    monkeypatch.setenv(PASSWORD_VARIABLE, nextcloud_server.password)
    address = nextcloud_server.files_url + "Photos/"
    early = EarlyListing.start(["--user", nextcloud_server.login_name, address])
    assert early is not None
    check = early.checked(
        address, nextcloud_server.login_name, nextcloud_server.password, True, False
    )
    assert check is not None
    spec = check()
    assert spec.account is not None and spec.extensions.extra_props
    with (
        spec.client() as nextcloud,
        DavClient(nextcloud.base_url, user=spec.user, password=spec.password) as plain,
    ):
        # A client that would ask for fewer properties is not given the listing.
        assert early.claim(plain, spec.start_path, spec.user, spec.password, True) is None
        given = early.claim(nextcloud, spec.start_path, spec.user, spec.password, True)
        assert given is not None
        listing = given()
    assert _names(listing) == ["a.jpg"]
    assert listing.rows[0][ROW_PERMISSIONS] is not None  # asked with the server's extensions


def _open(qtbot: Any, client: DavClient, first) -> MainWindow:
    window = MainWindow(client, client.root, {}, paths=AppPaths.default(), first_listing=first)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.folder_loaded, timeout=WAIT):
        window.show()
    return window


def test_the_window_shows_the_listing_it_was_given(wsgidav_server, client, qtbot):
    wsgidav_server.make_file("on the server.txt", b"x")
    given = Listing(None, (as_row(Resource("/given.txt", False, 1, None, None, None)),), ())
    window = _open(qtbot, client, lambda: given)
    assert names(window) == ["given.txt"]
    with qtbot.waitSignal(window.folder_loaded, timeout=WAIT):
        window.browser.refresh()  # a later listing asks the server
    assert names(window) == ["on the server.txt"]


def test_the_window_lists_again_where_the_listing_it_was_given_failed(
    wsgidav_server, client, qtbot
):
    wsgidav_server.make_file("on the server.txt", b"x")

    def failed() -> Listing:
        raise errors.TransportError("the early request failed")

    window = _open(qtbot, client, failed)
    assert names(window) == ["on the server.txt"]
