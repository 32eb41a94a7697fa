"""`davdesk` without a display says so in one line and exits 2, instead of Qt aborting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.display import missing_display

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "args", [[], ["--demo"], ["https://dav.example/"]], ids=["no arguments", "--demo", "a URL"]
)
def test_the_window_without_a_display_ends_in_one_line_with_status_2(args):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    done = subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith("davdesk: no display to open the window on") and "--help" in line
    assert "PySide6" not in done.stderr and done.stdout == ""


@pytest.mark.parametrize(
    ("environ", "platform", "missing"),
    [
        ({}, "linux", True),
        ({"DISPLAY": ":0"}, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({"QT_QPA_PLATFORM": "vnc:size=800x600"}, "linux", False),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({}, "win32", False),
        ({}, "darwin", False),
    ],
)
def test_which_environments_have_a_display(environ, platform, missing):
    assert (missing_display(environ, platform) is not None) is missing
