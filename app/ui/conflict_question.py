"""The conflict question: what to do with targets that exist, decided with both sides in view.

As WinSCP's overwrite confirmation: every file that would replace another
shows its size and date beside those of the one there, the newer of the two
marked. The answers are Overwrite, Overwrite if Newer, Overwrite if
Different, Skip and Keep Both, for the file shown or, with "Apply to all",
for every one of them.

sides() looks at the server (one listing per folder involved) and the disk:
it runs on a pool thread, before the question is asked.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.dav import DavClient, Resource
from app.dav.paths import basename, parent
from app.jobs.conflict import Conflict
from app.jobs.model import Op, Task
from app.jobs.planner import settle
from app.ui.models.file_table import human_size

#: Conflicts whose sides are looked up; beyond these the question shows names only.
DETAILED = 500
#: The answers, in the order the buttons show them.
ANSWERS = (
    (Conflict.OVERWRITE, "&Overwrite"),
    (Conflict.NEWER, "Overwrite if &Newer"),
    (Conflict.DIFFERENT, "Overwrite if &Different"),
    (Conflict.SKIP, "&Skip"),
    (Conflict.RENAME, "&Keep Both"),
)


@dataclass(frozen=True, slots=True)
class Sides:
    """One conflict: the task and the size and time of what goes and of what is there."""

    task: Task
    size: int | None = None
    mtime: float | None = None
    target_size: int | None = None
    target_mtime: float | None = None

    @property
    def name(self) -> str:
        if self.task.op is Op.DOWNLOAD and self.task.local is not None:
            return self.task.local.name
        return basename(self.task.destination or self.task.remote)

    def settled(self, choice: Conflict) -> Conflict:
        """The choice for this file: newer and different become overwrite or skip."""
        return settle(choice, self.size, self.mtime, self.target_size, self.target_mtime)


def sides(client: DavClient, tasks: Sequence[Task]) -> list[Sides]:
    """Both sides of each conflict (the first DETAILED of them), one listing per folder."""
    listings: dict[str, dict[str, Resource]] = {}

    def remote(path: str) -> Resource | None:
        folder = parent(path.rstrip("/"))
        if folder not in listings:
            listings[folder] = {r.name: r for r in client.listdir(folder)}
        return listings[folder].get(basename(path.rstrip("/")))

    found = []
    for number, task in enumerate(tasks):
        if number >= DETAILED:
            found.append(Sides(task))
            continue
        if task.op is Op.UPLOAD:
            there = remote(task.remote)
            found.append(Sides(task, task.size, task.mtime, *_of(there)))
        elif task.op is Op.DOWNLOAD:
            source = remote(task.remote)
            here = _local(task)
            found.append(Sides(task, *_of(source), *here))
        else:
            found.append(
                Sides(
                    task, *_of(remote(task.remote)), *_of(remote(task.destination or task.remote))
                )
            )
    return found


def _of(resource: Resource | None) -> tuple[int | None, float | None]:
    if resource is None:
        return None, None
    kept = resource.kept_mtime
    modified = (
        kept if kept is not None else (resource.modified.timestamp() if resource.modified else None)
    )
    return resource.size, modified


def _local(task: Task) -> tuple[int | None, float | None]:
    try:
        found = os.stat(task.local) if task.local is not None else None
    except OSError:
        found = None
    return (found.st_size, found.st_mtime) if found else (None, None)


def _when(mtime: float | None) -> str:
    return (
        datetime.fromtimestamp(mtime).strftime("%Y-%m-%d %H:%M")
        if mtime is not None
        else "date unknown"
    )


def _size(size: int | None) -> str:
    return human_size(size) if size is not None else "size unknown"


class ConflictQuestion(QDialog):
    """Asks what to do with each existing target; choices() once it was answered."""

    def __init__(
        self, conflicts: Sequence[Sides], total: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conflictQuestion")
        self.setWindowTitle("Items already exist")
        self._conflicts = list(conflicts)
        self._choices: dict[Task, Conflict] = {}
        self._current = 0
        items = f"{total} item{'s' if total != 1 else ''}"
        heading = QLabel(
            f"{len(conflicts)} of {items} already exist where they are going. "
            "What should happen to them?",
            self,
        )
        heading.setWordWrap(True)
        self.list = QTreeWidget(self)
        self.list.setObjectName("conflictList")
        self.list.setRootIsDecorated(False)
        self.list.setHeaderLabels(["Name", "This one", "The one there"])
        self.list.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            self.list.header().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for conflict in self._conflicts:
            self.list.addTopLevelItem(self._row(conflict))
        self.apply_all = QCheckBox(f"Apply to &all {len(conflicts)}", self)
        self.apply_all.setObjectName("applyToAll")
        self.apply_all.setChecked(True)
        self.apply_all.setVisible(len(conflicts) > 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.answer_buttons: dict[Conflict, QPushButton] = {}
        for choice, text in ANSWERS:
            button = self.buttons.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
            button.setObjectName(f"answer{choice.value.capitalize()}")
            button.clicked.connect(lambda _=False, c=choice: self.answer(c))
            self.answer_buttons[choice] = button
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.apply_all)
        layout.addWidget(self.buttons)
        self.resize(760, 360)
        self._show_current()

    def _row(self, conflict: Sides) -> QTreeWidgetItem:
        newer = conflict.mtime is not None and conflict.target_mtime is not None
        ours = f"{_size(conflict.size)}, {_when(conflict.mtime)}"
        theirs = f"{_size(conflict.target_size)}, {_when(conflict.target_mtime)}"
        if newer and conflict.mtime > conflict.target_mtime:  # type: ignore[operator]
            ours += " (newer)"
        elif newer and conflict.target_mtime > conflict.mtime:  # type: ignore[operator]
            theirs += " (newer)"
        item = QTreeWidgetItem([conflict.name, ours, theirs])
        item.setToolTip(0, conflict.task.destination or conflict.task.remote)
        return item

    def _show_current(self) -> None:
        item = self.list.topLevelItem(self._current)
        if item is not None:
            self.list.setCurrentItem(item)
            self.list.scrollToItem(item)

    def answer(self, choice: Conflict) -> None:
        """The file shown, or with Apply to all every file left, takes this choice."""
        left = self._conflicts[self._current :]
        chosen = left if self.apply_all.isChecked() else left[:1]
        for conflict in chosen:
            self._choices[conflict.task] = conflict.settled(choice)
            item = self.list.topLevelItem(self._conflicts.index(conflict))
            if item is not None:
                item.setText(0, f"{conflict.name} — {choice_words(choice)}")
        self._current += len(chosen)
        if self._current >= len(self._conflicts):
            self.accept()
        else:
            self._show_current()

    def choices(self) -> dict[Task, Conflict]:
        return dict(self._choices)


def choice_words(choice: Conflict) -> str:
    return next(text.replace("&", "") for c, text in ANSWERS if c is choice)


def ask(parent: QWidget, conflicts: Sequence[Sides], total: int) -> dict[Task, Conflict] | None:
    """The question, modal; each conflicting task's choice, or None when cancelled."""
    question = ConflictQuestion(conflicts, total, parent)
    question.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    answered = question.exec() == QDialog.DialogCode.Accepted
    choices = question.choices()
    question.deleteLater()
    return choices if answered else None
