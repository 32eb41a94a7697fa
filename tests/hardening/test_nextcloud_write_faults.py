"""Nextcloud's OCS and Login Flow writes through a proxy that breaks them: a share link made,
changed and deleted, an app password revoked (signing out) or asked for, a browser sign-in.

The fake Nextcloud (tests/servers/nextcloud) behind the fault proxy, faults
scripted request by request or drawn from a seed, so every run meets the same
ones. What a user would check: one link where one was asked for (a lost answer
must not make a second), the link gone after Delete, the app password revoked
and no longer signing in; a server that keeps failing is given up on in words.
Find's SEARCH, a read sent with a body, is repeated as any read is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from urllib.parse import urlencode

import pytest

from app.config.secrets import PasswordStore
from app.dav import DavClient, errors, words
from app.dav.retry import RetryPolicy
from app.dav.search import NamePattern, find
from app.nextcloud import app_passwords, shares
from app.nextcloud.account import NextcloudAccount
from app.nextcloud.connect import connect
from app.nextcloud.login_flow import LoginFlow, LoginFlowError
from app.ui.nextcloud_account import sign_out
from tests.hardening.test_faults import seeds
from tests.hardening.test_write_faults import FAST, STALL, TIMEOUTS, drawn
from tests.servers.fault_proxy import FaultProxy

pytest_plugins = ["tests.memory_keyring"]

SHARES = "/ocs/v2.php/apps/files_sharing/api/v1/shares"
JSON = "?format=json"
REVOKE = ("DELETE", "/ocs/v2.php/core/apppassword" + JSON)
EXCHANGE = ("GET", "/ocs/v2.php/core/getapppassword" + JSON)
ITEM = "/remote.php/dav/files/alice/Docs/a b.txt"


@pytest.fixture
def cloud(nextcloud_server):
    (nextcloud_server.files_root / "Docs").mkdir()
    (nextcloud_server.files_root / "Docs" / "a b.txt").write_bytes(b"x")
    return nextcloud_server


def signed_in(
    proxy: FaultProxy, server, password: str | None = None, policy: RetryPolicy = FAST
) -> tuple[DavClient, NextcloudAccount]:
    """A client of the account through the proxy, as a window holds it: signed in with an app
    password, its first request made."""
    account = NextcloudAccount(proxy.url_for(server.root_url), server.user_id, server.user_id)
    client = DavClient(
        account.files_url,
        user=server.user_id,
        password=password or server.issue_app_password("davdesk"),
        timeouts=TIMEOUTS,
        retry=policy,
    )
    with proxy.healthy():
        client.stat(account.files_path)
    return client, account


def link_ids(server) -> list[str]:
    with DavClient(
        server.files_url, user=server.user_id, password=server.issue_app_password("checker")
    ) as client:
        account = NextcloudAccount(server.root_url, server.user_id, server.user_id)
        return [share.id for share in shares.list_shares(client, account, ITEM)]


@pytest.mark.parametrize(
    "faults", [["reset-after"], ["500", "503", "stall"], ["stall", "reset-after"], ["truncate"]]
)
def test_a_link_is_made_once_whatever_its_requests_meet(cloud, faults):
    with FaultProxy(
        cloud.root_url,
        script={("POST", SHARES + JSON): faults},
        retry_after="0",
        stall_seconds=STALL,
    ) as proxy:
        client, account = signed_in(proxy, cloud)
        with client:
            made = shares.create_link(
                client,
                account,
                ITEM,
                label="for Bob",
                expire=dt.date.today() + dt.timedelta(days=3),
            )
    assert link_ids(cloud) == [made.id]
    assert made.label == "for Bob" and made.url and made.is_link


def test_a_link_whose_answer_was_lost_is_found_not_made_again(cloud):
    with FaultProxy(cloud.root_url, script={("POST", SHARES + JSON): ["reset-after"]}) as proxy:
        client, account = signed_in(proxy, cloud)
        with client:
            made = shares.create_link(client, account, ITEM, password="s3cret link")
        assert proxy.seen("POST") == {SHARES + JSON: 1}
    assert link_ids(cloud) == [made.id] and made.has_password


def test_a_link_the_server_keeps_refusing_is_given_up_in_words(cloud):
    with FaultProxy(
        cloud.root_url, script={("POST", SHARES + JSON): ["503"] * FAST.attempts}, retry_after="0"
    ) as proxy:
        client, account = signed_in(proxy, cloud)
        with client, pytest.raises(errors.RetryableStatusError) as caught:
            shares.create_link(client, account, ITEM)
    assert (
        words.explain(caught.value)
        == f"Server unavailable (503 Service Unavailable) (after {FAST.attempts} attempts)"
    )
    assert link_ids(cloud) == []


def test_a_delete_whose_answer_was_lost_is_done_once(cloud):
    with FaultProxy(cloud.root_url, script={}) as proxy:
        client, account = signed_in(proxy, cloud)
        with client:
            made = shares.create_link(client, account, ITEM)
            proxy.script = {("DELETE", f"{SHARES}/{made.id}{JSON}"): ["reset-after", "500"]}
            shares.delete_share(client, account, made.id)
        assert proxy.seen("DELETE") == {f"{SHARES}/{made.id}{JSON}": 1}
    assert link_ids(cloud) == []


def test_a_change_is_sent_again_as_it_is(cloud):
    with FaultProxy(cloud.root_url, script={}, retry_after="0") as proxy:
        client, account = signed_in(proxy, cloud)
        with client:
            made = shares.create_link(client, account, ITEM)
            proxy.script = {("PUT", f"{SHARES}/{made.id}{JSON}"): ["reset-after", "500", "503"]}
            changed = shares.update_share(client, account, made.id, password="n3w secret")
    assert changed.id == made.id and changed.has_password
    assert link_ids(cloud) == [made.id]


@pytest.mark.parametrize("faults", [["reset-after"], ["500", "reset-after"], ["503", "stall"]])
def test_signing_out_revokes_once_through_failures(cloud, memory_keyring, faults):
    with FaultProxy(
        cloud.root_url, script={REVOKE: faults}, retry_after="0", stall_seconds=STALL
    ) as proxy:
        password = cloud.issue_app_password("davdesk")
        client, account = signed_in(proxy, cloud, password)
        PasswordStore().set(account.files_url, account.login_name, password)
        with client:
            result = sign_out(client, account, PasswordStore())  # the window's, on its pool
        assert result.revoke_problem is None and result.keyring_problem is None
    assert [p.revoked for p in cloud.app_passwords if p.password == password] == [True]
    assert PasswordStore().get(account.files_url, account.login_name) is None


def test_a_revocation_the_server_keeps_failing_keeps_the_password(cloud, memory_keyring):
    with FaultProxy(
        cloud.root_url, script={REVOKE: ["503"] * FAST.attempts}, retry_after="0"
    ) as proxy:
        password = cloud.issue_app_password("davdesk")
        client, account = signed_in(proxy, cloud, password)
        with client, pytest.raises(errors.RetryableStatusError) as caught:
            app_passwords.revoke(client, account.root_path)
    assert caught.value.attempts == FAST.attempts
    assert [p.revoked for p in cloud.app_passwords if p.password == password] == [False]


def account_password_client(proxy: FaultProxy, server) -> DavClient:
    """A client signed in with the account password (as the connect dialog is, before it
    trades it for an app password), its first request made."""
    client = DavClient(
        proxy.url_for(server.files_url),
        user=server.login_name,
        password=server.password,
        timeouts=TIMEOUTS,
        retry=FAST,
    )
    with proxy.healthy():
        client.stat(client.root)
    return client


def test_an_app_password_is_asked_for_again_only_when_none_was_issued(cloud):
    with (
        FaultProxy(cloud.root_url, script={EXCHANGE: ["503", "429"]}, retry_after="0") as proxy,
        account_password_client(proxy, cloud) as client,
    ):
        issued = app_passwords.exchange(client, "/")
        assert proxy.seen("GET")[EXCHANGE[1]] == 3
    assert [p.password for p in cloud.app_passwords] == [issued]


def test_an_app_password_whose_answer_was_lost_is_not_asked_for_twice(cloud):
    with (
        FaultProxy(cloud.root_url, script={EXCHANGE: ["reset-after"]}) as proxy,
        account_password_client(proxy, cloud) as client,
    ):
        with pytest.raises(errors.UnconfirmedError) as caught:
            app_passwords.exchange(client, "/")
        assert proxy.seen("GET")[EXCHANGE[1]] == 1
    said = words.explain(caught.value)
    assert said.startswith("Not confirmed: the answer was lost (GET ")
    assert "revoke" in said and app_passwords.WHERE_TO_REVOKE in said
    assert len(cloud.app_passwords) == 1  # the one whose answer was lost, no second


def test_a_browser_sign_in_rides_out_failures(cloud):
    script = {
        ("POST", "/index.php/login/v2"): ["reset-after", "500"],
        ("POST", "/login/v2/poll"): ["503", "reset-before"],
    }
    with (
        FaultProxy(cloud.root_url, script=script, retry_after="0") as proxy,
        DavClient(proxy.url, timeouts=TIMEOUTS, retry=FAST) as anonymous,
    ):
        flow = LoginFlow.start(anonymous, "/")
        waited = []

        def stop(seconds: float) -> bool:
            waited.append(seconds)
            if len(waited) == 1:  # the user signs in while the first polls fail
                cloud.grant_login(flow.login_url)
            return False

        credentials = flow.wait(anonymous, stop=stop, interval=0.01)
        assert proxy.seen("POST")["/index.php/login/v2"] == 3
        assert proxy.injected == {"reset-after": 1, "500": 1, "503": 1, "reset-before": 1}
    assert credentials.login_name == cloud.login_name
    assert [p.password for p in cloud.app_passwords] == [credentials.app_password]


def test_a_sign_in_whose_answer_was_lost_says_what_to_revoke(cloud):
    """Nextcloud hands the credentials out once: lost on the way, they cannot be asked for
    again, and the wait ends at the flow's lifetime naming the app password to revoke."""
    with (
        FaultProxy(cloud.root_url, script={("POST", "/login/v2/poll"): ["reset-after"]}) as proxy,
        DavClient(proxy.url, timeouts=TIMEOUTS, retry=FAST) as anonymous,
    ):
        flow = LoginFlow.start(anonymous, "/")
        cloud.grant_login(flow.login_url)
        with pytest.raises(LoginFlowError) as caught:
            flow.wait(anonymous, stop=lambda seconds: False, interval=0.05, lifetime=1.0)
    assert "its answer was lost on the way" in str(caught.value)
    assert app_passwords.WHERE_TO_REVOKE in str(caught.value)
    assert len(cloud.app_passwords) == 1


