"""Discovery against the fake Nextcloud, and against servers that are not one (Apache, wsgidav)."""

from __future__ import annotations

import pytest

from app.dav import errors
from app.nextcloud import discovery
from app.nextcloud.connect import connect
from app.session.connection import open_connection


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "index.php",
        "index.php/apps/files/?dir=/Photos",
        "apps/files/",
        "remote.php/dav/files/alice/",
    ],
)
def test_the_root_is_found_from_what_users_paste(make_nextcloud, typed):
    server = make_nextcloud(subpath="/nextcloud")
    found = discovery.find_server(server.root_url + typed)
    assert found.root_url == server.root_url and found.product == "Nextcloud"
    assert found.version.startswith("30.") and not found.maintenance


def test_a_sub_path_install_is_found_from_its_bare_address(make_nextcloud):
    """status.php is only at the sub-path: /status.php at the origin answers 404."""
    server = make_nextcloud(subpath="/nextcloud")
    assert discovery.find_server(server.root_url.rstrip("/")).root_url == server.root_url


def test_the_user_id_comes_from_the_server_not_the_login_name(nextcloud_server):
    """The login name (an e-mail address) is not what WebDAV paths are made of."""
    found = connect(
        nextcloud_server.origin,
        login=nextcloud_server.login_name,
        password=nextcloud_server.password,
    )
    with found.client:
        assert found.account.user_id == "alice" != nextcloud_server.login_name
        assert found.account.files_url == nextcloud_server.files_url
        assert found.start_path == found.account.files_path
        assert found.client.listdir(found.account.files_path) == []


def test_a_files_address_opens_at_its_folder(nextcloud_server):
    (nextcloud_server.files_root / "Photos 2026 #1").mkdir()
    address = nextcloud_server.files_url + "Photos%202026%20%231/"
    found = connect(address, login=nextcloud_server.login_name, password=nextcloud_server.password)
    with found.client:
        assert found.start_path == found.account.files_path + "Photos 2026 #1/"
        assert found.client.stat(found.start_path).is_dir


def test_a_wrong_password_is_an_authentication_error(nextcloud_server):
    with pytest.raises(errors.AuthenticationError):
        connect(nextcloud_server.origin, login=nextcloud_server.login_name, password="wrong")


def test_servers_that_are_not_nextcloud_say_so(dav_server):
    with pytest.raises(discovery.NotNextcloudError, match=r"status\.php"):
        discovery.find_server(dav_server.url)


def test_open_connection_tells_a_nextcloud_from_plain_webdav(dav_server, nextcloud_server):
    plain = open_connection(dav_server.url, dav_server.user, dav_server.password)
    assert plain.account is None and plain.url == dav_server.url
    cloud = open_connection(
        nextcloud_server.origin, nextcloud_server.login_name, nextcloud_server.password
    )
    assert cloud.account is not None and cloud.url == nextcloud_server.files_url
    assert [r.path for r in nextcloud_server.requests].count("/status.php") == 1  # asked once
    assert cloud.extensions.chunked is not None
    # The session runs on an app password, never on the account password typed.
    assert cloud.password != nextcloud_server.password
    assert cloud.password in [p.password for p in nextcloud_server.app_passwords]
    with cloud.client() as client:  # and the login name it is bound to comes with it
        assert client.stat(cloud.start_path).is_dir
