"""A listing's process ends without the interpreter's teardown (app/quick_exit.py), having
written all it prints and all it logs, with the exit status it always had; any other
command, or a listing with a thread still running, ends the usual way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from app.quick_exit import exit_now_if_done
from tests.servers.handle import ServerHandle

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
    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    try:
        exit_now_if_done(["ls", "http://example.invalid/"], 0)  # returns: a thread still runs
    finally:
        release.set()
        worker.join()
