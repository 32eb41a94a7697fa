"""The packaged app in dist/davdesk/ (packaging/build.py) works without Python or a checkout.

.ci/run builds it before the test run; elsewhere a missing or outdated build is made
here (about 30 s), see tests/packaging/support.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from app import __version__
from tests.packaging.support import DIST, ensure_built, folder_size

APP = DIST / "davdesk" / ("davdesk.exe" if sys.platform == "win32" else "davdesk")
SIZE_LIMIT = 150_000_000  # bytes unpacked


@pytest.fixture(scope="module")
def app() -> Path:
    """The packaged davdesk binary, built from the current sources."""
    return ensure_built(APP)


@pytest.fixture
def run_app(app: Path, tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """run_app(*args, password=None) -> CompletedProcess, with its own config home, offscreen."""
    home = tmp_path / "home"

    def run(*args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DAVDESK_CONFIG_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
        env.pop("DAVDESK_PASSWORD", None)
        if password is not None:
            env["DAVDESK_PASSWORD"] = password
        return subprocess.run(
            [str(app), *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )

    run.home = home  # type: ignore[attr-defined]
    return run


def test_packaged_app_prints_its_version(run_app):
    result = run_app("--version")
    assert result.returncode == 0 and result.stdout == f"davdesk {__version__}\n"


def test_packaged_cli_lists_a_real_server_as_json_and_logs_no_password(run_app, wsgidav_server):
    for name in ("plain.txt", "naïve 100% #1.txt"):
        wsgidav_server.make_file(name, name.encode())
    wsgidav_server.make_dir("sub folder")
    result = run_app(
        "ls",
        "--json",
        "--user",
        wsgidav_server.user,
        wsgidav_server.url,
        password=wsgidav_server.password,
    )
    assert result.returncode == 0, result.stderr
    entries = {entry["name"]: entry for entry in map(json.loads, result.stdout.splitlines())}
    assert set(entries) == {"plain.txt", "naïve 100% #1.txt", "sub folder"}
    assert entries["sub folder"]["is_dir"] and entries["plain.txt"]["size"] == 9
    log = (run_app.home / "log" / "davdesk.log").read_text(encoding="utf-8")
    assert "(packaged)" in log and wsgidav_server.password not in log


def test_packaged_window_opens_a_url_and_lists_it(run_app, wsgidav_server):
    wsgidav_server.make_file("Docs/readme.md", b"# readme\n")
    url = wsgidav_server.url.replace("://", f"://{wsgidav_server.user}@") + "Docs/"
    result = run_app("--smoke-test", url, password=wsgidav_server.password)
    assert result.returncode == 0, result.stderr
    assert "davdesk --smoke-test: listed /Docs/" in result.stderr


def test_packaged_window_runs_the_bundled_demo_server(run_app):
    result = run_app("--smoke-test", "--demo")
    assert result.returncode == 0, result.stderr
    assert "davdesk --smoke-test: listed /" in result.stderr


def test_packaged_app_stays_under_its_size_budget(app):
    folder = app.parent
    size = folder_size(folder)
    assert size < SIZE_LIMIT, f"{folder} is {size / 1e6:.0f} MB unpacked"
