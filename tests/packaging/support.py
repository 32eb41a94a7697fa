"""What the packaging tests share: where the artefacts are, and building them when stale.

.ci/run builds the app folder, the .deb and the tarball before the test run. Elsewhere
a missing or outdated artefact is built here, once per run; under CI=true that fails
instead, since then .ci/run should have built it from these very sources.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "dist"
#: Everything the build is made from; a build older than any of them is out of date.
INPUTS = ("app", "resources", "packaging", "pyproject.toml", "uv.lock")
APP_ID = "io.github.davdesk.Davdesk"
IN_CI = os.environ.get("CI") == "true"


def newest_input() -> float:
    times = []
    for name in INPUTS:
        path = REPO / name
        if path.is_file():
            times.append(path.stat().st_mtime)
        for parent, folders, files in os.walk(path):
            folders[:] = [f for f in folders if f != "__pycache__"]
            times += [(Path(parent) / f).stat().st_mtime for f in files if not f.endswith(".pyc")]
    return max(times)


def ensure_built(artefact: Path, *build_options: str) -> Path:
    """artefact, built by packaging/build.py with build_options when missing or stale."""
    if not artefact.exists() or artefact.stat().st_mtime < newest_input():
        if IN_CI:
            command = " ".join(["packaging/build.py", *build_options])
            pytest.fail(
                f"{artefact.relative_to(REPO)} is missing or older than the sources: "
                f".ci/run builds it with `uv run --locked python {command}`"
            )
        subprocess.run(
            [sys.executable, str(REPO / "packaging" / "build.py"), *build_options],
            cwd=REPO,
            check=True,
            timeout=1200,
        )
    return artefact


def deb_path() -> Path:
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return DIST / f"davdesk_{__version__}_{arch}.deb"


def tarball_path() -> Path:
    return DIST / f"davdesk-{__version__}-linux-{platform.machine()}.tar.gz"


def folder_size(folder: Path) -> int:
    """Bytes in the folder's files as unpacked (symlinks count as links)."""
    return sum(
        (Path(parent) / name).lstat().st_size
        for parent, _, names in os.walk(folder)
        for name in names
    )


def desktop_entry(path: Path) -> dict[str, str]:
    """The [Desktop Entry] group's keys (the entries here have no other group)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if "=" in line)


def exec_program(exec_value: str) -> str:
    """The program of a desktop entry's Exec value, unquoted as the spec says."""
    value = exec_value.replace("\\\\", "\\")  # the string-level escape comes first
    if value.startswith('"'):
        program, index = [], 1
        while value[index] != '"':
            if value[index] == "\\":
                index += 1
            program.append(value[index])
            index += 1
        return "".join(program)
    return value.split(" ", 1)[0]
