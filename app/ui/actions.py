"""The window's QActions: one per operation, shared by the menu bar, toolbar and context menus.

Each carries an objectName (action<Operation>) for tests and accessibility
tools, and the platform's standard shortcut where Qt defines one, so Delete,
Copy or Back are the keys the user already knows on their desktop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle, QToolBar, QToolButton, QWidget

from app.ui.icons import themed_icon

Key = QKeySequence.StandardKey
Pixmap = QStyle.StandardPixmap
MenuOrBar = TypeVar("MenuOrBar", QMenu, QToolBar)


class Actions:
    """nextcloud: the window is signed in to a Nextcloud account, which adds the Trash Bin
    and Sign Out (None elsewhere: a plain WebDAV server has neither)."""

    def __init__(self, parent: QWidget, *, nextcloud: bool = False) -> None:
        self._parent = parent
        style = parent.style()

        def make(
            name: str,
            text: str,
            theme: QIcon.ThemeIcon | None = None,
            pixmap: QStyle.StandardPixmap | None = None,
            keys: list[QKeySequence] | None = None,
            tip: str | None = None,
        ) -> QAction:
            fallback = style.standardIcon(pixmap) if pixmap is not None else QIcon()
            icon = themed_icon(theme, fallback) if theme is not None else fallback
            action = QAction(icon, text, parent)
            action.setObjectName(f"action{name}")
            if keys:
                action.setShortcuts(keys)
            action.setStatusTip(tip or text.rstrip("…"))
            parent.addAction(action)  # shortcuts work whichever pane has the focus
            return action

        def standard(key: QKeySequence.StandardKey, *extra: str) -> list[QKeySequence]:
            keys = QKeySequence.keyBindings(key)
            return keys + [QKeySequence(k) for k in extra if QKeySequence(k) not in keys]

        T = QIcon.ThemeIcon
        self.back = make("Back", "&Back", T.GoPrevious, Pixmap.SP_ArrowBack, standard(Key.Back))
        self.forward = make(
            "Forward", "&Forward", T.GoNext, Pixmap.SP_ArrowForward, standard(Key.Forward)
        )
        self.up = make(
            "Up",
            "&Up",
            T.GoUp,
            Pixmap.SP_ArrowUp,
            [QKeySequence("Alt+Up")],
            "Go to the folder above",
        )
        self.refresh = make(
            "Refresh",
            "&Refresh",
            T.ViewRefresh,
            Pixmap.SP_BrowserReload,
            standard(Key.Refresh, "F5"),
            "List this folder again",
        )
        self.location = make(
            "Location", "&Location…", keys=[QKeySequence("Ctrl+L")], tip="Type a path to go to"
        )
        self.filter = make(
            "Filter",
            "&Filter",
            T.EditFind,
            keys=standard(Key.Find),
            tip="Show only names containing some text",
        )
        self.new_folder = make(
            "NewFolder",
            "&New Folder…",
            T.FolderNew,
            Pixmap.SP_FileDialogNewFolder,
            standard(Key.New),
            "Create a folder here",
        )
        self.rename = make(
            "Rename", "Re&name", keys=[QKeySequence("F2")], tip="Rename the selected item in place"
        )
        self.delete = make(
            "Delete",
            "&Delete",
            T.EditDelete,
            Pixmap.SP_TrashIcon,
            standard(Key.Delete),
            "Delete the selected items on the server",
        )
        self.copy = make(
            "Copy",
            "&Copy",
            T.EditCopy,
            keys=standard(Key.Copy),
            tip="Copy the selected items, to paste in another folder",
        )
        self.cut = make(
            "Cut",
            "Cu&t",
            T.EditCut,
            keys=standard(Key.Cut),
            tip="Move the selected items: paste them in another folder",
        )
        self.paste = make(
            "Paste",
            "&Paste",
            T.EditPaste,
            keys=standard(Key.Paste),
            tip="Copy or move what was copied or cut into this folder",
        )
        self.upload = make(
            "Upload",
            "&Upload Files…",
            T.GoUp,
            Pixmap.SP_ArrowUp,
            [QKeySequence("Ctrl+U")],
            "Upload files from this computer",
        )
        self.upload_folder = make(
            "UploadFolder",
            "Upload F&older…",
            T.FolderNew,
            Pixmap.SP_DirIcon,
            tip="Upload a folder from this computer",
        )
        # Not Ctrl+D: on X11 that is one of the standard Delete keys (and Control-D on a Mac).
        self.download = make(
            "Download",
            "Do&wnload…",
            T.GoDown,
            Pixmap.SP_ArrowDown,
            [QKeySequence("Ctrl+Shift+D")],
            "Download the selected items to a folder",
        )
        self.sync = make(
            "Sync",
            "S&ync Folder…",
            T.SyncSynchronizing,
            Pixmap.SP_BrowserReload,
            tip="Sync a local folder with a folder on the server: preview, then run",
        )
        self.properties = make(
            "Properties",
            "P&roperties",
            T.DocumentProperties,
            Pixmap.SP_FileDialogInfoView,
            [QKeySequence("Alt+Return")],
            "Show and edit every property of the selected item",
        )
        self.lock = make("Lock", "&Lock", T.SecurityHigh, tip="Take a write lock (WebDAV class 2)")
        self.unlock = make(
            "Unlock", "Unl&ock", T.SecurityLow, tip="Release a lock this window took"
        )
        self.quit = make("Quit", "&Quit", T.ApplicationExit, keys=standard(Key.Quit))
        self.open = make(
            "Open",
            "&Open",
            T.DocumentOpen,
            tip="Open the selected file with the application this computer opens it with",
        )
        self.edit = make(
            "Edit",
            "&Edit",
            T.DocumentProperties,
            keys=[QKeySequence("Ctrl+E")],
            tip="Edit the selected file in its application: every save is sent to the server",
        )
        self.search = make(
            "Search",
            "F&ind…",
            T.EditFind,
            keys=[QKeySequence("Ctrl+Shift+F")],
            tip="Find files and folders by name below this folder",
        )
        self.stop_search = make(
            "StopSearch",
            "S&top Search",
            T.ProcessStop,
            keys=[QKeySequence("Escape")],
            tip="Stop the search running; what it found stays",
        )
        self.stop_search.setEnabled(False)
        self.copy_url = make(
            "CopyUrl",
            "Copy &Address",
            keys=[QKeySequence("Ctrl+Shift+C")],
            tip="Copy the selected items' WebDAV addresses (no password)",
        )
        self.trash_bin: QAction | None = None
        self.sign_out: QAction | None = None
        self.copy_internal_link: QAction | None = None
        self.share_link: QAction | None = None
        self.versions: QAction | None = None
        if nextcloud:
            self.versions = make(
                "Versions",
                "&Versions…",
                T.DocumentOpenRecent,
                tip="See the selected file's earlier versions: download or restore one",
            )
            self.share_link = make(
                "ShareLink",
                "&Share Link…",
                T.MailSend,
                tip="Make a public link to the selected item, or change and delete its links",
            )
            self.copy_internal_link = make(
                "CopyInternalLink",
                "Copy &Internal Link",
                tip="Copy a link that opens the item in the browser for those who can see it",
            )
            self.trash_bin = make(
                "TrashBin",
                "&Trash Bin…",
                pixmap=Pixmap.SP_TrashIcon,
                tip="See what was deleted: restore it, or delete it for good",
            )
            self.sign_out = make(
                "SignOut",
                "Sign &Out",
                T.SystemLogOut,
                tip="Revoke this device's app password on the server, "
                "forget it here, and close the window",
            )

    def install(self, window: QMainWindow) -> None:
        """The menu bar and the toolbar; navigation shows as icons, operations with words."""
        for title, items in (
            (
                "&File",
                [
                    self.open,
                    self.edit,
                    None,
                    self.new_folder,
                    self.upload,
                    self.upload_folder,
                    self.download,
                    None,
                    self.sync,
                    *_present(self.trash_bin),
                    None,
                    *_present(self.share_link),
                    *_present(self.versions),
                    self.properties,
                    None,
                    *_present(self.sign_out),
                    self.quit,
                ],
            ),
            (
                "&Edit",
                [
                    self.cut,
                    self.copy,
                    self.paste,
                    None,
                    self.copy_url,
                    *_present(self.copy_internal_link),
                    None,
                    self.rename,
                    self.delete,
                    None,
                    self.lock,
                    self.unlock,
                    None,
                    self.filter,
                    self.search,
                    self.stop_search,
                ],
            ),
            ("&Go", [self.back, self.forward, self.up, None, self.location, self.refresh]),
        ):
            fill(window.menuBar().addMenu(title), items)
        toolbar = QToolBar("Main toolbar", window)
        toolbar.setObjectName("mainToolBar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        fill(
            toolbar,
            [
                self.back,
                self.forward,
                self.up,
                self.refresh,
                None,
                self.new_folder,
                self.upload,
                self.download,
                None,
                self.delete,
                self.properties,
            ],
        )
        for action in (self.back, self.forward, self.up, self.refresh):
            button = toolbar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        window.addToolBar(toolbar)

    def item_menu(self, parent: QWidget) -> QMenu:
        """The context menu of selected rows."""
        return fill(
            QMenu(parent),
            [
                self.open,
                self.edit,
                None,
                self.download,
                None,
                self.cut,
                self.copy,
                self.paste,
                self.copy_url,
                *_present(self.copy_internal_link),
                *_present(self.share_link),
                *_present(self.versions),
                None,
                self.rename,
                self.delete,
                None,
                self.lock,
                self.unlock,
                None,
                self.properties,
            ],
        )

    def folder_menu(self, parent: QWidget) -> QMenu:
        """The context menu of the empty part of the table: this folder."""
        return fill(
            QMenu(parent),
            [
                self.new_folder,
                self.upload,
                self.upload_folder,
                self.paste,
                None,
                self.refresh,
                self.properties,
            ],
        )

    def tree_menu(self, parent: QWidget) -> QMenu:
        """The context menu of a folder in the tree."""
        return fill(
            QMenu(parent),
            [
                self.new_folder,
                self.upload,
                self.paste,
                None,
                self.download,
                self.copy,
                self.cut,
                self.delete,
                None,
                self.properties,
            ],
        )


def _present(action: QAction | None) -> list[QAction]:
    """An action that only some servers have, as menu items: none where it is None."""
    return [action] if action is not None else []


def fill(widget: MenuOrBar, items: Sequence[QAction | None]) -> MenuOrBar:
    """Add actions in order; None is a separator."""
    for action in items:
        if action is None:
            widget.addSeparator()
        else:
            widget.addAction(action)
    return widget
