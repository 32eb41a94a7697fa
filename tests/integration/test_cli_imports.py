"""`davdesk ls` loads only what a listing uses: its process start is most of its time.

Each test runs the real command in a fresh interpreter against a real server
and reads back the modules that were loaded by the time it exited. The GUI
toolkit, the keyring, the test servers and Nextcloud's sign-in code have no
business in a listing; the job and sync engines neither. A one-off `davdesk
sync` loads the sync and job engines, but not what only `sync --watch` uses
(the background engine, watchdog) nor the sign-in code or the keyring.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.servers.handle import ServerHandle

#: Run davdesk as `python -m app` does, then print the names of every module loaded.
_PROGRAM = """
import json, sys
from app.__main__ import main
try:
    code = main(sys.argv[1:])
finally:
    sys.stdout.flush()
    sys.stderr.write("MODULES " + json.dumps(sorted(sys.modules)) + "\\n")
sys.exit(code)
"""

#: Package prefixes that `davdesk ls` must not load.
NOT_FOR_LS = (
    "PySide6",
    "shiboken6",
    "keyring",
    "secretstorage",
    "jeepney",
    "wsgidav",
    "app.ui",
    "app.config.secrets",
    "app.config.bookmarks",
    "app.nextcloud.login_flow",
    "app.nextcloud.app_passwords",
    "app.nextcloud.trash",
    "app.nextcloud.connect",  # a plain WebDAV server needs no Nextcloud sign-in,
    "app.nextcloud.capabilities",  # capabilities or bulk upload
    "app.dav.bulk",
    "app.dav.words",  # an Outcome's words: a listing prints none
    "app.dav.tls",  # certificate pinning: --trust alone
    "encodings.idna",  # the resolver is handed the host's ASCII bytes
    "app.jobs.runner",
    "app.jobs.planner",
    "app.sync",
    "sqlite3",
    "pathspec",
)


def _run(*args: str, password: str) -> tuple[int, str, list[str]]:
    env = {**os.environ, "DAVDESK_PASSWORD": password}
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    modules_line = [line for line in done.stderr.splitlines() if line.startswith("MODULES ")]
    assert modules_line, done.stderr
    return done.returncode, done.stdout, json.loads(modules_line[-1][len("MODULES ") :])


def _unwanted(modules: list[str]) -> list[str]:
    return [
        m
        for m in modules
        if any(m == prefix or m.startswith(prefix + ".") for prefix in NOT_FOR_LS)
    ]


def test_ls_loads_no_gui_keyring_server_sign_in_or_engine(wsgidav_server: ServerHandle):
    (wsgidav_server.root / "a b.txt").write_bytes(b"hello")
    (wsgidav_server.root / "sub").mkdir()
    code, out, modules = _run(
        "ls",
        "--json",
        "--user",
        wsgidav_server.user,
        wsgidav_server.url,
        password=wsgidav_server.password,
    )
    assert code == 0
    assert sorted(json.loads(line)["name"] for line in out.splitlines()) == ["a b.txt", "sub"]
    assert "app.dav.client" in modules  # the check reads the modules of a real listing
    assert _unwanted(modules) == []


def test_stat_loads_no_more_than_ls(wsgidav_server: ServerHandle):
    (wsgidav_server.root / "a.txt").write_bytes(b"hello")
    code, out, modules = _run(
        "stat",
        "--json",
        "--user",
        wsgidav_server.user,
        wsgidav_server.url + "a.txt",
        password=wsgidav_server.password,
    )
    assert code == 0 and json.loads(out)["size"] == 5
    assert _unwanted(modules) == []


def test_the_job_commands_still_load_the_engine(wsgidav_server: ServerHandle, tmp_path):
    """The other side of lazy loading: a command finds its module when it runs."""
    source = tmp_path / "up.txt"
    source.write_bytes(b"up")
    code, out, modules = _run(
        "put",
        "--json",
        "--user",
        wsgidav_server.user,
        str(source),
        wsgidav_server.url,
        password=wsgidav_server.password,
    )
    assert code == 0 and json.loads(out.splitlines()[-1])["ok"]
    assert "app.jobs.runner" in modules
    assert (wsgidav_server.root / "up.txt").read_bytes() == b"up"


#: Package prefixes that a one-off `davdesk sync` (no --watch) must not load.
NOT_FOR_SYNC = (
    "PySide6",
    "shiboken6",
    "keyring",
    "secretstorage",
    "jeepney",
    "wsgidav",
    "watchdog",
    "h2",  # HTTP/2: https only (the server here is plain http)
    "hpack",
    "hyperframe",
    "app.ui",
    "app.cli.watch_command",
    "app.sync.background.engine",
    "app.sync.background.pair",
    "app.sync.background.watcher",
    "app.sync.background.poll",
    "app.config.secrets",
    "app.nextcloud.login_flow",
    "app.nextcloud.app_passwords",
    "app.nextcloud.trash",
)


def test_sync_loads_no_watch_engine_gui_keyring_or_sign_in(make_nextcloud, tmp_path):
    """A first upload sync of a Nextcloud folder, its files in bulk: the watcher is --watch's."""
    server = make_nextcloud(bulk_upload=True)
    (server.files_root / "pair").mkdir()
    local = tmp_path / "local"
    local.mkdir()
    for n in range(3):
        (local / f"{n}.txt").write_bytes(b"x" * n)
    code, out, modules = _run(
        "sync",
        "--json",
        "--direction",
        "up",
        "--user",
        server.login_name,
        str(local),
        server.files_url + "pair/",
        password=server.issue_app_password("imports", login_name=server.login_name),
    )
    assert code == 0, out
    assert sorted(p.name for p in (server.files_root / "pair").iterdir()) == [
        "0.txt",
        "1.txt",
        "2.txt",
    ]
    assert "app.sync.planner" in modules and "app.jobs.runner" in modules
    assert [
        m
        for m in modules
        if any(m == prefix or m.startswith(prefix + ".") for prefix in NOT_FOR_SYNC)
    ] == []


