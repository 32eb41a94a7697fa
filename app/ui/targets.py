"""What the window's operations act on, and whether the server lets the user do it.

The tree's folder while its context menu is open or the tree has the focus
(tree_focus.py), else the table's selected rows; new folders, uploads and
pastes go into the tree's folder or the one shown. What oc:permissions grant
(permissions.py) is read from the rows the table listed: a folder of the
tree that the table shows is taken as the table listed it.
"""

from __future__ import annotations

from app.dav import Resource
from app.dav.paths import basename, parent, same_resource
from app.ui.browser import Browser
from app.ui.file_view import FileTableView
from app.ui.models.file_table import FileTableModel
from app.ui.models.listing_cache import as_resource
from app.ui.permissions import allows
from app.ui.tree_focus import TreeFocus


class Targets:
    def __init__(
        self,
        table: FileTableView,
        table_model: FileTableModel,
        tree_focus: TreeFocus,
        browser: Browser,
    ) -> None:
        self._table = table
        self._table_model = table_model
        self._tree_focus = tree_focus
        self._browser = browser
        #: The tree's folder while its context menu is open (the window sets and clears it).
        self.context_folder: Resource | None = None

    @property
    def in_tree(self) -> bool:
        """The targets are the tree's folder (its menu is open, or it has the focus)."""
        return self.context_folder is not None or self._tree_focus.active

    def resources(self) -> list[Resource]:
        """The tree's folder while its menu is open or it has the focus, else the table's rows."""
        if self.context_folder is not None:
            return [self.context_folder]
        if self._tree_focus.active:
            folder = self._tree_focus.folder()
            return [self.known_folder(folder)] if folder else []
        return self._table.selected_resources()

    def folder(self) -> str:
        """Where New Folder, Upload and Paste put things: the tree's folder, or the one shown."""
        return self.context_folder.path if self.context_folder else self._browser.current

    def count(self) -> int:
        """How many targets, counted, not listed: building 100,000 Resources on every click of
        Ctrl+A would show."""
        if self.context_folder is not None:
            return 1
        if self._tree_focus.active:
            return 1 if self._tree_focus.folder() else 0
        return self._table.selected_count()

    def allow(self, letters: str) -> bool:
        """Whether the server grants these permission letters on every target."""
        if self.in_tree:
            return all(target.allows(letters) for target in self.resources())
        return self._table.selection_allows(letters)

    def folder_allows(self, letters: str) -> bool:
        """What the folder that New Folder, Upload and Paste act on grants: the one shown, or
        the tree's folder (its letters known when it is listed in the table)."""
        folder = self.context_folder
        if folder is None or same_resource(folder.path, self._browser.current):
            return allows(self._browser.permissions, letters)
        return folder.allows(letters)

    def known_folder(self, path: str) -> Resource:
        """A tree folder as the table listed it (with its permissions) where it is shown there."""
        if same_resource(parent(path), self._browser.current):
            row = self._table_model.row_of(basename(path))
            if row >= 0:
                return as_resource(self._table_model.rows[row])
        return folder_at(path)


def folder_at(path: str) -> Resource:
    """A folder known only by its path (the tree's, or the one shown) as a target."""
    return Resource(path, True, None, None, None, None)
