"""A listing's or a one-off sync's process ends without the interpreter's teardown
(app/quick_exit.py), having written all it prints and all it logs, with the exit status it
always had, and a sync's state database holding every file's record, closed; any other
command, `sync --watch`, or a command with a thread still running, ends the usual way."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from app.quick_exit import exit_now_if_done
from tests.servers.handle import ServerHandle
from tests.servers.nextcloud import NextcloudServer

REPO = Path(__file__).resolve().parents[1]


def _davdesk(*args: str, server: ServerHandle, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DAVDESK_PASSWORD": server.password, "DAVDESK_CONFIG_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "app", *args, "--user", server.user],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_a_listing_prints_and_logs_everything_before_it_ends(dav_server, tmp_path):
    names = {f"file {i:04d}.txt" for i in range(600)}
    for name in names:
        dav_server.make_file(f"many/{name}", b"x")
    done = _davdesk(
        "ls", "--json", "--verbose", dav_server.url_for("many/"), server=dav_server, home=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert {json.loads(line)["name"] for line in done.stdout.splitlines()} == names
    assert "PROPFIND" in done.stderr  # --verbose's request line, on stderr
    log = (tmp_path / "log" / "davdesk.log").read_text(encoding="utf-8")
    assert "PROPFIND" in log  # and in the log file, written before the process ended


def test_a_listing_that_fails_keeps_its_exit_status_and_words(dav_server, tmp_path):
    done = _davdesk("ls", dav_server.url_for("missing/"), server=dav_server, home=tmp_path)
    assert done.returncode == 1
    assert "davdesk: There is no folder at this address" in done.stderr
    done = _davdesk(
        "stat", "--json", dav_server.url_for("missing.txt"), server=dav_server, home=tmp_path
    )
    assert done.returncode == 1 and done.stdout == ""


def test_other_commands_and_running_threads_end_the_usual_way():
    exit_now_if_done(["put", "a", "http://example.invalid/"], 0)  # returns: not a listing
    exit_now_if_done([], 0)
    for watching in ("--watch", "--wat", "--wa"):  # as argparse reads them: the engine stops
        exit_now_if_done(["sync", watching, "--interval", "5"], 0)  # returns: it may have run
    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    try:
        exit_now_if_done(["ls", "http://example.invalid/"], 0)  # returns: a thread still runs
    finally:
        release.set()
        worker.join()


#: `python -m app ...` as the davdesk command runs it, and a line on stderr when the
#: interpreter's teardown runs (atexit): a process that ended at once never writes it. Just
#: before the process may end, a line says whether the garbage collector runs (and with the
#: start's objects frozen).
_WITH_TEARDOWN_MARK = """
import atexit, gc, sys
from app import quick_exit
atexit.register(lambda: sys.stderr.write("TEARDOWN\\n"))
exit_now_if_done = quick_exit.exit_now_if_done
def collecting(argv, status):
    sys.stderr.write(f"COLLECTING {gc.isenabled()} {gc.get_freeze_count() > 0}\\n")
    exit_now_if_done(argv, status)
quick_exit.exit_now_if_done = collecting
sys.argv[0] = "davdesk"
from app.__main__ import run
run()
"""


def test_a_sync_ends_at_once_with_every_record_in_its_closed_state_database(
    nextcloud_server: NextcloudServer, tmp_path: Path
):
    """Data safety first: the process ends without its teardown only once the pair's state
    database is complete and closed (no write-ahead log left beside it)."""
    (nextcloud_server.files_root / "pair").mkdir()
    local = tmp_path / "local"
    (local / "sub").mkdir(parents=True)
    names = {f"file {n:03}.txt" for n in range(150)}  # more than one bulk upload batch
    for name in names:
        (local / name).write_bytes(name.encode())
    (local / "sub" / "inner.txt").write_bytes(b"inner")
    home = tmp_path / "home"
    password = nextcloud_server.issue_app_password("quick exit", login_name="alice")
    sync = ["sync", "--json", "--direction", "up", "--user", "alice", str(local)]
    done = subprocess.run(
        [sys.executable, "-c", _WITH_TEARDOWN_MARK, *sync, nextcloud_server.files_url + "pair/"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "DAVDESK_PASSWORD": password, "DAVDESK_CONFIG_HOME": str(home)},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "TEARDOWN" not in done.stderr  # it ended at once
    assert "COLLECTING True True" in done.stderr  # paused while the start loaded, not after
    ran = [json.loads(line) for line in done.stdout.splitlines()]
    uploaded = {o["path"].rpartition("/pair/")[2] for o in ran if o["source"] != "dry-run"}
    assert uploaded >= names | {"sub/inner.txt"}
    assert all(o["ok"] for o in ran)
    stored = nextcloud_server.files_root / "pair"
    assert {p.name for p in stored.iterdir()} == names | {"sub"}
    assert (stored / "sub" / "inner.txt").read_bytes() == b"inner"
    [database] = (home / "data" / "sync").glob("*.sqlite")
    assert not database.with_name(database.name + "-wal").exists()  # closed: checkpointed
    with sqlite3.connect(database) as db:
        records = dict(db.execute("SELECT key, remote_etag FROM entries WHERE is_dir = 0"))
        folders = {key for (key,) in db.execute("SELECT key FROM entries WHERE is_dir = 1")}
        pending = db.execute("SELECT count(*) FROM pending").fetchone()[0]
    db.close()
    assert set(records) == names | {"sub/inner.txt"}
    assert all(records.values())  # each with the ETag the server gave it
    assert folders == {"sub"} and pending == 0


#: A windowed program's streams (davdeskw.exe on Windows: sys.stdout and sys.stderr are None),
#: and a file written when the interpreter's teardown runs (there is no stderr to write to).
_WITHOUT_STREAMS = """
import atexit, sys
from pathlib import Path
mark = Path(sys.argv[1])
atexit.register(mark.write_text, "TEARDOWN")
sys.stdout = sys.stderr = None
from app.quick_exit import exit_now_if_done
exit_now_if_done(["ls", "http://example.invalid/"], 3)
mark.write_text("RETURNED")
"""


def test_a_process_without_stdout_and_stderr_ends_at_once_with_its_status(tmp_path: Path):
    mark = tmp_path / "mark"
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_STREAMS, str(mark)],
        cwd=REPO,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    assert not mark.exists()  # neither returned nor torn down: ended at once
