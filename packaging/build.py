"""Build the one-folder app: dist/davdesk/ (run the dist/davdesk/davdesk binary in it).

    uv run --locked python packaging/build.py [--deb] [--tarball]

Runs PyInstaller on packaging/davdesk.spec from a clean work folder
(build/pyinstaller/) and reports the folder's size and the time taken. On Linux,
--deb also makes dist/davdesk_<version>_<arch>.deb (packaging/make_deb.py) and
--tarball dist/davdesk-<version>-linux-<arch>.tar.gz (packaging/make_tarball.py)
from that folder. Run it as a script, never as an import: this folder is
deliberately not a package, so it cannot shadow PyPI's `packaging` that
PyInstaller itself imports.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import PyInstaller.__main__

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
APP_FOLDER = DIST / "davdesk"
WORK = ROOT / "build"


def folder_size(folder: Path) -> int:
    """Bytes in the folder's files as unpacked (PyInstaller's symlinks count as links)."""
    return sum(
        (Path(parent) / name).lstat().st_size
        for parent, _, names in os.walk(folder)
        for name in names
    )


def app_version() -> str:
    text = (ROOT / "app" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE).group(1)


def drop_build_machine_paths(folder: Path) -> None:
    """Remove the RUNPATHs that point at the build machine's Python (pyenv's or uv's
    interpreter folder): the bundle finds its libraries itself, and a user's machine
    must not search a folder that only meant something here. Qt's $ORIGIN ones stay."""
    chrpath = shutil.which("chrpath")
    if chrpath is None:
        message = "chrpath is missing: the bundle keeps the build machine's library paths"
        if os.environ.get("CI") == "true":
            raise SystemExit(f"build.py: {message}")
        print(f"build.py: warning: {message}", file=sys.stderr)
        return
    for path in sorted(folder.rglob("*.so*")):
        if path.is_symlink() or not path.is_file():
            continue
        listed = subprocess.run(
            [chrpath, "--list", str(path)], capture_output=True, text=True, check=False
        )  # non-zero: the library has no RPATH
        if listed.returncode == 0 and re.search(r"PATH=/", listed.stdout):
            subprocess.run([chrpath, "--delete", str(path)], check=True, stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deb", action="store_true", help="also make the Debian package")
    parser.add_argument(
        "--tarball", action="store_true", help="also make the per-user .tar.gz with install.sh"
    )
    args = parser.parse_args()
    if (args.deb or args.tarball) and not sys.platform.startswith("linux"):
        parser.error("--deb and --tarball are Linux packages: build them on Linux")
    started = time.monotonic()
    PyInstaller.__main__.run(
        [
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(DIST),
            "--workpath",
            str(WORK / "pyinstaller"),
            str(ROOT / "packaging" / "davdesk.spec"),
        ]
    )
    if sys.platform.startswith("linux"):
        drop_build_machine_paths(APP_FOLDER)
    print(
        f"built {APP_FOLDER.relative_to(ROOT)}: {folder_size(APP_FOLDER) / 1e6:.0f} MB "
        f"in {time.monotonic() - started:.0f} s"
    )
    for wanted, maker in ((args.deb, "make_deb"), (args.tarball, "make_tarball")):
        if wanted:
            step = time.monotonic()
            module = importlib.import_module(maker)  # a sibling script (see the docstring)
            made = module.build(APP_FOLDER, DIST, app_version(), WORK)
            print(
                f"built {made.relative_to(ROOT)}: {made.stat().st_size / 1e6:.0f} MB "
                f"in {time.monotonic() - step:.0f} s"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
