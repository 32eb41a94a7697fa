"""The Debian package (packaging/build.py --deb): lintian-clean, within its size, and
installed for real with apt, run from /usr/bin, and purged without a trace.

The install is the machine's own (the tests run as root in CI): it puts /usr/bin/davdesk
and a menu entry on this machine for the few seconds of the module. Other tests are not
disturbed by it: `uv run` puts the project's .venv/bin first on PATH, so `davdesk` there
stays the checkout's (test_uv_run_davdesk_is_still_the_checkouts checks it), and a lock
file keeps two runs of this module from installing and purging under each other.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import __version__
from tests.packaging.support import (
    APP_ID,
    REPO,
    deb_path,
    desktop_entry,
    ensure_built,
    exec_program,
)
from tests.tools import require_tool

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux package")

DEB_LIMIT = 60_000_000  # bytes
INSTALLED_LIMIT = 150_000_000  # bytes unpacked
APT_ENV = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
LOCK = Path("/tmp/davdesk-package-install-test.lock")


@pytest.fixture(scope="module")
def deb() -> Path:
    require_tool("dpkg-deb")
    return ensure_built(deb_path(), "--deb", "--tarball")


def control_field(deb: Path, name: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "--field", str(deb), name], capture_output=True, text=True, check=True
    ).stdout.strip()


def package_paths(deb: Path) -> list[Path]:
    """Every path the package installs (folders too), from its data archive."""
    listing = subprocess.run(
        ["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True
    ).stdout
    names = (
        subprocess.run(["tar", "--list"], input=listing, capture_output=True, check=True)
        .stdout.decode()
        .splitlines()
    )
    return [
        Path("/" + name.removeprefix("./").rstrip("/")) for name in names if name not in ("./", ".")
    ]


def test_deb_is_lintian_clean(deb):
    lintian = require_tool("lintian")
    result = subprocess.run(
        [lintian, "--fail-on", "error,warning", str(deb)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deb_stays_within_its_size_budget(deb):
    assert deb.stat().st_size < DEB_LIMIT, f"{deb.name} is {deb.stat().st_size / 1e6:.0f} MB"
    installed = int(control_field(deb, "Installed-Size")) * 1024
    assert installed < INSTALLED_LIMIT, f"{deb.name} unpacks to {installed / 1e6:.0f} MB"


def test_deb_has_no_maintainer_scripts_and_depends_on_what_it_does_not_carry(deb):
    control = subprocess.run(
        ["dpkg-deb", "--ctrl-tarfile", str(deb)], capture_output=True, check=True
    ).stdout
    members = (
        subprocess.run(["tar", "--list"], input=control, capture_output=True, check=True)
        .stdout.decode()
        .split()
    )
    assert sorted(m.removeprefix("./") for m in members if m != "./") == ["control", "md5sums"]
    depends = control_field(deb, "Depends")
    for package in ("libc6 (>= ", "libxcb1", "libgl1", "libegl1", "libfontconfig1"):
        assert package in depends


@pytest.fixture(scope="module")
def install_lock() -> Iterator[None]:
    """One install of the package at a time on this machine."""
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def installed_version() -> str | None:
    result = subprocess.run(
        ["dpkg-query", "--show", "--showformat=${db:Status-Status}", "davdesk"],
        capture_output=True,
        text=True,
    )
    return result.stdout if result.returncode == 0 and result.stdout != "not-installed" else None


def purge() -> None:
    subprocess.run(
        ["apt-get", "purge", "--yes", "-o", "DPkg::Lock::Timeout=300", "davdesk"],
        env=APT_ENV,
        check=True,
        capture_output=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def installed(deb: Path, install_lock) -> Iterator[dict[Path, bool]]:
    """The package installed by apt; yields which of its paths existed before."""
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("installing the .deb needs root (CI runs as root)", pytrace=False)
        pytest.skip("installing the .deb needs root")
    require_tool("apt-get")
    if installed_version() is not None:
        pytest.fail(
            "a davdesk package is already installed on this machine: this test "
            "installs and purges its own (apt-get purge davdesk)",
            pytrace=False,
        )
    before = {path: path.exists() or path.is_symlink() for path in package_paths(deb)}
    if not any(Path("/var/lib/apt/lists").glob("*_Packages*")):
        # A fresh container has no package lists: apt could not fetch the dependencies.
        subprocess.run(
            ["apt-get", "update", "-o", "DPkg::Lock::Timeout=300"],
            env=APT_ENV,
            check=True,
            capture_output=True,
            timeout=900,
        )
    result = subprocess.run(
        ["apt-get", "install", "--yes", "-o", "DPkg::Lock::Timeout=300", str(deb)],
        env=APT_ENV,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    try:
        yield before
    finally:
        if installed_version() is not None:
            purge()


def run_installed(
    *args: str, home: Path, password: str | None = None, display: str | None = None
) -> subprocess.CompletedProcess[str]:
    """/usr/bin/davdesk with its own config home, a system PATH and no project venv;
    offscreen, or on the X display given."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "DAVDESK_CONFIG_HOME": str(home / "cfg"),
        "LANG": "C.UTF-8",
    }
    env.update(
        {"QT_QPA_PLATFORM": "xcb", "DISPLAY": display}
        if display
        else {"QT_QPA_PLATFORM": "offscreen"}
    )
    if password is not None:
        env["DAVDESK_PASSWORD"] = password
    return subprocess.run(
        ["/usr/bin/davdesk", *args],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_installed_app_prints_its_version(installed, tmp_path):
    assert Path("/usr/bin/davdesk").resolve() == Path("/usr/lib/davdesk/davdesk")
    result = run_installed("--version", home=tmp_path)
    assert result.returncode == 0 and result.stdout == f"davdesk {__version__}\n"


def test_installed_app_finds_every_library_it_loads(installed):
    """Depends brought what the bundle does not carry: nothing is "not found" for any
    library or Qt plugin (the xcb and Wayland platform plugins included)."""
    folder = Path("/usr/lib/davdesk")
    search = f"{folder / '_internal'}:{folder / '_internal/PySide6/Qt/lib'}"
    missing = {}
    for path in folder.rglob("*.so*"):
        if path.is_symlink():
            continue
        result = subprocess.run(
            ["ldd", str(path)],
            capture_output=True,
            text=True,
            env={**os.environ, "LD_LIBRARY_PATH": search},
        )
        lost = [line.split()[0] for line in result.stdout.splitlines() if "not found" in line]
        if lost:
            missing[str(path.relative_to(folder))] = lost
    assert missing == {}


def test_installed_cli_lists_a_real_server_as_json(installed, wsgidav_server, tmp_path):
    wsgidav_server.make_file("plain.txt", b"plain")
    wsgidav_server.make_dir("sub folder")
    result = run_installed(
        "ls",
        "--json",
        "--user",
        wsgidav_server.user,
        wsgidav_server.url,
        home=tmp_path,
        password=wsgidav_server.password,
    )
    assert result.returncode == 0, result.stderr
    entries = {entry["name"]: entry for entry in map(json.loads, result.stdout.splitlines())}
    assert set(entries) == {"plain.txt", "sub folder"}
    assert entries["sub folder"]["is_dir"] and entries["plain.txt"]["size"] == 5


def test_installed_window_runs_the_bundled_demo(installed, tmp_path):
    result = run_installed("--smoke-test", "--demo", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "davdesk --smoke-test: listed /" in result.stderr


@pytest.fixture
def x_display() -> Iterator[str]:
    """A private Xvfb on a display number no one else here uses."""
    xvfb = require_tool("Xvfb")
    for number in range(150, 250):
        if Path(f"/tmp/.X{number}-lock").exists():
            continue
        server = subprocess.Popen(
            [xvfb, f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        socket = Path(f"/tmp/.X11-unix/X{number}")
        for _ in range(300):
            if socket.exists() or server.poll() is not None:
                break
            time.sleep(0.1)
        if server.poll() is None and socket.exists():
            try:
                yield f":{number}"
            finally:
                server.terminate()
                server.wait(timeout=30)
            return
        server.kill()
        server.wait(timeout=30)
    pytest.fail("no free X display number for Xvfb")


def test_installed_window_opens_on_x11(installed, x_display, tmp_path):
    """The xcb platform plugin loads with the system's libxcb and libGL: what a desktop
    session uses, unlike the offscreen platform of the other tests."""
    result = run_installed("--smoke-test", "--demo", home=tmp_path, display=x_display)
    assert result.returncode == 0, result.stderr
    assert "davdesk --smoke-test: listed /" in result.stderr


def test_installed_menu_entry_validates_and_resolves(installed):
    entry_path = Path(f"/usr/share/applications/{APP_ID}.desktop")
    validate = subprocess.run(
        [require_tool("desktop-file-validate"), str(entry_path)], capture_output=True, text=True
    )
    assert validate.returncode == 0 and validate.stdout == "", validate.stdout
    entry = desktop_entry(entry_path)
    assert (
        shutil.which(exec_program(entry["Exec"]), path="/usr/local/bin:/usr/bin:/bin")
        == "/usr/bin/davdesk"
    )
    icons = Path("/usr/share/icons/hicolor")
    assert (icons / "scalable/apps" / f"{entry['Icon']}.svg").is_file()
    assert (icons / "256x256/apps" / f"{entry['Icon']}.png").is_file()
    metainfo = Path(f"/usr/share/metainfo/{APP_ID}.metainfo.xml")
    validate = subprocess.run(
        [require_tool("appstreamcli"), "validate", "--no-net", str(metainfo)],
        capture_output=True,
        text=True,
    )
    assert validate.returncode == 0, validate.stdout + validate.stderr


def test_uv_run_davdesk_is_still_the_checkouts(installed):
    result = subprocess.run(
        ["uv", "run", "--locked", "python", "-c", "import shutil; print(shutil.which('davdesk'))"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).parent == REPO / ".venv" / "bin"


def test_purge_leaves_nothing_behind(installed):
    listed = subprocess.run(
        ["dpkg", "--listfiles", "davdesk"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert "/usr/bin/davdesk" in listed and "/usr/lib/davdesk/davdesk" in listed
    purge()
    assert installed_version() is None
    left = [
        path
        for path, existed in installed.items()
        if (path.exists() or path.is_symlink()) and not existed
    ]
    assert left == []
    assert not Path("/usr/lib/davdesk").exists() and not Path("/usr/bin/davdesk").exists()
    assert not Path("/usr/share/doc/davdesk").exists()
