"""Davdesk's own files (icons, desktop entry) wherever Davdesk runs from.

Three layouts: a source checkout keeps resources/ beside the app package; a
wheel carries it inside the package as app/resources (pyproject's
force-include); the PyInstaller app unpacks it into its bundle folder
(sys._MEIPASS). The first folder that holds the application icon wins, so a
stale folder elsewhere cannot half-supply the files. Plain Python: the CLI may use it.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

#: Every layout has it; finding it proves the folder is a complete resources/.
MARKER = "davdesk.svg"
_PACKAGE = Path(__file__).resolve().parent


def candidate_folders(package: Path = _PACKAGE, bundle: str | None = None) -> list[Path]:
    """Where the resources may be, most specific first."""
    folders = [Path(bundle) / "resources"] if bundle else []
    return [*folders, package / "resources", package.parent / "resources"]


def first_complete(candidates: list[Path]) -> Path:
    """The first folder holding the marker; FileNotFoundError names the places looked in."""
    for folder in candidates:
        if (folder / MARKER).is_file():
            return folder
    raise FileNotFoundError(
        "Davdesk's resources are in none of: " + ", ".join(str(folder) for folder in candidates)
    )


@functools.cache
def resource_folder() -> Path:
    """The folder of Davdesk's resources for this process's layout."""
    return first_complete(candidate_folders(bundle=getattr(sys, "_MEIPASS", None)))


def resource(*parts: str) -> Path:
    """A file under the resources folder (resource("icons", "go-up.svg"))."""
    return resource_folder().joinpath(*parts)
