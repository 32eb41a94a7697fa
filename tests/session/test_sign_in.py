"""Signing in as both front ends do it, against the fake Nextcloud and wsgidav."""

from __future__ import annotations

import threading

import pytest

from app.nextcloud import login_flow
from app.nextcloud.login_flow import LoginFlowError
from app.session import sign_in
from app.session.probe import nextcloud_root
from app.session.sign_in import SignInExpired, begin_flow, start_flow, wait_for_browser


def test_the_probe_finds_a_nextcloud_root_and_nothing_on_plain_webdav(
    nextcloud_server, wsgidav_server
):
    assert (
        nextcloud_root(nextcloud_server.root_url + "index.php/apps/files/", True)
        == nextcloud_server.root_url
    )
    assert nextcloud_root(wsgidav_server.url, True) is None


def test_a_flow_begun_at_the_root_is_the_one_started_from_any_address(
    nextcloud_server, monkeypatch
):
    """`davdesk login` knows the root already (begin_flow); the window starts from what was
    typed (start_flow): either way the browser page is the server's, and granting it there
    hands back the account's app password."""
    monkeypatch.setattr(login_flow, "POLL_INTERVAL", 0.05)
    root, started = start_flow(nextcloud_server.root_url + "index.php/apps/files/", True)
    assert root == nextcloud_server.root_url
    begun = begin_flow(root, True)
    granted = []
    for flow in (started, begun):
        assert flow.login_url.startswith(nextcloud_server.root_url)
        granting = threading.Thread(target=nextcloud_server.grant_login, args=(flow.login_url,))
        granting.start()
        granted.append(wait_for_browser(flow, root, True, stop=threading.Event().wait))
        granting.join()
    assert {c.login_name for c in granted} == {nextcloud_server.login_name}
    assert sorted(c.app_password for c in granted) == sorted(
        p.password for p in nextcloud_server.app_passwords
    )
    assert len(nextcloud_server.app_passwords) == 2


def test_an_expired_sign_in_keeps_the_flow_s_own_words(nextcloud_server, monkeypatch):
    """SignInExpired is a LoginFlowError in the flow's words: the window says it in a
    sentence of its own, the CLI prints these (as it did before it went through here)."""
    monkeypatch.setattr(sign_in, "SIGN_IN_LIFETIME", 0.0)
    flow = begin_flow(nextcloud_server.root_url, True)
    with pytest.raises(SignInExpired) as expired:
        wait_for_browser(flow, nextcloud_server.root_url, True, stop=lambda _seconds: False)
    assert isinstance(expired.value, LoginFlowError)
    assert str(expired.value) == "the sign-in in the browser was not finished in time"
    assert nextcloud_server.app_passwords == []
