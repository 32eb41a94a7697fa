"""`davdesk get` and `davdesk sync` in front of a hostile server, as a user runs them.

Each attack ends in one clear line on stderr or one failed Outcome, never a
traceback; the secret file the bodies name is never read; nothing is written
outside the folder the user chose; and a sync that meets a hostile listing
changes nothing at all: no local file is deleted or rewritten on the word of
a listing that could not be read, and the state database keeps its records.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from app.__main__ import main
from app.config.paths import AppPaths
from app.sync import state_file
from app.sync.state import StateDB
from tests.hardening.hostile import (
    ATTACKS,
    HOSTILE_HREFS,
    PORTABLE_HERE,
    REFUSED_HERE,
    SHARE,
    Unread,
    arm,
    check_contained,
    everything_under,
)
from tests.servers.hostile_server import HostileServer, listing

EXIT_FAILED = 1


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


@pytest.mark.parametrize("depth", ["0", "1"], ids=["stat", "listing"])
@pytest.mark.parametrize("attack", ATTACKS)
def test_davdesk_get_of_a_hostile_folder_fails_in_one_clear_line(
    server, attack, depth, secret, tmp_path, target, capsys
):
    """stat: the folder's own PROPFIND is hostile (its failed Outcome, on stdout); listing:
    its members' (one line on stderr: the job cannot be planned)."""
    arm(server, attack, "PROPFIND", secret, tmp_path, depth=depth)
    unread = Unread(secret)
    started = time.monotonic()
    status, out, err = run(["get", "--json", server.url + "share/", str(target)], capsys)

    assert status == EXIT_FAILED
    if depth == "0":
        [line] = out.splitlines()
        outcome = json.loads(line)
        assert (outcome["ok"], outcome["reason"], outcome["path"]) == (
            False,
            "MultiStatusError",
            SHARE,
        )
        said = outcome["detail"]
    else:
        assert out == ""
        [said] = err.splitlines()
        assert said.startswith("davdesk: ")
    assert "malformed multistatus body" in said or "DOCTYPE" in said
    check_contained(server, out + err, started)
    assert everything_under(target.parent) == {"target"}
    unread.check()


@pytest.mark.expected_log("outside the folder")
def test_davdesk_get_of_hostile_hrefs_stays_in_the_target_folder(server, target, capsys):
    hrefs = [*HOSTILE_HREFS.values(), *(SHARE + name for name in PORTABLE_HERE.values())]
    server.answer("PROPFIND", SHARE, 207, listing(SHARE, hrefs), depth="1")
    status, out, _ = run(["get", "--json", server.url + "share/", str(target)], capsys)

    outcomes = [json.loads(line) for line in out.splitlines()]
    refused = sorted(o["path"] for o in outcomes if not o["ok"])
    assert status == EXIT_FAILED and refused == sorted(REFUSED_HERE)
    assert all("unsafe name from server" in o["detail"] for o in outcomes if not o["ok"])
    written = everything_under(target.parent)
    assert all(name == "target" or name.startswith("target/") for name in written), written
    assert {s.path for s in server.seen("GET")} <= {SHARE + n for n in PORTABLE_HERE.values()}
    assert len(list((target / "share").iterdir())) == len(PORTABLE_HERE)


# -- davdesk sync -----------------------------------------------------------------------------

SYNCED = {"a.txt": b"payload of /share/a.txt", "b.txt": b"payload of /share/b.txt"}


def synced_pair(server: HostileServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A local folder synced down from the server's a.txt and b.txt: both sides and the state
    database agree on them, so a listing that lacked them would mean "deleted on the server"."""
    local = tmp_path / "pair"
    local.mkdir()
    server.answer(
        "PROPFIND", SHARE, 207, listing(SHARE, [SHARE + name for name in SYNCED]), depth="1"
    )
    status, _, _ = run(
        ["sync", "--json", str(local), server.url + "share/", "--direction", "down"], capsys
    )
    assert status == 0
    assert {p.name: p.read_bytes() for p in local.iterdir()} == SYNCED
    return local


def records(local: Path, server: HostileServer) -> dict:
    with StateDB(state_file(AppPaths.default().data, local, server.url + "share/")) as state:
        return state.load()


@pytest.mark.parametrize("attack", ATTACKS)
def test_davdesk_sync_from_a_hostile_listing_fails_cleanly_and_changes_nothing(
    server, attack, secret, tmp_path, capsys
):
    local = synced_pair(server, tmp_path, capsys)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in local.iterdir()}
    kept = records(local, server)
    arm(server, attack, "PROPFIND", secret, tmp_path, depth="1")
    unread = Unread(secret)
    started = time.monotonic()
    status, out, err = run(
        ["sync", "--json", str(local), server.url + "share/", "--direction", "both"], capsys
    )

    assert status == EXIT_FAILED and out == ""
    [line] = err.splitlines()
    assert line.startswith("davdesk: ")
    assert "malformed multistatus body" in line or "DOCTYPE" in line
    check_contained(server, out + err, started)
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in local.iterdir()} == before
    assert records(local, server) == kept
    assert not [s for s in server.seen() if s.method not in ("PROPFIND", "GET", "OPTIONS")]
    unread.check()


@pytest.mark.expected_log("outside the folder")
def test_davdesk_sync_of_hostile_hrefs_stays_in_the_folder(server, tmp_path, capsys):
    local = tmp_path / "outside" / "pair"
    local.mkdir(parents=True)
    hrefs = [*HOSTILE_HREFS.values(), *(SHARE + name for name in PORTABLE_HERE.values())]
    server.answer("PROPFIND", SHARE, 207, listing(SHARE, hrefs), depth="1")
    status, out, _ = run(
        ["sync", "--json", str(local), server.url + "share/", "--direction", "down"], capsys
    )

    outcomes = [json.loads(line) for line in out.splitlines()]
    refused = [o for o in outcomes if not o["ok"]]
    assert status == EXIT_FAILED and sorted(o["path"] for o in refused) == sorted(REFUSED_HERE)
    assert all(o["reason"] == "refused" and "unsafe name from server" in o["note"] for o in refused)
    written = everything_under(tmp_path / "outside")
    assert all(name == "pair" or name.startswith("pair/") for name in written), written
    assert {s.path for s in server.seen("GET")} <= {SHARE + n for n in PORTABLE_HERE.values()}
    assert len(list(local.iterdir())) == len(PORTABLE_HERE)
