"""A hostile server: every trick in its 207 bodies and hrefs ends in a clear error or Outcome.

No local file is read, nothing is fetched from the network, nothing is
written outside the folder the user chose, and a 50 MB body is given up on
after its first bytes. Listing (DavClient), GET, and download and delete
jobs are each put in front of the same server.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from app.dav import DavClient, Timeouts, errors
from app.dav.outcome import Source
from app.dav.paths import check_local_name
from app.dav.resource import Resource
from app.jobs.model import Conflict, JobState
from app.jobs.planner import plan_delete, plan_download
from app.jobs.retry import RetryPolicy
from app.jobs.runner import JobOptions
from tests.hardening.jobs import run_job
from tests.servers.hostile_server import (
    Answer,
    HostileServer,
    billion_laughs,
    deep_nesting,
    external_dtd,
    invalid_utf8,
    listing,
    xxe,
)

SHARE = "/share/"
SECRET = "TOP-SECRET-CONTENT"
OPTIONS = JobOptions(workers=4, keep_mtime=False,
                     retry=RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.05))
#: A parse of a hostile body must end within this, whatever the body.
PROMPT = 5.0
#: How much of a 50 MB body a client may read before giving up on it.
READ_AT_MOST = 8 * 1024 * 1024


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as running:
        yield running


@pytest.fixture
def client(server: HostileServer) -> Iterator[DavClient]:
    with DavClient(server.url + "share/", timeouts=Timeouts(connect=2, read=5)) as c:
        yield c


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """The folder the user downloads into, inside a folder that must stay untouched."""
    folder = tmp_path / "outside" / "target"
    folder.mkdir(parents=True)
    return folder


def everything_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


ATTACKS = ["external entity", "billion laughs", "network DTD", "file DTD", "invalid UTF-8",
           "50 MB nesting"]


def arm(server: HostileServer, attack: str, method: str, secret: Path, tmp_path: Path) -> None:
    """Make server answer method on SHARE with the attack's 207 body."""
    if attack == "external entity":
        server.answer(method, SHARE, 207, xxe(SHARE, str(secret)))
    elif attack == "billion laughs":
        server.answer(method, SHARE, 207, billion_laughs(SHARE))
    elif attack == "network DTD":
        server.answer(method, SHARE, 207, external_dtd(SHARE, server.url + "evil.dtd"))
    elif attack == "file DTD":
        dtd = tmp_path / "evil.dtd"
        dtd.write_text(f'<!ENTITY xxe SYSTEM "file://{secret}">')
        server.answer(method, SHARE, 207, external_dtd(SHARE, f"file://{dtd}"))
    elif attack == "invalid UTF-8":
        server.answer(method, SHARE, 207, invalid_utf8(SHARE))
    else:
        chunks, length = deep_nesting(SHARE)
        server.answer(method, SHARE, 207, chunks, length=length)


def check_contained(server: HostileServer, message: str, started: float) -> None:
    """Nothing leaked, nothing fetched, bounded in time and in what was read."""
    assert SECRET not in message
    assert time.monotonic() - started < PROMPT
    assert not [s.path for s in server.seen() if "dtd" in s.path], "a DTD was fetched"
    read = max(s.sent for s in server.seen() if s.path == SHARE)
    assert read <= READ_AT_MOST, f"read {read} bytes of a hostile body"


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_hostile_listing_is_a_clear_error(server, client, attack, secret, tmp_path):
    arm(server, attack, "PROPFIND", secret, tmp_path)
    started = time.monotonic()
    with pytest.raises(errors.MultiStatusError) as caught:
        client.listdir(SHARE)
    message = str(caught.value)
    assert message.startswith("malformed multistatus body") or "DOCTYPE" in message
    check_contained(server, message + repr(caught.value.__context__), started)


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_download_job_of_a_hostile_folder_fails_cleanly(server, client, attack, secret, tmp_path,
                                                          target):
    arm(server, attack, "PROPFIND", secret, tmp_path)
    folder = Resource(SHARE, True, None, None, None, None)
    started = time.monotonic()
    with pytest.raises(errors.MultiStatusError) as caught:
        plan_download(client, [folder], target, Conflict.ASK)
    check_contained(server, str(caught.value), started)
    assert everything_under(target.parent) == {"target"}


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_hostile_answer_to_a_folder_delete_is_a_failed_outcome(server, client, attack, secret,
                                                                 tmp_path):
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


