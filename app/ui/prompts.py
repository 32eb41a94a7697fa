"""The questions the window asks before it changes anything on the server.

Kept apart from the window so each is one call that tests can answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from app.dav import Resource
from app.dav.paths import basename
from app.jobs.model import Conflict, Op, Task


def count(items: Sequence[object]) -> str:
    return f"{len(items)} item{'s' if len(items) != 1 else ''}"


def folder_name(parent: QWidget, folder: str) -> str | None:
    """The name for a new folder in folder, or None; a name that cannot be one is refused."""
    name, ok = QInputDialog.getText(parent, "New Folder", f"Name of the new folder in {folder}:",
                                    QLineEdit.EchoMode.Normal, "New folder")
    name = name.strip()
    if not ok or not name:
        return None
    if "/" in name or name in (".", ".."):
        QMessageBox.warning(parent, "New Folder", f"“{name}” cannot be a folder name: "
                            "it may not contain “/” or be “.” or “..”.")
        return None
    return name


def confirm_delete(parent: QWidget, resources: Sequence[Resource]) -> bool:
    """"Delete 3 items?", naming the first few: a delete on the server cannot be undone."""
    names = ", ".join(r.name for r in resources[:5]) + (" …" if len(resources) > 5 else "")
    answer = QMessageBox.question(
        parent, "Delete", f"Delete {count(resources)}?\n\n{names}\n\n"
        "This deletes them on the server; it cannot be undone.")
    return answer == QMessageBox.StandardButton.Yes


def choose_conflict(parent: QWidget, tasks: Sequence[Task], total: int) -> Conflict | None:
    """Ask once for all the targets that exist; None means do nothing."""
    names = [t.local.name if t.op is Op.DOWNLOAD and t.local is not None
             else basename(t.destination or t.remote) for t in tasks]
    shown = "\n".join(names[:8]) + (f"\n… and {len(names) - 8} more" if len(names) > 8 else "")
    box = QMessageBox(QMessageBox.Icon.Question, "Items already exist",
                      f"{len(tasks)} of {count(range(total))} already exist where they are going.",
                      QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("conflictQuestion")
    box.setInformativeText(f"{shown}\n\nWhat should happen to them?")
    Role = QMessageBox.ButtonRole
    choices = {box.addButton("Overwrite", Role.DestructiveRole): Conflict.OVERWRITE,
               box.addButton("Skip", Role.AcceptRole): Conflict.SKIP,
               box.addButton("Keep Both", Role.AcceptRole): Conflict.RENAME}
    box.exec()
    return choices.get(box.clickedButton())
