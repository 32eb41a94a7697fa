"""One Davdesk per user: a second start hands its arguments over and exits 0; a crashed
first one (its lock and socket left behind) does not stop the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config.pairs import PairStore, SavedPair
from app.config.paths import AppPaths
from app.ui.single_instance import AlreadyRunning, SingleInstance, server_name

REPO = Path(__file__).resolve().parents[2]
WAIT_S = 60


HAND_OVER = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
app = QCoreApplication(sys.argv)
from app.ui.single_instance import SingleInstance
SingleInstance(Path(sys.argv[1])).hand_over(sys.argv[2:])
"""


def test_the_first_claims_and_a_second_hands_its_arguments_over(qtbot, tmp_path):
    first = SingleInstance(tmp_path / "config")
    assert first.claim()
    assert not SingleInstance(tmp_path / "config").claim()
    args = ["http://example.com/dav/", "--user", "ünï"]
    with qtbot.waitSignal(first.arguments_received, timeout=WAIT_S * 1000) as received:
        second = subprocess.Popen(
            [sys.executable, "-c", HAND_OVER, str(tmp_path / "config"), *args],
            cwd=REPO,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
            stderr=subprocess.PIPE,
            text=True,
        )
    qtbot.waitUntil(lambda: second.poll() is not None, timeout=WAIT_S * 1000)
    _, err = second.communicate()
    assert second.returncode == 0, err
    assert received.args == [args]
    first.close()
    assert SingleInstance(tmp_path / "config").claim()  # released: the next one is first


def test_nobody_listening_behind_a_held_lock_is_said_in_words(qtbot, tmp_path):
    first = SingleInstance(tmp_path / "config")
    assert first.claim()
    first._server.close()  # alive but deaf, as a process that hangs
    with pytest.raises(AlreadyRunning, match="Davdesk is running but does not answer"):
        SingleInstance(tmp_path / "config").hand_over([], timeout_ms=500)
    first.close()


def test_the_socket_name_is_per_user_and_per_config_folder(tmp_path):
    a, b = server_name(tmp_path / "a"), server_name(tmp_path / "b")
    assert a != b and a.startswith("davdesk-") and len(a) < 80
    assert server_name(tmp_path / "a") == a


# -- real processes ---------------------------------------------------------------------------


def _env(home: Path, password: str) -> dict[str, str]:
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "DAVDESK_CONFIG_HOME": str(home),
        "DAVDESK_PASSWORD": password,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }


def _log(home: Path) -> str:
    try:
        return (home / "log" / "davdesk.log").read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def _wait_for_log(home: Path, text: str, count: int = 1) -> None:
    deadline = time.monotonic() + WAIT_S
    while _log(home).count(text) < count:
        assert time.monotonic() < deadline, f"no {text!r} in the log:\n{_log(home)}"
        time.sleep(0.1)


@pytest.fixture
def davdesk(tmp_path) -> Iterator:
    """davdesk(*args) -> a started `python -m app` process (killed at the end)."""
    processes: list[subprocess.Popen[str]] = []

    def start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", *args],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=WAIT_S)


def test_a_second_davdesk_hands_its_url_to_the_first_and_exits_0(davdesk, wsgidav_server, tmp_path):
    wsgidav_server.make_file("one/a.txt", b"a")
    wsgidav_server.make_file("two/b.txt", b"b")
    home = tmp_path / "home"
    env = _env(home, wsgidav_server.password)
    base = wsgidav_server.url.replace("://", f"://{wsgidav_server.user}@")
    first = davdesk(env, base + "one/")
    _wait_for_log(home, "Listening for later davdesk starts")

    second = davdesk(env, base + "two/")
    _, err = second.communicate(timeout=WAIT_S)
    assert second.returncode == 0, err
    _wait_for_log(home, f"Another davdesk asked for {base}two/")
    assert first.poll() is None  # the first runs on, with a window at /two/ as well

    crashed = first
    crashed.send_signal(signal.SIGKILL)  # its lock file and socket stay behind
    crashed.wait(WAIT_S)
    assert (home / "config" / "instance.lock").exists()
    again = davdesk(env, base + "one/")
    _wait_for_log(home, "Listening for later davdesk starts", count=2)
    third = davdesk(env)
    _, err = third.communicate(timeout=WAIT_S)
    assert third.returncode == 0, err
    _wait_for_log(home, "Another davdesk asked for the window")
    assert again.poll() is None


def test_davdesk_background_syncs_with_no_window_and_stops_on_sigterm(
    davdesk, wsgidav_server, tmp_path
):
    home = tmp_path / "home"
    local = tmp_path / "Docs"
    local.mkdir()
    (local / "mine.txt").write_bytes(b"mine")
    wsgidav_server.make_file("docs/theirs.txt", b"theirs")
    user_url = wsgidav_server.url.replace("://", f"://{wsgidav_server.user}@")
    PairStore.in_config(AppPaths.under(home)).add(SavedPair("Docs", str(local), user_url + "docs/"))
    env = _env(home, wsgidav_server.password)
    background = davdesk(env, "--background")
    deadline = time.monotonic() + WAIT_S
    while not (
        (wsgidav_server.root / "docs" / "mine.txt").is_file()
        and (local / "theirs.txt").is_file()
        and (wsgidav_server.root / "docs" / "mine.txt").read_bytes() == b"mine"
    ):
        assert time.monotonic() < deadline, _log(home)
        assert background.poll() is None, background.communicate()
        time.sleep(0.2)
    assert (local / "theirs.txt").read_bytes() == b"theirs"
    _wait_for_log(home, "Background sync started with 1 saved pair(s)")

    second = davdesk(env, "--background")  # start at login, with Davdesk already running
    assert second.wait(WAIT_S) == 0

    background.send_signal(signal.SIGTERM)
    assert background.wait(WAIT_S) == 0
    _wait_for_log(home, "Background sync stopped")