HOSTILE_HREFS = {
    "climbs with ..": "/share/../../escaped.txt",
    "climbs with encoded ..%2F": "/share/..%2F..%2Fescaped-encoded.txt",
    "absolute path elsewhere": "/etc/passwd",
    "another host": "http://evil.example/share/other-host.txt",
    "backslashes": "/share/..%5C..%5Cbackslash.txt",
    "NUL": "/share/nul%00byte.txt",
    "control character": "/share/bell%07.txt",
    "a dot folder": "/share/./",
    "the parent as a member": "/share/../",
    "empty name": "/share//",
}
#: Not valid on Windows (or shown oddly by macOS Finder), but ordinary names on this system.
PORTABLE_HERE = {
    "reserved on Windows": "CON",
    "reserved with extension": "aux.txt",
    "colon": "a%3Ab.txt",
    "angle brackets": "%3Cb%3E.txt",
    "question mark": "why%3F.txt",
    "star": "star%2A.txt",
    "pipe": "pi%7Cpe.txt",
    "quote": "quo%22te.txt",
    "trailing dot": "dot.",
    "trailing space": "space%20",
}


@pytest.mark.expected_log("outside the folder")
def test_a_listing_shows_only_what_is_inside_the_folder(server, client):
    hrefs = [*HOSTILE_HREFS.values(), SHARE + "fine.txt"]
    server.answer("PROPFIND", SHARE, 207, listing(SHARE, hrefs))
    paths = [r.path for r in client.listdir(SHARE)]
    assert sorted(paths) == sorted(["/share/..\\..\\backslash.txt", "/share/nul\x00byte.txt",
                                    "/share/bell\x07.txt", "/share/fine.txt"])
    streamed = {r.href for r in client.iter_propfind(SHARE, 1)}
    assert streamed == {SHARE, "/share//", *paths}  # "/share/./" and "/share//": the folder


@pytest.mark.expected_log("outside the folder")
def test_hostile_hrefs_in_a_download_job_stay_in_the_target_folder(server, client, target):
    hrefs = [*HOSTILE_HREFS.values(), *(SHARE + name for name in PORTABLE_HERE.values())]
    server.answer("PROPFIND", SHARE, 207, listing(SHARE, hrefs))
    for job in (plan_download(client, client.listdir(SHARE), target, Conflict.ASK),
                plan_download(client, [client.stat(SHARE)], target, Conflict.SKIP)):
        ended, results = run_job(client, job, OPTIONS)

        refused = [o for r in results for o in r.outcomes if not o.ok]
        assert sorted(o.path for o in refused) == sorted(
            ["/share/..\\..\\backslash.txt", "/share/nul\x00byte.txt", "/share/bell\x07.txt"])
        assert all(o.source is Source.LOCAL and o.reason == "UnsafePathError"
                   and "unsafe name from server" in o.detail for o in refused), refused
        assert ended.state is JobState.FAILED
    written = everything_under(target.parent)
    assert all(name == "target" or name.startswith("target/") for name in written), written
    assert not [s.path for s in server.seen("GET") if not s.path.startswith(SHARE)]
    assert [s.path for s in server.seen("GET") if "http" in s.path] == []
    here = {"CON", "aux.txt", "a:b.txt", "<b>.txt", "why?.txt", "star*.txt", "pi|pe.txt",
            'quo"te.txt', "dot.", "space "}
    assert set(os.listdir(target)) == here | {"share"}
    assert set(os.listdir(target / "share")) == here
    for name in here:
        assert (target / name).read_bytes() == f"payload of /share/{quote(name)}".encode()


@pytest.mark.parametrize("name", ["CON", "aux.txt", "LPT1", "a:b.txt", "<b>.txt", "why?.txt",
                                  "star*.txt", "pi|pe.txt", 'quo"te.txt', "dot.", "space "])
def test_names_windows_cannot_hold_are_refused_there(name, monkeypatch):
    monkeypatch.setattr("app.dav.paths.sys.platform", "win32")
    with pytest.raises(errors.UnsafePathError, match="Windows"):
        check_local_name(name)


def test_an_endlessly_deep_folder_does_not_plan_forever(server, client, target):
    """Every folder lists one more folder inside it: planning stops, with a clear refusal."""
    server.answer_with("PROPFIND", lambda path: Answer(
        207, listing(path, [path + "deeper/"]), (("Content-Type", "application/xml"),)))
    started = time.monotonic()
    job = plan_download(client, [Resource(SHARE + "deeper/", True, None, None, None, None)],
                        target, Conflict.ASK)
    assert time.monotonic() - started < PROMPT
    ended, results = run_job(client, job, OPTIONS)
    [refused] = [o for r in results for o in r.outcomes if not o.ok]
    assert refused.reason == "UnsafePathError" and "too deep" in refused.detail
    assert all(len(os.fsencode(p)) < 4096 for p in target.rglob("*"))
    assert ended.state is JobState.FAILED


@pytest.mark.parametrize("location", ["file:///etc/passwd", "http://evil.example/share/a.txt",
                                      "https://127.0.0.1:1/share/a.txt"])
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
