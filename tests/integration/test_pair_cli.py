"""`davdesk pair ...` end to end against real servers: both ends checked, nothing deleted."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from app.__main__ import main
from app.config.pairs import PairStore, pair_files
from app.config.paths import AppPaths
from app.sync.background.status import PairState, PairStatus, write_status
from app.sync.lockfile import FileLock


@pytest.fixture
def home(tmp_path, monkeypatch) -> AppPaths:
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "home"))
    return AppPaths.default()


@pytest.fixture
def davdesk(dav_server, monkeypatch, capsys, home):
    monkeypatch.setenv("DAVDESK_PASSWORD", dav_server.password)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(
            [args[0], *args[1:2], "--user", dav_server.user, *args[2:]]
            if args[0] == "pair"
            else list(args)
        )
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_add_list_pause_resume_remove(davdesk, dav_server, tmp_path, home):
    local = tmp_path / "Docs"
    local.mkdir()
    (local / "mine.txt").write_text("keep me")
    (dav_server.root / "Docs").mkdir(exist_ok=True)
    code, out, err = davdesk(
        "pair",
        "add",
        str(local),
        dav_server.url_for("Docs/"),
        "--direction",
        "both",
        "--ignore",
        "*.bak",
    )
    assert code == 0, err
    assert "Saved pair 'Docs'" in out
    code, out, _ = davdesk("pair", "list", "--json")
    [listed] = [json.loads(line) for line in out.splitlines()]
    assert listed | {"url": None} == {
        "name": "Docs",
        "local": str(local),
        "url": None,
        "direction": "both",
        "paused": False,
        "ignore": ["*.bak"],
        "bookmark": None,
        "state": "stopped",
        "status": "not synced yet",
        "detail": None,
        "retry_at": None,
        "last_sync": None,
        "last_result": None,
        "conflicts": 0,
        "note": None,
        "not_synced": [],
        "held": None,
    }
    assert davdesk("pair", "pause", "Docs")[0] == 0
    code, out, _ = davdesk("pair", "list")
    assert "Docs:" in out and "paused" in out and "last sync: never" in out
    assert davdesk("pair", "resume", "Docs")[0] == 0
    assert not PairStore.in_config(home).get("Docs").paused
    code, out, _ = davdesk("pair", "remove", "Docs")
    assert code == 0 and "untouched" in out
    assert PairStore.in_config(home).load() == []
    assert (local / "mine.txt").read_text() == "keep me"
    assert (dav_server.root / "Docs").is_dir()


def test_add_checks_both_ends_and_overlaps(davdesk, dav_server, tmp_path):
    local = tmp_path / "Docs"
    local.mkdir()
    code, _, err = davdesk(
        "pair", "add", str(tmp_path / "missing"), dav_server.url, "--direction", "up"
    )
    assert code == 2 and "no such local folder" in err
    code, _, err = davdesk(
        "pair", "add", str(local), dav_server.url_for("missing/"), "--direction", "up"
    )
    assert code == 2 and "no such folder on the server" in err
    assert (
        davdesk("pair", "add", str(local), dav_server.url, "--direction", "up", "--name", "All")[0]
        == 0
    )
    (local / "inner").mkdir()
    other = tmp_path / "other"
    other.mkdir()
    code, _, err = davdesk(
        "pair", "add", str(local / "inner"), dav_server.url_for("x/"), "--direction", "up"
    )
    assert code == 2 and "overlaps the local folder of pair 'All'" in err
    (dav_server.root / "sub").mkdir(exist_ok=True)
    code, _, err = davdesk(
        "pair", "add", str(other), dav_server.url_for("sub/"), "--direction", "up"
    )
    assert code == 2 and "overlaps the server folder of pair 'All'" in err
    code, _, err = davdesk("pair", "remove", "Nope")
    assert code == 2 and "no pair called 'Nope' (pairs: 'All')" in err


def test_a_one_off_sync_waits_for_no_one_and_refuses_a_locked_pair(
    davdesk, dav_server, tmp_path, home
):
    local = tmp_path / "Docs"
    local.mkdir()
    (local / "a.txt").write_text("a")
    assert davdesk("pair", "add", str(local), dav_server.url, "--direction", "up")[0] == 0
    pair = PairStore.in_config(home).get("Docs")
    with FileLock(pair_files(home, pair).lock):
        code, _, err = davdesk(
            "sync", str(local), dav_server.url, "--direction", "up", "--user", dav_server.user
        )
        assert code == 2 and "are being synced by process" in err
        assert not (dav_server.root / "a.txt").exists()
    code, _, err = davdesk(
        "sync", str(local), dav_server.url, "--direction", "up", "--user", dav_server.user
    )
    assert code == 0, err
    assert Path(dav_server.root / "a.txt").read_text() == "a"


def test_list_names_the_files_a_pair_does_not_sync(davdesk, dav_server, tmp_path, home):
    local = tmp_path / "Docs"
    local.mkdir()
    (dav_server.root / "Docs").mkdir(exist_ok=True)
    assert (
        davdesk("pair", "add", str(local), dav_server.url_for("Docs/"), "--direction", "up")[0] == 0
    )
    (pair,) = PairStore.in_config(home).load()
    why = "not uploaded: the name 'a\\x07b.txt' contains a control character"
    write_status(  # as the process that watched it left it
        pair_files(home, pair).status,
        PairStatus(
            "Docs", PairState.ATTENTION, "not synced: a\\x07b.txt", refused=(("a\x07b.txt", why),)
        ),
    )
    code, out, _ = davdesk("pair", "list")
    assert code == 0 and f"  not synced: a\\x07b.txt: {why}\n" in out
    code, out, _ = davdesk("pair", "list", "--json")
    assert json.loads(out)["not_synced"] == [{"path": "a\x07b.txt", "why": why}]


def test_list_says_what_deletes_a_pair_holds_back_and_how_to_decide(
    davdesk, dav_server, tmp_path, home
):
    local = tmp_path / "Docs"
    local.mkdir()
    (dav_server.root / "Docs").mkdir(exist_ok=True)
    url = dav_server.url_for("Docs/")
    assert davdesk("pair", "add", str(local), url, "--direction", "both")[0] == 0
    (pair,) = PairStore.in_config(home).load()
    why = (
        "held back: all 3 synced files were deleted on the server (or it shows an empty "
        "folder); none is deleted here until you choose: delete them here too, or restore them"
    )
    write_status(
        pair_files(home, pair).status,
        PairStatus("Docs", PairState.ATTENTION, why, refused=(("", why),), held="local"),
    )
    code, out, _ = davdesk("pair", "list")
    assert code == 0 and f"  {why}\n" in out and "not synced:" not in out
    assert (
        f"  decide with: davdesk sync {local} {pair.url} --direction both --allow-mass-delete "
        "(or --restore-mass-delete)" in out
    )
    code, out, _ = davdesk("pair", "list", "--json")
    listed = json.loads(out)
    assert listed["held"] == "local" and listed["not_synced"] == [{"path": "", "why": why}]


def test_list_says_a_failure_in_words_with_its_detail_on_a_line_of_its_own(
    davdesk, dav_server, tmp_path, home
):
    local = tmp_path / "Team"
    local.mkdir()
    (dav_server.root / "Team").mkdir(exist_ok=True)
    assert (
        davdesk("pair", "add", str(local), dav_server.url_for("Team/"), "--direction", "up")[0] == 0
    )
    (pair,) = PairStore.in_config(home).load()
    files = pair_files(home, pair)
    detail = (
        "GET http://127.0.0.1:9/status.php: cannot connect: [Errno 111] Connection refused"
        " (gave up after 3 attempts)"
    )
    retry_at = time.time() + 600
    write_status(  # as the process watching it (it holds the pair's lock) wrote it
        files.status,
        PairStatus(
            "Team", PairState.WAITING, "server unreachable", detail=detail, retry_at=retry_at
        ),
    )
    lock = FileLock(files.lock)
    lock.acquire()
    try:
        code, out, _ = davdesk("pair", "list")
        assert code == 0
        assert "  server unreachable: trying again in 10 min; last sync: never\n" in out
        assert f"  detail: {detail}\n" in out
        code, out, _ = davdesk("pair", "list", "--json")
        listed = json.loads(out)
        assert listed["status"] == "server unreachable: trying again in 10 min"
        assert listed["detail"] == detail and listed["retry_at"]
    finally:
        lock.release()
    code, out, _ = davdesk("pair", "list")  # nobody watches it now: no stale wait, no detail
    assert "  not running; last sync: never\n" in out and "detail:" not in out
