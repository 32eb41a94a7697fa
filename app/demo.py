"""`davdesk demo`: a WebDAV server on loopback, seeded with sample files to try Davdesk on.

The sample tree holds what trips clients up: Unicode names in both
normalisation forms, spaces and URL-special characters, a nested tree and a
folder of 5,000 files. The password is made up per run and printed, so no
credential is ever stored. The server says where it is once the whole tree is
written, so the first listing anyone takes holds all of it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cheroot import wsgi

DEMO_USER = "demo"
LARGE_FOLDER_SIZE = 5000
#: Seconds the server gives its open connections to end when it stops (whole seconds: cheroot's
#: shutdown_timeout is an int).
SHUTDOWN_SECONDS = 1


def seed_small(root: Path) -> None:
    """The sample tree but its big folder: quick, so the server can answer at once."""
    (root / "Documents" / "Reports 2026").mkdir(parents=True)
    (root / "Documents" / "Reports 2026" / "Q1 results & plans.txt").write_text("Q1: up 12%.\n")
    (root / "Documents" / "Notes #1; draft+final.md").write_text("# Notes\n\n- WebDAV is fun\n")
    (root / "Documents" / "100% done.txt").write_text("Nearly.\n")
    photos = root / "Photos" / "Summer" / "Beach"
    photos.mkdir(parents=True)
    (photos / "sunset.raw").write_bytes(bytes(range(256)) * 64)
    (root / unicodedata.normalize("NFC", "Café menu (NFC).txt")).write_text("Crème brûlée\n")
    (root / unicodedata.normalize("NFD", "Café menu (NFD).txt")).write_text("Crème brûlée\n")
    (root / "日本語のファイル.txt").write_text("こんにちは\n")
    (root / " leading space.txt").write_text("a name that starts with a space\n")
    (root / "trailing dot.").write_text("a name that ends with a dot\n")


def seed_large(
    root: Path,
    staging: Path,
    large_folder_size: int = LARGE_FOLDER_SIZE,
    stop: threading.Event | None = None,
) -> None:
    """The folder of many files, written outside root and moved in whole: a listing by a
    client that knew the port ahead (--port) shows it complete or not yet, never half-written
    (writing 5,000 files takes a second or more on a busy disk).
    A stop set meanwhile (the server is stopping) ends it early."""
    name = f"{large_folder_size} files"
    many = staging / name
    many.mkdir(parents=True)
    for number in range(large_folder_size):
        if stop is not None and stop.is_set():
            return
        (many / f"file {number:05d}.txt").write_text(f"file number {number}\n")
    many.rename(root / name)


def serve(root: Path, user: str, password: str, port: int = 0) -> wsgi.Server:
    """Start wsgidav over root on 127.0.0.1 in a daemon thread; returns the bound server."""
    from cheroot import wsgi
    from wsgidav.wsgidav_app import WsgiDAVApp

    logging.getLogger("wsgidav").setLevel(logging.ERROR)
    app = WsgiDAVApp(
        {
            "host": "127.0.0.1",
            "port": port,
            "provider_mapping": {"/": str(root)},
            "simple_dc": {"user_mapping": {"*": {user: {"password": password}}}},
            "http_authenticator": {
                "accept_basic": True,
                "accept_digest": True,
                "default_to_digest": True,
            },
            "lock_storage": True,
            "property_manager": True,
            "logging": {"enable": False},
            "dir_browser": {"enable": False},
        }
    )
    server = wsgi.Server(("127.0.0.1", port), app, numthreads=16, shutdown_timeout=SHUTDOWN_SECONDS)
    server.prepare()
    threading.Thread(target=server.serve, name="davdesk-demo", daemon=True).start()
    return server


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="davdesk demo", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)"
    )
    parser.add_argument("--for-window", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    password = secrets.token_urlsafe(12)
    # Ctrl-C (a terminal sends SIGINT to the whole process group, the window's demo server
    # included) asks to stop: the server then stops within SHUTDOWN_SECONDS, and a second
    # Ctrl-C while it does cannot break that off with a traceback.
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda number, frame: stop.set())
    if args.for_window:  # the window closes our stdin when it quits

        def stop_when_stdin_closes() -> None:
            sys.stdin.read()
            stop.set()

        threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="davdesk-demo-", dir=_scratch_parent()) as folder:
        root = Path(folder) / "share"
        root.mkdir()
        seed_small(root)
        # The big folder is written while wsgidav loads, and the server says where it is only
        # once the tree is whole: a first listing that missed it would never show it (the
        # window does not list a folder again by itself).
        seeder = threading.Thread(
            target=seed_large,
            args=(root, Path(folder) / "staging", LARGE_FOLDER_SIZE, stop),
            name="davdesk-demo-seed",
            daemon=True,
        )
        seeder.start()
        server = serve(root, DEMO_USER, password, args.port)
        seeder.join()
        if not stop.is_set():  # stopped while the tree was written: nobody is told of it
            _announce(server.bind_addr[1], password, root, for_window=args.for_window)
        while not stop.wait(0.5):  # woken by the handler, the wait returns at the latest then
            pass
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        server.stop()
        if not args.for_window:
            print("Demo server stopped; its files are removed.", flush=True)
    return 0


def _scratch_parent() -> str | None:
    """Where the demo's files are written: in memory on Linux (/dev/shm), as /tmp already is
    on most distributions, unless TMPDIR says otherwise; None: the temporary folder.

    The server says where it is only once its 5,000 files are written; on a disk that other
    programs keep busy that takes seconds, in memory a tenth of one (they take 20 MB).
    """
    shm = "/dev/shm"
    if sys.platform == "linux" and "TMPDIR" not in os.environ and os.access(shm, os.W_OK):
        return shm
    return None


def _announce(port: int, password: str, root: Path, *, for_window: bool) -> None:
    """Where the server is: one JSON line for the window that started this process (see
    start_for_window), or the instructions for a person at a terminal."""
    if for_window:
        details = {"url": f"http://127.0.0.1:{port}/", "user": DEMO_USER, "password": password}
        print(json.dumps(details), flush=True)
    else:
        _print_instructions(
            f"http://{DEMO_USER}@127.0.0.1:{port}/", password, root, _command_as_started()
        )


def _print_instructions(url: str, password: str, root: Path, davdesk: str) -> None:
    print(
        f"Davdesk demo server at {url}\n"
        f"  user {DEMO_USER}, password {password}   (serving {root})\n\n"
        f"Try, in another terminal:\n"
        f"  export DAVDESK_PASSWORD={password}\n"
        f"  {davdesk} ls {url}\n"
        f"  {davdesk} ls {url}Documents/\n"
        f"  {davdesk} props '{url}Documents/100%25 done.txt'\n"
        f"  {davdesk} get {url}Photos/ .\n"
        f"  {davdesk} --demo      (the window, on a demo server of its own)\n\n"
        f"Ctrl-C stops the server and removes its files.",
        flush=True,
    )


def _command_as_started() -> str:
    """How the user runs davdesk, to say it back in the hints: `uv run davdesk` when uv
    started this process (davdesk is then not on PATH), `python -m app` from a checkout."""
    if getattr(sys, "frozen", False):
        return "davdesk"
    if os.environ.get("UV"):  # set by `uv run`, which puts davdesk on PATH for itself only
        return "uv run davdesk"
    return "davdesk" if shutil.which("davdesk") else f"{Path(sys.executable).name} -m app"


def spawn_for_window() -> subprocess.Popen[str]:
    """Start the demo server's process for the desktop window; `start_for_window` waits for it.

    Started before the window loads Qt, the server gets ready while Qt does. It
    stops when the window closes its stdin, or when the window's process ends
    however it ends (its end closes the pipe).
    """
    command = (
        [sys.executable, "demo"]
        if getattr(sys, "frozen", False)
        else [sys.executable, "-m", "app", "demo"]
    )
    return subprocess.Popen(
        [*command, "--for-window"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def start_for_window(
    process: subprocess.Popen[str] | None = None,
) -> tuple[dict[str, str], subprocess.Popen[str]]:
    """Run the demo server in a process of its own for the desktop window (the one
    `spawn_for_window` started, if given); returns its address and credentials once it answers
    with its whole sample tree.

    In its own process the server neither competes with the window for the
    interpreter nor puts the 5,000-file seeding on the GUI thread.
    """
    process = process or spawn_for_window()
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise RuntimeError(f"the demo server did not start (exit status {process.wait()})")
    return json.loads(line), process


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
