"""What a sync recovers from, against the real servers: a killed run's leftovers, a flaky server.

A killed run leaves its uploads noted as pending in the state database; the
next run may take a server file at such a path for that upload's fragment
only if its bytes are the start of ours. Planning reads hundreds of
listings; one 503 among them is retried, not the end of the sync.
"""

from __future__ import annotations

import os

import pytest

from app.config.paths import AppPaths
from app.dav import DavClient
from app.jobs.naming import name_key
from app.sync import StateDB, state_file
from app.sync.model import Action
from app.sync.state import Pending
from tests.integration.test_sync import conflict_copies, ops, plan_of, run_plan, tree, write
from tests.servers.fault_proxy import FaultProxy

OURS = b"our version of the report, as it was being sent"


def killed_while_sending(local, tmp_path, url: str, rel: str) -> StateDB:
    """The state a run killed mid-upload leaves: the local version noted as pending, no record."""
    found = (local / rel).stat()
    state = StateDB(state_file(AppPaths.under(tmp_path / "config-home").data, local, url))
    state.start_pending([(name_key(rel), Pending(True, found.st_size, found.st_mtime_ns, None))])
    return state


#: A colleague's versions, none a fragment of ours: longer, as long, shorter.
THEIRS = {
    "longer": OURS + b", and a colleague's edit at the end",
    "as long": b"a colleague's version".ljust(len(OURS), b"!"),
    "shorter": b"a colleague's short one",
}


@pytest.mark.parametrize("theirs", THEIRS.values(), ids=THEIRS.keys())
def test_a_pending_upload_never_takes_a_colleagues_file(sync, dav_server, local, tmp_path, theirs):
    write(local, "a.txt", OURS)
    with killed_while_sending(local, tmp_path, dav_server.url, "a.txt") as state:
        dav_server.make_file("a.txt", theirs)  # the colleague's, not a fragment of ours
        code, outcomes, _ = sync("both")
        assert code == 0, outcomes
        files = tree(dav_server.root)
        [beside] = conflict_copies(files, "a.txt")
        assert files == tree(local) == {"a.txt": OURS, beside: theirs}
        assert state.load_pending() == {}  # no stale row left to mislead a later run
    assert sync("both")[1] == []


def test_a_fragment_of_a_pending_upload_is_sent_again(sync, dav_server, local, tmp_path):
    write(local, "a.txt", OURS)
    with killed_while_sending(local, tmp_path, dav_server.url, "a.txt") as state:
        dav_server.make_file("a.txt", OURS[:20])  # what the server kept of the cut-off body
        code, outcomes, _ = sync("both")
        assert code == 0 and ops(outcomes) == [("put", True)], outcomes
        assert tree(dav_server.root) == {"a.txt": OURS}
        assert state.load_pending() == {}
    assert sync("both")[1] == []


def test_a_pending_upload_that_landed_whole_is_recorded_not_sent(sync, dav_server, local, tmp_path):
    write(local, "a.txt", OURS)
    with killed_while_sending(local, tmp_path, dav_server.url, "a.txt") as state:
        landed = dav_server.make_file("a.txt", OURS)
        later = (local / "a.txt").stat().st_mtime + 5  # it landed in a later second than written
        os.utime(landed, (later, later))
        code, outcomes, _ = sync("both")
        assert code == 0 and outcomes == []
        assert tree(dav_server.root) == {"a.txt": OURS} and state.load_pending() == {}
    assert sync("both")[1] == []


#: What the server holds when the next run lists it, then what it holds by the time that run's
#: PUT arrives: the killed run's body, which the server went on writing meanwhile.
STILL_LANDING = {
    "grew": (OURS[:20], OURS[:35]),
    "appeared": (None, OURS[:20]),
    "landed whole": (OURS[:20], OURS),
}


