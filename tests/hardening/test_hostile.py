"""A hostile server: every trick in its 207 bodies and hrefs ends in a clear error or Outcome.

No local file is read, nothing is fetched from the network, nothing is
written outside the folder the user chose, and a 50 MB body is given up on
after its first bytes. Listing (DavClient), GET, and download and delete
jobs are each put in front of the same server.
"""

from __future__ import annotations

import os
import time
import unicodedata
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from app.dav import DavClient, Timeouts, errors
from app.dav.outcome import Source
from app.dav.paths import check_local_name
from app.dav.resource import Resource
from app.dav.retry import RetryPolicy
from app.jobs.model import Conflict, JobState
from app.jobs.planner import plan_delete, plan_download
from app.jobs.runner import JobOptions
from tests.hardening.hostile import (
    ATTACKS,
    HOSTILE_HREFS,
    PORTABLE_HERE,
    PROMPT,
    REFUSED_HERE,
    SHARE,
    Unread,
    arm,
    check_contained,
    everything_under,
)
from tests.hardening.jobs import run_job
from tests.servers.hostile_server import Answer, HostileServer, listing

OPTIONS = JobOptions(
    workers=4, keep_mtime=False, retry=RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.05)
)


@pytest.fixture
def client(server: HostileServer) -> Iterator[DavClient]:
    with DavClient(server.url + "share/", timeouts=Timeouts(connect=2, read=5)) as c:
        yield c


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_hostile_listing_is_a_clear_error(server, client, attack, secret, tmp_path):
    arm(server, attack, "PROPFIND", secret, tmp_path)
    unread = Unread(secret)
    started = time.monotonic()
    with pytest.raises(errors.MultiStatusError) as caught:
        client.listdir(SHARE)
    message = str(caught.value)
    assert message.startswith("malformed multistatus body") or "DOCTYPE" in message
    check_contained(server, message + repr(caught.value.__context__), started)
    unread.check()


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_download_job_of_a_hostile_folder_fails_cleanly(
    server, client, attack, secret, tmp_path, target
):
    arm(server, attack, "PROPFIND", secret, tmp_path)
    folder = Resource(SHARE, True, None, None, None, None)
    started = time.monotonic()
    with pytest.raises(errors.MultiStatusError) as caught:
        plan_download(client, [folder], target, Conflict.ASK)
    check_contained(server, str(caught.value), started)
    assert everything_under(target.parent) == {"target"}


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_hostile_answer_to_a_folder_delete_is_a_failed_outcome(
    server, client, attack, secret, tmp_path
):
    arm(server, attack, "DELETE", secret, tmp_path)
    folder = Resource(SHARE, True, None, None, None, None)
    started = time.monotonic()
    ended, results = run_job(client, plan_delete(client, [folder]), OPTIONS)
    [result] = results
    [outcome] = result.outcomes
    assert ended.state is JobState.FAILED and not outcome.ok
    assert outcome.reason == "MultiStatusError" and outcome.detail
    check_contained(server, outcome.detail, started)
    assert len(server.seen("DELETE")) == 1  # an answer, broken or not, is not retried


@pytest.mark.expected_log("outside the folder")
def test_a_listing_shows_only_what_is_inside_the_folder(server, client):
    hrefs = [*HOSTILE_HREFS.values(), SHARE + "fine.txt"]
    server.answer("PROPFIND", SHARE, 207, listing(SHARE, hrefs))
    paths = [r.path for r in client.listdir(SHARE)]
    assert sorted(paths) == sorted([*REFUSED_HERE, "/share/fine.txt"])
    streamed = {r.href for r in client.iter_propfind(SHARE, 1)}
    assert streamed == {SHARE, "/share//", *paths}  # "/share/./" and "/share//": the folder


@pytest.mark.expected_log("outside the folder")
def test_hostile_hrefs_in_a_download_job_stay_in_the_target_folder(server, client, target):
    hrefs = [*HOSTILE_HREFS.values(), *(SHARE + name for name in PORTABLE_HERE.values())]
    server.answer("PROPFIND", SHARE, 207, listing(SHARE, hrefs))
    for job in (
        plan_download(client, client.listdir(SHARE), target, Conflict.ASK),
        plan_download(client, [client.stat(SHARE)], target, Conflict.SKIP),
    ):
        ended, results = run_job(client, job, OPTIONS)

        refused = [o for r in results for o in r.outcomes if not o.ok]
        assert sorted(o.path for o in refused) == sorted(REFUSED_HERE)
        assert all(
            o.source is Source.LOCAL
            and o.reason == "UnsafePathError"
            and "unsafe name from server" in o.detail
            for o in refused
        ), refused
        assert ended.state is JobState.FAILED
    written = everything_under(target.parent)
    assert all(name == "target" or name.startswith("target/") for name in written), written
    assert not [s.path for s in server.seen("GET") if not s.path.startswith(SHARE)]
    assert [s.path for s in server.seen("GET") if "http" in s.path] == []
    here = {
        "CON",
        "aux.txt",
        "a:b.txt",
        "<b>.txt",
        "why?.txt",
        "star*.txt",
        "pi|pe.txt",
        'quo"te.txt',
        "dot.",
        "space ",
    }
    assert set(os.listdir(target)) == here | {"share"}
    assert set(os.listdir(target / "share")) == here
    for name in here:
        assert (target / name).read_bytes() == f"payload of /share/{quote(name)}".encode()


