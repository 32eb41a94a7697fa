"""The layer rules of DESIGN.md, enforced: a boundary written only in prose leaks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QT_FREE_PACKAGES = (
    "app.dav",
    "app.jobs",
    "app.sync",
    "app.cli",
    "app.nextcloud",
    "app.config",
    "app.session.connection",
)


def test_import_linter_contracts_hold():
    """pyproject.toml's import-linter contracts: layers point one way, Qt stays in app.ui."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_packages_load_no_qt():
    """Importing the Qt-free packages in a fresh interpreter loads no PySide6 module."""
    code = (
        "import sys, importlib\n"
        f"for name in {QT_FREE_PACKAGES!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'PySide6'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
