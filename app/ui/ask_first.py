"""The window's operations that ask the user first: a new folder's name, whether to delete,
which files to upload, where to download.

The questions themselves are prompts.py's and Qt's file dialogs; this is what
asks them of the window's targets (targets.py) and starts the operation with
the answer. The file dialogs open where the user last took files from or put
them, kept in the window's state mapping under LOCAL_FOLDER.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QWidget

from app.ui import prompts
from app.ui.operations import Operations
from app.ui.targets import Targets

#: The state mapping's key for the local folder the file dialogs open in.
LOCAL_FOLDER = "local_folder"


class AskFirst:
    def __init__(
        self,
        window: QWidget,
        operations: Operations,
        targets: Targets,
        state: MutableMapping[str, Any],
        confirm_delete: Callable[[], bool],
    ) -> None:
        """confirm_delete: whether a delete asks first (the preference, read each time)."""
        self._window = window
        self._operations = operations
        self._targets = targets
        self._state = state
        self._confirm_delete = confirm_delete

    def new_folder(self) -> None:
        folder = self._targets.folder()
        name = prompts.folder_name(self._window, folder)
        if name:
            self._operations.new_folder(folder, name)

    def delete(self) -> None:
        targets = self._targets.resources()
        if targets and (
            not self._confirm_delete() or prompts.confirm_delete(self._window, targets)
        ):
            self._operations.delete(targets)

    def _local_folder(self) -> str:
        """Where the file dialogs open: where the user last took files from or put them."""
        return str(self._state.get(LOCAL_FOLDER, ""))

    def upload_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self._window, "Upload Files", self._local_folder())
        if files:
            self._state[LOCAL_FOLDER] = str(Path(files[0]).parent)
            self._operations.upload([Path(f) for f in files], self._targets.folder())

    def upload_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self._window, "Upload Folder", self._local_folder()
        )
        if folder:
            self._state[LOCAL_FOLDER] = str(Path(folder).parent)
            self._operations.upload([Path(folder)], self._targets.folder())

    def download(self) -> None:
        targets = self._targets.resources()
        if not targets:
            return
        folder = QFileDialog.getExistingDirectory(self._window, "Download To", self._local_folder())
        if folder:
            self._state[LOCAL_FOLDER] = folder
            self._operations.download(targets, Path(folder))
