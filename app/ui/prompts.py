"""The questions the window asks before it changes anything on the server.

Kept apart from the window so each is one call that tests can answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from app.dav import Resource


def count(items: Sequence[object]) -> str:
    return f"{len(items)} item{'s' if len(items) != 1 else ''}"


def folder_name(parent: QWidget, folder: str) -> str | None:
    """The name for a new folder in folder, or None; a name that cannot be one is refused."""
    name, ok = QInputDialog.getText(
        parent,
        "New Folder",
        f"Name of the new folder in {folder}:",
        QLineEdit.EchoMode.Normal,
        "New folder",
    )
    name = name.strip()
    if not ok or not name:
        return None
    if "/" in name or name in (".", ".."):
        QMessageBox.warning(
            parent,
            "New Folder",
            f"“{name}” cannot be a folder name: it may not contain “/” or be “.” or “..”.",
        )
        return None
    return name


def confirm_delete(parent: QWidget, resources: Sequence[Resource]) -> bool:
    """ "Delete 3 items?", naming the first few: a delete on the server cannot be undone."""
    names = ", ".join(r.name for r in resources[:5]) + (" …" if len(resources) > 5 else "")
    answer = QMessageBox.question(
        parent,
        "Delete",
        f"Delete {count(resources)}?\n\n{names}\n\n"
        "This deletes them on the server; it cannot be undone.",
    )
    return answer == QMessageBox.StandardButton.Yes
