"""Build the one-folder app: dist/davdesk/ (run the dist/davdesk/davdesk binary in it).

    uv run --locked python packaging/build.py

Runs PyInstaller on packaging/davdesk.spec from a clean work folder
(build/pyinstaller/) and reports the folder's size and the time taken. Run it
as a script, never as an import: this folder is deliberately not a package,
so it cannot shadow PyPI's `packaging` that PyInstaller itself imports.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import PyInstaller.__main__

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
APP_FOLDER = DIST / "davdesk"


def folder_size(folder: Path) -> int:
    """Bytes in the folder's files as unpacked (PyInstaller's symlinks count as links)."""
    return sum((Path(parent) / name).lstat().st_size
               for parent, _, names in os.walk(folder) for name in names)


def main() -> int:
    started = time.monotonic()
    PyInstaller.__main__.run([
        "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", str(DIST), "--workpath", str(ROOT / "build" / "pyinstaller"),
        str(ROOT / "packaging" / "davdesk.spec"),
    ])
    print(f"built {APP_FOLDER.relative_to(ROOT)}: {folder_size(APP_FOLDER) / 1e6:.0f} MB "
          f"in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
