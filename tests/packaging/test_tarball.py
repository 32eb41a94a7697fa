"""The per-user tarball (packaging/build.py --tarball): install.sh into a temporary home
puts a working Davdesk in the menu, a second run changes nothing, and uninstall.sh
leaves the home exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import __version__
from tests.packaging.support import (
    APP_ID,
    desktop_entry,
    ensure_built,
    exec_program,
    folder_size,
    tarball_path,
)
from tests.tools import require_tool

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux package")

UNPACKED_LIMIT = 150_000_000  # bytes


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory) -> Path:
    """The tarball's folder, unpacked outside any home."""
    archive = ensure_built(tarball_path(), "--deb", "--tarball")
    target = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(archive) as tar:
        assert {name.split("/")[0] for name in tar.getnames()} == {f"davdesk-{__version__}"}
        tar.extractall(target, filter="tar")
    return target / f"davdesk-{__version__}"


class Home:
    """A temporary home (its name has a space, as some do) with the XDG folders in it,
    and something of the user's own in each folder install.sh writes to."""

    def __init__(self, root: Path, *, with_own_files: bool = True) -> None:
        self.root = root
        self.data = root / "data home"
        self.env = {
            "HOME": str(root),
            "XDG_DATA_HOME": str(self.data),
            "XDG_CONFIG_HOME": str(root / ".config"),
            "XDG_STATE_HOME": str(root / ".local" / "state"),
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
        }
        root.mkdir(parents=True)
        if with_own_files:
            (self.data / "applications").mkdir(parents=True)
            (self.data / "applications" / "other.desktop").write_text("[Desktop Entry]\n")
            (root / ".local" / "bin").mkdir(parents=True)
            (root / ".local" / "bin" / "other-tool").write_text("#!/bin/sh\n")

    def snapshot(self) -> dict[str, str | None]:
        """Every path under the home, with each file's hash and each link's target."""
        found: dict[str, str | None] = {}
        for parent, folders, files in os.walk(self.root):
            for name in folders + files:
                path = Path(parent) / name
                key = str(path.relative_to(self.root))
                if path.is_symlink():
                    found[key] = "-> " + os.readlink(path)
                elif path.is_file():
                    found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
                else:
                    found[key] = None
        return found

    def run(self, program: Path | str, *args: str, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(program), *args],
            env={**self.env, **extra},
            cwd=self.root,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=300,
        )


@pytest.fixture
def home(tmp_path) -> Home:
    return Home(tmp_path / "home dir")


@pytest.fixture
def installed(unpacked: Path, home: Home) -> Iterator[Home]:
    """Davdesk installed into the home by install.sh (uninstalled again afterwards)."""
    before = home.snapshot()
    result = home.run(unpacked / "install.sh")
    assert result.returncode == 0, result.stderr
    home.before = before  # type: ignore[attr-defined]
    yield home
    uninstall = home.root / ".local/opt/davdesk/uninstall.sh"
    if uninstall.exists():
        home.run(uninstall)


def test_tarball_unpacks_within_its_size_budget(unpacked):
    assert folder_size(unpacked) < UNPACKED_LIMIT


def test_install_puts_the_app_the_command_and_the_menu_entry(installed):
    local = installed.root / ".local"
    assert (local / "opt/davdesk/davdesk").is_file()
    assert os.readlink(local / "bin/davdesk") == str(local / "opt/davdesk/davdesk")
    result = installed.run(local / "bin/davdesk", "--version")
    assert result.returncode == 0 and result.stdout == f"davdesk {__version__}\n"


def test_installed_menu_entry_validates_and_resolves(installed):
    entry_path = installed.data / "applications" / f"{APP_ID}.desktop"
    validate = subprocess.run(
        [require_tool("desktop-file-validate"), str(entry_path)], capture_output=True, text=True
    )
    assert validate.returncode == 0 and validate.stdout == "", validate.stdout
    entry = desktop_entry(entry_path)
    program = Path(exec_program(entry["Exec"]))
    assert program == installed.root / ".local/opt/davdesk/davdesk"  # the space survived
    assert entry["Exec"].endswith(" %u") and os.access(program, os.X_OK)
    icons = installed.data / "icons/hicolor"
    assert (icons / "scalable/apps" / f"{entry['Icon']}.svg").is_file()
    assert (icons / "48x48/apps" / f"{entry['Icon']}.png").is_file()
    assert (installed.data / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()


def test_installed_cli_lists_a_real_server_as_json(installed, wsgidav_server):
    wsgidav_server.make_file("plain.txt", b"plain")
    result = installed.run(
        installed.root / ".local/bin/davdesk",
        "ls",
        "--json",
        "--user",
        wsgidav_server.user,
        wsgidav_server.url,
        DAVDESK_PASSWORD=wsgidav_server.password,
    )
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["name"] for line in result.stdout.splitlines()] == ["plain.txt"]


def test_installed_window_runs_the_bundled_demo(installed):
    result = installed.run(
        installed.root / ".local/bin/davdesk", "--smoke-test", "--demo", QT_QPA_PLATFORM="offscreen"
    )
    assert result.returncode == 0, result.stderr
    assert "davdesk --smoke-test: listed /" in result.stderr


def test_installing_again_changes_nothing(installed, unpacked):
    first = installed.snapshot()
    result = installed.run(unpacked / "install.sh")
    assert result.returncode == 0, result.stderr
    assert installed.snapshot() == first


def test_an_update_takes_away_what_the_last_install_had_and_this_one_has_not(installed, unpacked):
    """As if the last version had shipped an icon size this one does not."""
    manifest = installed.root / ".local/opt/davdesk/installed-files"
    gone = installed.data / "icons/hicolor/1024x1024/apps/davdesk.png"
    gone.parent.mkdir(parents=True)
    gone.write_bytes(b"old icon")
    with manifest.open("a") as file:
        file.write(f"dir {gone.parent.parent}\ndir {gone.parent}\nfile {gone}\n")
    result = installed.run(unpacked / "install.sh")
    assert result.returncode == 0, result.stderr
    assert not gone.exists() and f"file {gone}" not in manifest.read_text()
    assert installed.run(unpacked / "uninstall.sh").returncode == 0
    assert installed.snapshot() == installed.before


def test_uninstall_leaves_the_home_as_it_was(installed, unpacked):
    result = installed.run(installed.root / ".local/opt/davdesk/uninstall.sh")
    assert result.returncode == 0, result.stderr
    assert installed.snapshot() == installed.before
    again = installed.run(unpacked / "uninstall.sh")
    assert again.returncode == 1 and "not installed for this user" in again.stderr
    assert installed.snapshot() == installed.before


def test_uninstall_from_the_unpacked_folder_and_from_an_empty_home(unpacked, tmp_path):
    home = Home(tmp_path / "home", with_own_files=False)
    home.env.pop("XDG_DATA_HOME")
    assert home.run(unpacked / "install.sh").returncode == 0
    assert (home.root / ".local/share/applications" / f"{APP_ID}.desktop").is_file()
    result = home.run(unpacked / "uninstall.sh")
    assert result.returncode == 0, result.stderr
    assert home.snapshot() == {}


def test_install_refuses_to_replace_someone_elses_davdesk_command(unpacked, home):
    (home.root / ".local/bin/davdesk").write_text("#!/bin/sh\necho pip's davdesk\n")
    before = home.snapshot()
    result = home.run(unpacked / "install.sh")
    assert result.returncode == 1
    assert "exists and is not this install's link" in result.stderr
    assert home.snapshot() == before
