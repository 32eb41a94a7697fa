"""The per-user archive: dist/davdesk-<version>-linux-<arch>.tar.gz from the one-folder app.

Run by `packaging/build.py --tarball`. The archive holds one folder, davdesk-<version>/:
the app (run ./davdesk in it as it is), share/ with the desktop entry, icons and
metainfo, and install.sh / uninstall.sh (packaging/linux/), which put it in
~/.local/opt/davdesk and the desktop's menu for the current user, and take it out again.
"""

from __future__ import annotations

import platform
import shutil
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
LINUX = ROOT / "packaging" / "linux"
APP_ID = "io.github.davdesk.Davdesk"


def stage(app_folder: Path, folder: Path) -> None:
    """The archive's folder: the app, its share/ files and the two scripts."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(app_folder, folder, symlinks=True)
    share = folder / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copy(RESOURCES / f"{APP_ID}.desktop", share / "applications")
    (share / "metainfo").mkdir()
    shutil.copy(RESOURCES / f"{APP_ID}.metainfo.xml", share / "metainfo")
    shutil.copytree(RESOURCES / "hicolor", share / "icons" / "hicolor")
    for script in ("install.sh", "uninstall.sh"):
        shutil.copy(LINUX / script, folder / script)
        (folder / script).chmod(0o755)


def owned_by_nobody(member: tarfile.TarInfo) -> tarfile.TarInfo:
    """Numeric owner 0 and no names: whoever unpacks the archive owns its files."""
    member.uid = member.gid = 0
    member.uname = member.gname = ""
    return member


def build(app_folder: Path, dist: Path, version: str, work: Path) -> Path:
    """Stage and pack the archive; returns its path."""
    name = f"davdesk-{version}"
    folder = work / "tarball" / name
    stage(app_folder, folder)
    archive = dist / f"davdesk-{version}-linux-{platform.machine()}.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=9) as tar:
        tar.add(folder, arcname=name, filter=owned_by_nobody)
    shutil.rmtree(folder.parent)
    return archive
