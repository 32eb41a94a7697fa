"""Login Flow v2 and app passwords against the fake Nextcloud."""

from __future__ import annotations

import threading

import pytest

from app.dav import DavClient, errors
from app.nextcloud import app_passwords
from app.nextcloud.connect import connect
from app.nextcloud.login_flow import LoginCancelled, LoginFlow, device_name


def _start(server):
    anonymous = DavClient(server.root_url)
    return anonymous, LoginFlow.start(anonymous, "/")


def test_the_browser_sign_in_hands_over_an_app_password_once(nextcloud_server):
    anonymous, flow = _start(nextcloud_server)
    with anonymous:
        assert flow.poll(anonymous) is None  # not signed in yet: 404
        nextcloud_server.grant_login(flow.login_url)
        checked_by_the_browser = nextcloud_server.password_checks
        credentials = flow.wait(anonymous, stop=lambda _: False, interval=0.05)
        assert flow.poll(anonymous) is None  # handed over once only
    assert credentials.login_name == nextcloud_server.login_name
    [issued] = nextcloud_server.app_passwords
    assert issued.password == credentials.app_password and issued.name == device_name()
    found = connect(
        nextcloud_server.origin, login=credentials.login_name, password=credentials.app_password
    )
    with found.client:
        assert found.client.listdir(found.account.files_path) == []
    # An app password costs the server no password hash: only the browser's sign-in did.
    assert nextcloud_server.password_checks == checked_by_the_browser


def test_waiting_stops_when_told_to(nextcloud_server):
    anonymous, flow = _start(nextcloud_server)
    stop = threading.Event()
    stop.set()
    with anonymous, pytest.raises(LoginCancelled):
        flow.wait(anonymous, stop=stop.wait, interval=0.05)


def test_an_account_password_is_exchanged_and_an_app_password_is_not(nextcloud_server):
    found = connect(
        nextcloud_server.origin,
        login=nextcloud_server.login_name,
        password=nextcloud_server.password,
    )
    with found.client:
        app_password = app_passwords.exchange(found.client, found.account.root_path)
    [issued] = nextcloud_server.app_passwords
    assert issued.password == app_password and issued.name == device_name()
    # Signed in with the e-mail address, the session (and so the app password) is the user id's.
    again = connect(nextcloud_server.origin, login=issued.login_name, password=app_password)
    with again.client:
        assert app_passwords.exchange(again.client, again.account.root_path) is None


def test_signing_out_revokes_the_app_password(nextcloud_server):
    app_password = nextcloud_server.issue_app_password(
        "davdesk", login_name=nextcloud_server.login_name
    )
    found = connect(
        nextcloud_server.origin, login=nextcloud_server.login_name, password=app_password
    )
    with found.client:
        app_passwords.revoke(found.client, found.account.root_path)
    assert [p.revoked for p in nextcloud_server.app_passwords] == [True]
    with pytest.raises(errors.AuthenticationError):
        connect(nextcloud_server.origin, login=nextcloud_server.login_name, password=app_password)