@pytest.mark.parametrize(
    "name",
    [
        "CON",
        "aux.txt",
        "LPT1",
        "a:b.txt",
        "<b>.txt",
        "why?.txt",
        "star*.txt",
        "pi|pe.txt",
        'quo"te.txt',
        "dot.",
        "space ",
    ],
)
def test_names_windows_cannot_hold_are_refused_there(name, monkeypatch):
    monkeypatch.setattr("app.dav.paths.sys.platform", "win32")
    with pytest.raises(errors.UnsafePathError, match="Windows"):
        check_local_name(name)


#: Names macOS cannot hold as the server has them, and why.
MACOS_REFUSES = {
    "a:b.txt": "Finder shows as '/'",  # ":" is the Finder's separator
    "\u0390" * 100: "once decomposed",  # 200 bytes as sent; 300 units as HFS+ stores it (NFD)
    "\u00e9" * 128: "255 bytes",  # 256 bytes of UTF-8
}


@pytest.mark.parametrize("name", list(MACOS_REFUSES))
def test_names_macos_cannot_hold_are_refused_there(name, monkeypatch):
    monkeypatch.setattr("app.dav.paths.sys.platform", "darwin")
    with pytest.raises(errors.UnsafePathError, match=MACOS_REFUSES[name]):
        check_local_name(name)
    monkeypatch.setattr("app.dav.paths.sys.platform", "linux")
    if len(name.encode()) <= 255:
        assert check_local_name(name) == name  # an ordinary name here


@pytest.mark.parametrize(
    "name",
    [
        unicodedata.normalize("NFD", "café.txt"),
        "caf\u00e9.txt",
        "\u00e9" * 127,
        "CON",
        "why?.txt",
        "日本語 \u200b.txt",
    ],
)
def test_names_macos_holds_are_kept_there(name, monkeypatch):
    monkeypatch.setattr("app.dav.paths.sys.platform", "darwin")
    assert check_local_name(name) == name


@pytest.mark.expected_log("outside the folder")
def test_a_download_job_on_macos_refuses_only_what_macos_cannot_hold(
    server, client, target, monkeypatch
):
    """The hostile listing plus names fine here but not on macOS: each of those becomes a
    refused Outcome, and every other file is downloaded."""
    mac_only = ["a%3Ab.txt", quote("\u0390" * 100)]
    ordinary = [quote(unicodedata.normalize("NFD", "café.txt")), "why%3F.txt"]
    hrefs = [*HOSTILE_HREFS.values(), *(SHARE + name for name in mac_only + ordinary)]
    server.answer("PROPFIND", SHARE, 207, listing(SHARE, hrefs))
    monkeypatch.setattr("app.dav.paths.sys.platform", "darwin")
    ended, results = run_job(
        client, plan_download(client, client.listdir(SHARE), target, Conflict.ASK), OPTIONS
    )

    refused = [o for r in results for o in r.outcomes if not o.ok]
    mac_refused = {o.path.removeprefix(SHARE) for o in refused} - {
        p.removeprefix(SHARE) for p in REFUSED_HERE
    }
    assert mac_refused == {"a:b.txt", "\u0390" * 100}
    assert all(
        o.reason == "UnsafePathError" and "unsafe name from server" in o.detail for o in refused
    )
    assert ended.state is JobState.FAILED
    assert sorted(os.listdir(target)) == sorted(
        [unicodedata.normalize("NFD", "café.txt"), "why?.txt"]
    )


def test_an_endlessly_deep_folder_does_not_plan_forever(server, client, target):
    """Every folder lists one more folder inside it: planning stops, with a clear refusal."""
    server.answer_with(
        "PROPFIND",
        lambda path: Answer(
            207, listing(path, [path + "deeper/"]), (("Content-Type", "application/xml"),)
        ),
    )
    started = time.monotonic()
    job = plan_download(
        client, [Resource(SHARE + "deeper/", True, None, None, None, None)], target, Conflict.ASK
    )
    assert time.monotonic() - started < PROMPT
    ended, results = run_job(client, job, OPTIONS)
    [refused] = [o for r in results for o in r.outcomes if not o.ok]
    assert refused.reason == "UnsafePathError" and "too deep" in refused.detail
    assert all(len(os.fsencode(p)) < 4096 for p in target.rglob("*"))
    assert ended.state is JobState.FAILED


@pytest.mark.parametrize(
    "location",
    ["file:///etc/passwd", "http://evil.example/share/a.txt", "https://127.0.0.1:1/share/a.txt"],
)
def test_get_never_follows_a_redirect_off_the_server(server, client, target, location):
    server.answer("GET", SHARE + "a.txt", 302, headers=[("Location", location)])
    with pytest.raises(errors.UnsafeRedirectError):
        client.get(SHARE + "a.txt", target / "a.txt")
    assert everything_under(target) == set()


def test_get_of_a_body_shorter_than_it_claimed_leaves_nothing(server, client, target):
    data = b"x" * 100_000

    def body() -> Iterator[bytes]:
        yield data

    server.answer("GET", SHARE + "a.txt", 200, body, length=len(data) + 10)
    with pytest.raises(errors.TransportError):
        client.get(SHARE + "a.txt", target / "a.txt")
    assert everything_under(target) == set()
    assert os.listdir(target) == []
