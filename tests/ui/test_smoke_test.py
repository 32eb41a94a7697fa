"""`davdesk --smoke-test`: opens the window, lists the first folder, exits 0; else 1 and why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def smoke_test(*args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if password is not None:
        env["DAVDESK_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "app", "--smoke-test", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_smoke_test_lists_the_url_and_exits_0(wsgidav_server):
    wsgidav_server.make_file("Docs & more/a.txt", b"a")
    url = wsgidav_server.url.replace("://", f"://{wsgidav_server.user}@") + "Docs%20%26%20more/"
    result = smoke_test(url, password=wsgidav_server.password)
    assert result.returncode == 0, result.stderr
    assert "davdesk --smoke-test: listed /Docs & more/" in result.stderr


def test_smoke_test_on_the_demo_server():
    result = smoke_test("--demo")
    assert result.returncode == 0, result.stderr
    assert "listed /" in result.stderr


def test_a_folder_that_cannot_be_listed_fails_the_smoke_test(wsgidav_server):
    url = wsgidav_server.url.replace("://", f"://{wsgidav_server.user}@") + "missing/"
    result = smoke_test(url, password=wsgidav_server.password)
    assert result.returncode == 1
    assert "davdesk --smoke-test: Could not open /missing/" in result.stderr


def test_smoke_test_needs_something_to_open():
    result = smoke_test()
    assert result.returncode == 2 and "--smoke-test needs --demo or a URL" in result.stderr
