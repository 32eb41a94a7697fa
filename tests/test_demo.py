"""`davdesk demo` as a user runs it in a terminal: Ctrl-C stops it at once, without a traceback.

A terminal sends SIGINT to the whole foreground process group, so the tests
start the demo in a process group of its own and signal the group, with a
client connection held open (a keep-alive connection the server must not
wait for). The --for-window server (what `davdesk --demo` starts) stops the
same way.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.demo import SHUTDOWN_SECONDS

REPO = Path(__file__).resolve().parents[1]
#: Seconds a stop may take before the test calls it stuck: the server gives open connections
#: SHUTDOWN_SECONDS; the rest is slack for a loaded machine, not part of the promise.
STOPPED_WITHIN = 15.0


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "app", "demo", *args],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env=env,
    )


def held_connection(url: str) -> socket.socket:
    """A keep-alive connection that has asked for something and lingers."""
    parts = urlsplit(url)
    connection = socket.create_connection((parts.hostname, parts.port), timeout=10)
    connection.sendall(b"OPTIONS / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert connection.recv(4096).startswith(b"HTTP/1.1 ")
    return connection


def interrupt(process: subprocess.Popen[str]) -> tuple[float, str, str]:
    """SIGINT to the demo's process group, as a terminal's Ctrl-C; (seconds to end, out, err)."""
    sent = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=STOPPED_WITHIN)
    return time.monotonic() - sent, out, err


@pytest.mark.parametrize("uv", [False, True], ids=["installed", "under uv run"])
def test_ctrl_c_stops_the_terminal_demo_at_once(uv):
    env = {k: v for k, v in os.environ.items() if k != "UV"}
    if uv:
        env["UV"] = "/usr/bin/uv"  # what `uv run` sets in the processes it starts
    process = start(env=env)
    assert process.stdout is not None
    head = process.stdout.readline()
    assert head.startswith("Davdesk demo server at http://demo@127.0.0.1:")
    url = head.split(" at ", 1)[1].strip()
    connection = held_connection(url.replace("demo@", ""))
    try:
        lines = [process.stdout.readline() for _ in range(9)]
        hints = [line.strip() for line in lines if "ls http" in line]
        if uv:
            assert hints[0].startswith("uv run davdesk ls ")
        else:
            assert hints[0].startswith(("davdesk ls ", f"{Path(sys.executable).name} -m app ls "))
        seconds, out, err = interrupt(process)
    finally:
        connection.close()
    assert process.returncode == 0 and "Traceback" not in err, err
    assert "Demo server stopped" in out
    print(f"stopped {seconds:.2f} s after Ctrl-C (promised: about {SHUTDOWN_SECONDS} s)")


def test_ctrl_c_stops_the_windows_demo_server_too():
    process = start("--for-window")
    assert process.stdout is not None
    server = json.loads(process.stdout.readline())
    connection = held_connection(server["url"])
    try:
        seconds, _, err = interrupt(process)
    finally:
        connection.close()
    assert process.returncode == 0 and "Traceback" not in err, err
    print(f"stopped {seconds:.2f} s after Ctrl-C")


def test_the_windows_demo_server_stops_when_the_window_closes_its_stdin():
    process = start("--for-window")
    assert process.stdout is not None and process.stdin is not None
    json.loads(process.stdout.readline())
    process.stdin.close()
    assert process.wait(timeout=STOPPED_WITHIN) == 0
    assert "Traceback" not in process.stderr.read()
    process.stdout.close()
    process.stderr.close()


def test_the_terminal_demo_s_tree_is_whole_once_it_says_where_it_is():
    """Its hints say to list the share at once: what a listing then shows is the whole tree,
    the 5,000-file folder included (it used to join a moment after the hints)."""
    from app.dav import DavClient
    from app.demo import LARGE_FOLDER_SIZE

    process = start()
    assert process.stdout is not None
    url = process.stdout.readline().split(" at ", 1)[1].strip().replace("demo@", "")
    password = process.stdout.readline().split("password ", 1)[1].split()[0]
    try:
        with DavClient(url, user="demo", password=password) as client:
            names = {r.name for r in client.listdir("/")}
            assert {"Documents", "Photos", f"{LARGE_FOLDER_SIZE} files"} <= names
            assert len(client.listdir(f"/{LARGE_FOLDER_SIZE} files/")) == LARGE_FOLDER_SIZE
    finally:
        _, _, err = interrupt(process)
    assert process.returncode == 0 and "Traceback" not in err, err