@pytest.mark.parametrize("seed", seeds([1, 2, 3, 4, 5, 6]))
def test_links_through_a_third_of_requests_failing(cloud, seed):
    """Faults drawn from the seed for every request of three links made, changed and
    deleted, the checks' listings included: one link each time, gone after Delete."""
    listing = (
        SHARES + "?" + urlencode({"format": "json", "path": "/Docs/a b.txt", "reshares": "true"})
    )
    targets = [("POST", SHARES + JSON), ("GET", listing)]
    for share_id in (1, 2, 3):  # a fresh server numbers its shares from 1
        one = f"{SHARES}/{share_id}{JSON}"
        targets += [("PUT", one), ("DELETE", one), ("GET", one)]
    policy = replace(FAST, attempts=8)
    with FaultProxy(
        cloud.root_url, script=drawn(seed, targets, share=0.34), retry_after="0"
    ) as proxy:
        client, account = signed_in(proxy, cloud, policy=policy)
        with client:
            for round_ in range(3):
                made = shares.create_link(client, account, ITEM, label=f"round {round_}")
                assert link_ids(cloud) == [made.id] == [str(round_ + 1)]
                shares.update_share(client, account, made.id, password="pass word")
                shares.delete_share(client, account, made.id)
                assert link_ids(cloud) == [], round_
        assert proxy.total_injected >= 3


def test_find_searches_again_through_failures(cloud):
    """SEARCH changes nothing (RFC 5323): the client sends it again itself, as a PROPFIND."""
    with FaultProxy(
        cloud.root_url,
        script={("SEARCH", "/remote.php/dav/"): ["503", "reset-after", "500"]},
        retry_after="0",
    ) as proxy:
        found = connect(proxy.url, login=cloud.user_id, password=cloud.issue_app_password("f"))
        batches: list[list[str]] = []
        with found.client:
            summary = find(
                found.client,
                found.account.files_path,
                NamePattern("a b"),
                lambda batch: batches.append([r.name for r in batch]),
            )
        assert summary.method == "search" and proxy.seen("SEARCH") == {"/remote.php/dav/": 4}
    assert batches == [["a b.txt"]]