#: As _PROGRAM, printing instead the modules loaded when the first request went out.
_FIRST_REQUEST_PROGRAM = """
import json, sys
sys.modules.setdefault("httpx._main", None)  # as app.__main__.main has it, before httpx loads
from app.dav import transport
send, seen = transport.Transport._send, []
def first(self, *args, **kwargs):
    if not seen:
        seen.append(sorted(sys.modules))
    return send(self, *args, **kwargs)
transport.Transport._send = first
from app.__main__ import main
code = main(sys.argv[1:])
sys.stderr.write("MODULES " + json.dumps(seen[0]) + "\\n")
sys.exit(code)
"""

#: What a sync loads while the server answers its first request, not before it.
AFTER_THE_FIRST_REQUEST = (
    "sqlite3",
    "app.sync.planner",
    "app.sync.state",
    "app.sync.job",
    "app.jobs.runner",
    "app.cli.run",
)


def test_sync_asks_the_server_before_it_loads_the_planner_and_job_engine(make_nextcloud, tmp_path):
    server = make_nextcloud(bulk_upload=True)
    (server.files_root / "pair").mkdir()
    local = tmp_path / "local"
    local.mkdir()
    (local / "a.txt").write_bytes(b"a")
    sync = ["sync", "--direction", "up", "--user", server.login_name, str(local)]
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_REQUEST_PROGRAM, *sync, server.files_url + "pair/"],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "DAVDESK_PASSWORD": server.issue_app_password("first", login_name=server.login_name),
        },
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (server.files_root / "pair" / "a.txt").read_bytes() == b"a"
    [line] = [line for line in done.stderr.splitlines() if line.startswith("MODULES ")]
    before = json.loads(line[len("MODULES ") :])
    assert "app.sync.scan" in before
    assert [m for m in AFTER_THE_FIRST_REQUEST if m in before] == []


#: The davdesk command's own entry (app.__main__.run), saying on stderr whether the garbage
#: collector is on when the command starts.
_COLLECTOR_PROGRAM = """
import gc, sys
import app.__main__ as entry
command = entry.main
def reporting():
    sys.stderr.write(f"COLLECTOR {gc.isenabled()}\\n")
    return command()
entry.main = reporting
sys.argv[0] = "davdesk"
entry.run()
"""


def _collector_on(*args: str, password: str) -> tuple[bool, subprocess.CompletedProcess[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _COLLECTOR_PROGRAM, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "DAVDESK_PASSWORD": password},
        timeout=120,
    )
    said = [line for line in done.stderr.splitlines() if line.startswith("COLLECTOR ")]
    assert said, done.stderr
    return said[-1] == "COLLECTOR True", done


def test_a_listing_runs_without_the_garbage_collector_a_job_with_it(
    wsgidav_server: ServerHandle, tmp_path
):
    """A listing's process ends with it and makes nothing only the collector could free; a
    job's threads, a sync's engine and the window keep it."""
    (wsgidav_server.root / "a.txt").write_bytes(b"hello")
    user = ("--user", wsgidav_server.user)
    for listing in (
        ("ls", "--json", *user, wsgidav_server.url),
        ("stat", *user, wsgidav_server.url + "a.txt"),
    ):
        on, done = _collector_on(*listing, password=wsgidav_server.password)
        assert not on and done.returncode == 0, done.stderr
        assert "a.txt" in done.stdout
    source = tmp_path / "up.txt"
    source.write_bytes(b"up")
    on, done = _collector_on(
        "put", *user, str(source), wsgidav_server.url, password=wsgidav_server.password
    )
    assert on and done.returncode == 0, done.stderr


def test_a_client_that_may_speak_http2_still_can():
    """davdesk starts without h2 (app.__main__._httpcore_without_h2); an https client that
    may speak HTTP/2 loads it then, and httpcore its real HTTP/2 connection."""
    program = """
import sys
from app.__main__ import _httpcore_without_h2
_httpcore_without_h2()
assert "h2" not in sys.modules and "httpcore" in sys.modules
from app.dav import DavClient
with DavClient("https://example.invalid/", user="u", password="p") as client:
    pass
from httpcore._sync.http2 import HTTP2Connection
print("h2" in sys.modules, HTTP2Connection.__module__)
"""
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "httpcore._sync.http2"]
