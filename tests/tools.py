"""The programs some tests run, and the Debian package each comes in.

A missing program skips its tests, or fails them under CI=true (where .ci/run
installs every one): either way the message names the package to install,
so a fresh Debian or Ubuntu machine is one `apt install` away from the full suite.
"""

from __future__ import annotations

import os
import shutil

import pytest

#: Program -> the Debian/Ubuntu package that provides it.
DEBIAN_PACKAGES = {
    "apache2": "apache2 apache2-utils",
    "appstreamcli": "appstream",
    "chrpath": "chrpath",
    "desktop-file-validate": "desktop-file-utils",
    "lintian": "lintian",
    "objdump": "binutils",
    "strip": "binutils",
    "systemd-xdg-autostart-generator": "systemd",
    "Xvfb": "xvfb",
}


def missing(name: str) -> str:
    """The one line that says a program is missing and how to get it."""
    package = DEBIAN_PACKAGES.get(name)
    how = f"`sudo apt install {package}` on Debian/Ubuntu; " if package else ""
    return f"{name} is not installed ({how}.ci/run installs it)"


def require_tool(name: str, path: str | None = None) -> str:
    """The program's path (path: where it was found, if not on PATH); a missing one skips
    the calling test, or fails it under CI=true."""
    found = path or shutil.which(name)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(missing(name), pytrace=False)
        pytest.skip(missing(name))
    return found