@pytest.mark.parametrize(("listed", "then"), STILL_LANDING.values(), ids=STILL_LANDING.keys())
def test_a_killed_upload_still_landing_is_sent_over_not_a_conflict(
    dav_server, local, tmp_path, listed, then
):
    """A killed run's PUT goes on being written by the server after the next run has listed
    it: the 412 the resent upload gets is against its own earlier attempt, whose bytes are
    still the start of ours, so it is sent again over them rather than reported a conflict."""
    write(local, "a.txt", OURS)
    if listed is not None:
        dav_server.make_file("a.txt", listed)
    with (
        killed_while_sending(local, tmp_path, dav_server.url, "a.txt") as state,
        DavClient(dav_server.url, user=dav_server.user, password=dav_server.password) as client,
    ):
        plan = plan_of(client, local, dav_server, state)
        assert [(item.action, item.resumes) for item in plan.items] == [(Action.UPLOAD, True)]
        dav_server.make_file("a.txt", then)
        assert run_plan(client, state, plan) == []
        assert tree(dav_server.root) == {"a.txt": OURS}
        assert state.load_pending() == {}
        assert plan_of(client, local, dav_server, state).items == ()


def test_a_colleagues_file_written_before_the_resend_stays_a_conflict(dav_server, local, tmp_path):
    write(local, "a.txt", OURS)
    dav_server.make_file("a.txt", OURS[:20])
    with (
        killed_while_sending(local, tmp_path, dav_server.url, "a.txt") as state,
        DavClient(dav_server.url, user=dav_server.user, password=dav_server.password) as client,
    ):
        plan = plan_of(client, local, dav_server, state)
        dav_server.make_file("a.txt", THEIRS["longer"])
        [failed] = run_plan(client, state, plan)
        assert failed.is_conflict and failed.status == 412
        assert tree(dav_server.root) == {"a.txt": THEIRS["longer"]}
        assert tree(local) == {"a.txt": OURS}


def test_a_503_while_listing_is_retried(dav_server, local, tmp_path, monkeypatch, capsys):
    """Each folder's first listing is answered 503 (with Retry-After) by a proxy in front of
    the server: the scan asks again, and the sync carries on as if nothing had happened."""
    from app.__main__ import main

    for n in range(3):
        dav_server.make_file(f"d{n}/theirs.txt", b"remote")
    write(local, "mine.txt", b"local")
    monkeypatch.setenv("DAVDESK_PASSWORD", dav_server.password)
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "config-home"))
    with FaultProxy(
        dav_server.url, methods=["PROPFIND"], first=1, faults=["503"], retry_after="0"
    ) as proxy:
        code = main(
            [
                "sync",
                "--user",
                dav_server.user,
                str(local),
                proxy.url_for(dav_server.url),
                "--direction",
                "both",
            ]
        )
        assert proxy.injected["503"] >= 4  # the root, its three folders, and the checks
    out = capsys.readouterr().out
    assert code == 0, out
    assert tree(local) == tree(dav_server.root)
    assert tree(local)["d2/theirs.txt"] == b"remote" and tree(local)["mine.txt"] == b"local"


def test_a_listing_that_keeps_failing_stops_the_plan_with_its_own_error(
    dav_server, local, tmp_path, monkeypatch, capsys
):
    """A 500 is an answer, not an overload: the plan stops with it, saying what failed, and
    nothing changes on either side (the local scan is not left to report a cancel)."""
    from app.__main__ import main

    dav_server.make_file("broken/theirs.txt", b"remote")
    for n in range(3000):  # enough that the local scan is still going when the listing fails
        write(local, f"d{n % 30}/{n}.txt", b"local")
    before = tree(local)
    monkeypatch.setenv("DAVDESK_PASSWORD", dav_server.password)
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "config-home"))
    with FaultProxy(
        dav_server.url,
        methods=["PROPFIND"],
        faults=["500"],
        share=1.0,
        paths=lambda path: "/broken" in path,
    ) as proxy:
        code = main(
            [
                "sync",
                "--user",
                dav_server.user,
                str(local),
                proxy.url_for(dav_server.url),
                "--direction",
                "both",
            ]
        )
    err = capsys.readouterr().err
    assert code == 1 and "500" in err and "broken" in err and "cancel" not in err
    assert tree(dav_server.root) == {"broken": None, "broken/theirs.txt": b"remote"}
    assert tree(local) == before
