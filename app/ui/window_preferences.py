"""The window's side of the preferences: Edit ▸ Preferences…, View ▸ Show Hidden Files, and
handing each preference to the part of the window it governs.

The preferences live in the state mapping the composition root keeps in
settings.json (see app.config.preferences); every window of the process
shares it, so a change made in one is what the next window opens with.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMenuBar

from app.config.autostart import Autostart, for_platform
from app.config.bookmarks import Bookmark, BookmarkStore
from app.config.preferences import PREFERENCES, Preferences
from app.ui.background import Background

if TYPE_CHECKING:  # loaded when first opened: the window shows without it
    from app.ui.preferences_dialog import PreferencesDialog

Key = QKeySequence.StandardKey


class WindowPreferences(QObject):
    """changed is emitted with the new preferences after the dialog was accepted or a View
    toggle flipped one."""

    changed = Signal(object)
    message = Signal(str)

    def __init__(
        self,
        window: QMainWindow,
        state: MutableMapping[str, Any],
        background: Background,
        bookmark: Bookmark | None = None,
        bookmarks: BookmarkStore | None = None,
        autostart: Callable[[], Autostart] | None = for_platform,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._state = state
        self._background = background
        self._bookmark = bookmark
        self._bookmarks = bookmarks
        self._autostart = autostart
        self.current = Preferences.from_mapping(state.get(PREFERENCES))
        self.action = QAction("&Preferences…", window)
        self.action.setObjectName("actionPreferences")
        self.action.setMenuRole(QAction.MenuRole.PreferencesRole)
        keys = QKeySequence.keyBindings(Key.Preferences)
        self.action.setShortcuts(keys or [QKeySequence("Ctrl+,")])
        self.action.setStatusTip("Transfers, conflicts, hidden files, background sync")
        self.action.triggered.connect(self.open)
        window.addAction(self.action)
        self.show_hidden = QAction("Show &Hidden Files", window, checkable=True)
        self.show_hidden.setObjectName("actionShowHidden")
        self.show_hidden.setShortcut(QKeySequence("Ctrl+H"))
        self.show_hidden.setStatusTip("Show the files and folders whose names start with a dot")
        self.show_hidden.setChecked(self.current.show_hidden)
        self.show_hidden.toggled.connect(
            lambda shown: self._set(dataclasses.replace(self.current, show_hidden=shown))
        )
        window.addAction(self.show_hidden)
        self.dialog: PreferencesDialog | None = None

    def install(self, bar: QMenuBar) -> None:
        """Preferences at the end of Edit (macOS moves it to the application menu), Show
        Hidden Files at the end of View."""
        menus = {action.text(): action.menu() for action in bar.actions()}
        for title, action in (("&Edit", self.action), ("&View", self.show_hidden)):
            menu = menus.get(title)
            if isinstance(menu, QMenu):
                menu.addSeparator()
                menu.addAction(action)

    def open(self) -> PreferencesDialog:
        """The dialog, window-modal; its choices apply when it is accepted."""
        from app.ui.preferences_dialog import PreferencesDialog

        keep = self._bookmark.keep_mtime if self._bookmark is not None else None
        autostart = self._autostart() if self._autostart is not None else None
        dialog = PreferencesDialog(
            self.current,
            self._background,
            autostart,
            keep,
            self._bookmark.name if self._bookmark else None,
            self._window,
        )
        dialog.accepted.connect(lambda: self._accepted(dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _accepted(self, dialog: PreferencesDialog) -> None:
        self._set(dialog.chosen())

        def said(error: BaseException | None) -> None:
            if error is not None:
                self.message.emit(f"Start at login not changed: {error}")

        dialog.apply_start_at_login(said)
        wanted = dialog.keep_mtime.isChecked()
        bookmark, store = self._bookmark, self._bookmarks
        if bookmark is not None and store is not None and wanted != bookmark.keep_mtime:
            kept = dataclasses.replace(bookmark, keep_mtime=wanted)
            self._bookmark = kept
            self._background.submit(
                lambda: store.put(kept, replacing=bookmark.name), self._bookmark_saved
            )

    def _bookmark_saved(self, _: object, error: BaseException | None) -> None:
        if error is not None:
            self.message.emit(f"The bookmark was not saved: {error}")

    def _set(self, preferences: Preferences) -> None:
        self.current = preferences
        self._state[PREFERENCES] = preferences.to_mapping()
        if self.show_hidden.isChecked() != preferences.show_hidden:
            self.show_hidden.setChecked(preferences.show_hidden)  # toggles back into _set
        self.changed.emit(preferences)
