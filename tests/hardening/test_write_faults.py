"""Lock, Unlock and a property's new value, sent outside a job, through a proxy that breaks them.

Against the real Apache and wsgidav, the fault proxy of tests/servers in
front. The faults are scripted request by request (the same in every run):
a reset after the server acted (the answer is lost, the effect is not), a
500 or 503 the proxy answers itself, a stall. What a user would check
afterwards: one lock on the file and its token the one Davdesk keeps, no lock
after Unlock, the property's value on the server; and when the server keeps
failing, an error that says how many attempts were made and what the last met.
A seeded sweep at the end throws every kind of fault at the three writes.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

import pytest

from app.dav import DavClient, Timeouts, errors, words
from app.dav.retry import RetryPolicy
from app.dav.writes import EARLIER_ATTEMPT, release_lock, set_properties, take_lock
from tests.hardening.test_faults import seeds
from tests.servers import ServerHandle
from tests.servers.fault_proxy import FaultProxy

FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)
#: Loopback servers answer in milliseconds; a stall is waited out this long (generous: the
#: machine may be loaded), and only in the tests that script one.
TIMEOUTS = Timeouts(connect=5.0, read=3.0)
STALL = 4.0
#: What the seeded sweeps throw: every fault but a stall (each costs a read timeout; the
#: scripted tests have theirs).
SWEPT = ("reset-before", "reset-after", "truncate", "cut-body", "500", "503", "429")
OWNER = "davdesk"
PROP = "{urn:example:test}colour"


@pytest.fixture(params=["apache", "wsgidav"])
def server(request: pytest.FixtureRequest) -> ServerHandle:
    handle = request.getfixturevalue(f"{request.param}_server")
    (handle.root / "a.txt").write_bytes(b"alpha\n")
    if handle.name == "apache":
        handle.chown()
    return handle


def proxied(proxy: FaultProxy, server: ServerHandle, policy: RetryPolicy = FAST) -> DavClient:
    """A client through the proxy, signed in as a window's is (its first request, which learns
    the auth scheme from a 401, has been made), so a relayed write is carried out."""
    client = DavClient(
        proxy.url_for(server.url),
        user=server.user,
        password=server.password,
        timeouts=TIMEOUTS,
        retry=policy,
    )
    with proxy.healthy():
        client.stat(client.root)
    return client


def direct(server: ServerHandle) -> DavClient:
    return DavClient(server.url, user=server.user, password=server.password)


def drawn(
    seed: int,
    targets: Iterable[tuple[str, str]],
    share: float,
    faults: Sequence[str] = SWEPT,
    length: int = 40,
) -> dict[tuple[str, str], list]:
    """A script drawn from the seed: each request to each target meets a fault with the
    given share. Drawn per target, so which tests ran before (and so the test's folder name,
    which the proxy's own draw would hash) changes nothing."""
    draw = random.Random(seed)
    return {
        target: [draw.choice(faults) if draw.random() < share else None for _ in range(length)]
        for target in sorted(targets)
    }


def raw(server: ServerHandle, name: str) -> str:
    """The request target the proxy sees for a file of the test's root."""
    return urlsplit(server.url).path + name


def test_lock_whose_answer_was_lost_is_found_and_not_taken_twice(server):
    script = {("LOCK", raw(server, "a.txt")): ["reset-after"]}
    with FaultProxy(server.url, script=script) as proxy, proxied(proxy, server) as client:
        path = client.root + "a.txt"
        lock = take_lock(client, path, owner=OWNER, timeout=600)
        assert proxy.seen("LOCK") == {raw(server, "a.txt"): 1}  # found, not sent again
    with direct(server) as client:
        locks = client.locks(path)
        assert [held.token for held in locks] == [lock.token]
        assert locks[0].owner == OWNER
        release_lock(client, path, lock.token)


@pytest.mark.parametrize(
    "faults", [["500", "503", "reset-before"], ["stall"], ["reset-after", "500"]]
)
def test_lock_through_failures_ends_with_one_lock(server, faults):
    script = {("LOCK", raw(server, "a.txt")): faults}
    with (
        FaultProxy(server.url, script=script, retry_after="0", stall_seconds=STALL) as proxy,
        proxied(proxy, server) as client,
    ):
        path = client.root + "a.txt"
        lock = take_lock(client, path, owner=OWNER, timeout=600)
    with direct(server) as client:
        assert [held.token for held in client.locks(path)] == [lock.token]
        release_lock(client, path, lock.token)


def test_unlock_whose_answer_was_lost_is_done_once(server):
    script = {("UNLOCK", raw(server, "a.txt")): ["reset-after"]}
    with direct(server) as client:
        path = client.root + "a.txt"
        lock = client.lock(path, owner=OWNER, timeout=600)
    with FaultProxy(server.url, script=script) as proxy, proxied(proxy, server) as client:
        outcome = release_lock(client, path, lock.token)
        assert outcome.ok and outcome.note == EARLIER_ATTEMPT
        assert proxy.seen("UNLOCK") == {raw(server, "a.txt"): 1}
    with direct(server) as client:
        assert client.locks(path) == []


def test_unlock_through_500_and_503_releases_the_lock(server):
    script = {("UNLOCK", raw(server, "a.txt")): ["500", "503"]}
    with direct(server) as client:
        path = client.root + "a.txt"
        lock = client.lock(path, owner=OWNER, timeout=600)
    with (
        FaultProxy(server.url, script=script, retry_after="0") as proxy,
        proxied(proxy, server) as client,
    ):
        assert release_lock(client, path, lock.token).ok
    with direct(server) as client:
        assert client.locks(path) == []


def test_proppatch_is_sent_again_as_it_is(server):
    script = {("PROPPATCH", raw(server, "a.txt")): ["reset-after", "500", "cut-body"]}
    with (
        FaultProxy(server.url, script=script, retry_after="0") as proxy,
        proxied(proxy, server) as client,
    ):
        path = client.root + "a.txt"
        assert set_properties(client, path, {PROP: "green"}).ok
        assert proxy.seen("PROPPATCH") == {raw(server, "a.txt"): 4}
        assert set_properties(client, path, remove=[PROP]).ok
    with direct(server) as client:
        assert PROP not in client.all_properties(path)


def test_a_server_that_keeps_failing_a_lock_is_given_up_in_words(server):
    script = {("LOCK", raw(server, "a.txt")): ["503"] * FAST.attempts}
    with (
        FaultProxy(server.url, script=script, retry_after="0") as proxy,
        proxied(proxy, server) as client,
    ):
        path = client.root + "a.txt"
        with pytest.raises(errors.RetryableStatusError) as caught:
            take_lock(client, path, owner=OWNER)
    assert caught.value.attempts == FAST.attempts
    assert (
        words.explain(caught.value)
        == f"Server unavailable (503 Service Unavailable) (after {FAST.attempts} attempts)"
    )
    with direct(server) as client:
        assert client.locks(path) == []


def test_a_lost_lock_the_server_will_not_show_is_unconfirmed_in_words(server):
    """The LOCK's answer is lost, then every lockdiscovery meets a 500: Davdesk cannot say
    whether the file is locked, and says so rather than sending another LOCK."""
    target = raw(server, "a.txt")
    script = {
        ("LOCK", target): ["reset-after"],
        ("PROPFIND", target): [None] + ["500"] * FAST.attempts,
    }
    with FaultProxy(server.url, script=script) as proxy, proxied(proxy, server) as client:
        path = client.root + "a.txt"
        with pytest.raises(errors.UnconfirmedError) as caught:
            take_lock(client, path, owner=OWNER)
        assert proxy.seen("LOCK") == {target: 1}
    said = words.explain(caught.value)
    assert said.startswith("Not confirmed: the answer was lost (LOCK ")
    assert "whether it took effect is not known: the check met PROPFIND" in said
    assert f"500 Internal Server Error (gave up after {FAST.attempts} attempts)" in said
    with direct(server) as client:
        [lock] = client.locks(path)  # it was taken: the user is told it may be
        client.unlock(path, lock.token)


@pytest.mark.parametrize("seed", seeds([1, 2, 3, 4, 5, 6, 7, 8]))
def test_writes_through_a_third_of_requests_failing(server, seed):
    """Faults drawn from the seed for the writes and the checks' listings: each write ends
    done, exactly once."""
    target = raw(server, "a.txt")
    script = drawn(
        seed,
        [(method, target) for method in ("LOCK", "UNLOCK", "PROPPATCH", "PROPFIND")],
        share=0.34,
    )
    policy = RetryPolicy(attempts=8, base_delay=0.01, max_delay=0.05)
    with (
        FaultProxy(server.url, script=script, retry_after="0") as proxy,
        proxied(proxy, server, policy) as client,
    ):
        path = client.root + "a.txt"
        for round_ in range(3):
            lock = take_lock(client, path, owner=OWNER, timeout=600)
            with proxy.healthy():
                assert [held.token for held in client.locks(path)] == [lock.token], round_
            assert set_properties(client, path, {PROP: f"round {round_}"}, lock_token=lock.token).ok
            assert release_lock(client, path, lock.token).ok
            with proxy.healthy():
                assert client.locks(path) == []
                assert client.all_properties(path)[PROP] == f"round {round_}"
        assert proxy.total_injected >= 3
