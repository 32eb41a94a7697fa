"""Bookmarks managed from the connect dialog: rename, save changes, duplicate, delete.

A menu button beside the bookmark list, as Cyberduck's bookmark editor and
WinSCP's site manager offer: the form edits the selected bookmark, Save
Changes keeps the edit without connecting. The bookmarks file is written on a
pool thread; the list is read again after each change.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QMessageBox, QToolButton

from app.config.bookmarks import Bookmark, BookmarkStore
from app.config.secrets import PasswordStore, SecretsUnavailableError
from app.ui.background import Submit


class BookmarkManager:
    """The dialog hands in its form (a ConnectDialog) and how it runs work in the background."""

    def __init__(
        self, dialog: Any, store: BookmarkStore, passwords: PasswordStore, submit: Submit
    ) -> None:
        self._dialog = dialog
        self._store = store
        self._passwords = passwords
        self._submit = submit
        self.button = QToolButton(dialog)
        self.button.setObjectName("manageBookmarks")
        self.button.setText("Manage")
        self.button.setToolTip("Rename, change, duplicate or delete the selected bookmark")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.button)
        self.rename = self._action(menu, "renameBookmark", "&Rename…", self.rename_selected)
        self.save = self._action(menu, "saveBookmark", "&Save Changes", self.save_changes)
        self.duplicate = self._action(
            menu, "duplicateBookmark", "D&uplicate", self.duplicate_selected
        )
        menu.addSeparator()
        self.delete = self._action(menu, "deleteBookmark", "&Delete…", self.delete_selected)
        self.button.setMenu(menu)
        dialog.bookmark_combo.currentIndexChanged.connect(self._update)
        self._update()

    @staticmethod
    def _action(menu: QMenu, name: str, text: str, slot: Callable[[], None]) -> QAction:
        action = menu.addAction(text)
        action.setObjectName(name)
        action.triggered.connect(slot)
        return action

    def _selected(self) -> Bookmark | None:
        chosen: Bookmark | None = self._dialog.bookmark_combo.currentData()
        return chosen

    def _update(self) -> None:
        self.button.setEnabled(self._selected() is not None)

    def rename_selected(self) -> None:
        bookmark = self._selected()
        if bookmark is None:
            return
        name, ok = QInputDialog.getText(
            self._dialog, "Rename Bookmark", "New name:", QLineEdit.EchoMode.Normal, bookmark.name
        )
        name = name.strip()
        if ok and name and name != bookmark.name:
            renamed = dataclasses.replace(bookmark, name=name)
            self._change(lambda: self._store.update(renamed, name=bookmark.name), name)

    def save_changes(self) -> None:
        """The form's address, user name, name and CA file into the selected bookmark."""
        bookmark = self._selected()
        form = self._dialog
        if bookmark is None:
            return
        changed = dataclasses.replace(
            bookmark,
            name=form.name_edit.text().strip() or bookmark.name,
            url=form.url_edit.text().strip() or bookmark.url,
            user=form.user_edit.text().strip(),
            ca_file=form.ca_file_edit.text().strip() or None,
        )
        self._change(lambda: self._store.update(changed, name=bookmark.name), changed.name)

    def duplicate_selected(self) -> None:
        bookmark = self._selected()
        if bookmark is None:
            return
        taken = {
            self._dialog.bookmark_combo.itemText(i)
            for i in range(self._dialog.bookmark_combo.count())
        }
        number = 2
        while f"{bookmark.name} ({number})" in taken:
            number += 1
        copy = dataclasses.replace(bookmark, name=f"{bookmark.name} ({number})")
        self._change(lambda: self._store.add(copy), copy.name)

    def delete_selected(self) -> None:
        bookmark = self._selected()
        if bookmark is None:
            return
        answer = QMessageBox.question(
            self._dialog,
            "Delete Bookmark",
            f"Delete the bookmark “{bookmark.name}”?\n\nIts remembered password is forgotten "
            "too, unless another bookmark uses it.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return

        def delete() -> None:
            self._store.remove(bookmark.name)
            if (
                not any(
                    b.url == bookmark.url and b.user == bookmark.user for b in self._store.load()
                )
                and bookmark.user
            ):
                # Nothing was kept where there is no keyring.
                with contextlib.suppress(SecretsUnavailableError):
                    self._passwords.delete(bookmark.url, bookmark.user)

        self._change(delete, None)

    def _change(self, work: Callable[[], None], select: str | None) -> None:
        """One change at a time: the menu waits for this one's answer, so a second change
        cannot land first and leave the wrong bookmark selected."""
        self.button.setEnabled(False)

        def change_then_load() -> list[Bookmark]:
            work()
            return self._store.load()

        self._submit(
            change_then_load, lambda bookmarks, error: self._changed(bookmarks, error, select)
        )

    def _changed(
        self, bookmarks: list[Bookmark] | None, error: BaseException | None, select: str | None
    ) -> None:
        if error is not None:
            self._dialog.show_error(f"The bookmark was not changed: {error}")
            self._update()
            return
        combo = self._dialog.bookmark_combo
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for bookmark in bookmarks or []:
            combo.addItem(bookmark.name, bookmark)
        combo.blockSignals(False)
        index = combo.findText(select) if select else 0
        combo.setCurrentIndex(max(index, 0))
        self._dialog.show_error("")
        self._update()
