"""Versions…: a Nextcloud file's earlier versions, to download or restore.

The list is read on the pool (app.nextcloud.versions). Download and Restore run
as jobs of the window, so their Outcomes land in the results pane like every
other; the list is read again when a restore has ended (the restored version
leaves it, and the content it replaced joins it).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.dav import DavClient, Resource
from app.dav.paths import parent
from app.jobs.conflict import Conflict
from app.jobs.model import Job, Op, Task, TaskResult
from app.jobs.planner import plan_download_as
from app.nextcloud import versions
from app.nextcloud.account import NextcloudAccount
from app.ui.background import Background
from app.ui.messages import readable
from app.ui.models.file_table import human_size
from app.ui.operations import Operations


def choose_target(window: QWidget, name: str) -> Path | None:
    """Where to save a downloaded version, or None."""
    chosen, _ = QFileDialog.getSaveFileName(window, "Download Version", name)
    return Path(chosen) if chosen else None


class VersionsDialog(QDialog):
    def __init__(
        self,
        client: DavClient,
        background: Background,
        operations: Operations,
        account: NextcloudAccount,
        resource: Resource,
        parent_widget: QWidget | None = None,
    ) -> None:
        super().__init__(parent_widget)
        self.setObjectName("versionsDialog")
        self.setWindowTitle(f"Versions of “{resource.name}”")
        self._client = client
        self._background = background
        self._operations = operations
        self._account = account
        self._resource = resource
        self.versions: list[versions.Version] = []
        self.loading = True
        self._note = ""  # what the last restore did, said above the count after listing

        self.list = QTreeWidget(self)
        self.list.setObjectName("versionList")
        self.list.setHeaderLabels(["Saved", "Size", "Author", "Label"])
        self.list.setRootIsDecorated(False)
        self.list.setColumnWidth(0, 180)
        self.status = QLabel("Listing the versions…", self)
        self.status.setObjectName("versionsStatus")
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.download_button = QPushButton("Download…", self)
        self.download_button.setObjectName("downloadVersion")
        self.restore_button = QPushButton("Restore", self)
        self.restore_button.setObjectName("restoreVersion")
        for button in (self.download_button, self.restore_button):
            button.setAutoDefault(False)
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.download_button.clicked.connect(self.download)
        self.restore_button.clicked.connect(self.restore)
        self.list.itemSelectionChanged.connect(self._enable)

        layout = QVBoxLayout(self)
        heading = QLabel(
            f"Earlier versions of <b>{resource.name}</b>. Restoring one keeps "
            "the current content as a version too.",
            self,
        )
        heading.setWordWrap(True)
        layout.addWidget(heading)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.setMinimumSize(520, 320)
        self.resize(620, 400)
        self._enable()
        self.reload()

    def reload(self) -> None:
        self.loading = True
        self._enable()
        self._background.submit(
            lambda: versions.list_versions(self._client, self._account, self._resource),
            self._listed,
        )

    def _listed(self, found: list[versions.Version] | None, error: BaseException | None) -> None:
        self.loading = False
        self.list.clear()
        if error is not None or found is None:
            self.status.setText(f"Could not list the versions: {readable(error) if error else ''}")
            self._enable()
            return
        self.versions = found
        for version in found:
            when = (
                version.modified.astimezone().strftime("%Y-%m-%d %H:%M:%S")
                if version.modified
                else version.name
            )
            item = QTreeWidgetItem([when, human_size(version.size), version.author, version.label])
            item.setData(0, Qt.ItemDataRole.UserRole, version.name)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.list.addTopLevelItem(item)
        first = self.list.topLevelItem(0)
        if first is not None:
            self.list.setCurrentItem(first)
        count = len(found)
        self.status.setText(
            self._note
            + (
                f"{count} earlier version{'s' if count != 1 else ''}."
                if count
                else "No earlier versions: the file has not been changed since it was uploaded, "
                "or the server keeps none."
            )
        )
        self._note = ""
        self._enable()

    def current(self) -> versions.Version | None:
        item = self.list.currentItem()
        name = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return next((v for v in self.versions if v.name == name), None)

    def _enable(self) -> None:
        chosen = not self.loading and self.current() is not None
        self.download_button.setEnabled(chosen)
        self.restore_button.setEnabled(chosen)

    def download(self) -> None:
        version = self.current()
        if version is None:
            return
        local = choose_target(self, self._resource.name)
        if local is None:
            return
        # The user chose the name in a save dialog, which asked about replacing a file.
        job = plan_download_as(version.resource, local, Conflict.OVERWRITE)
        self._operations.start_job(
            f"Download version of {self._resource.name}", Job(job.name, job.stages), []
        )
        self.status.setText(f"Downloading to {local}: see the results pane.")

    def restore(self) -> None:
        version = self.current()
        if version is None:
            return
        task = Task(
            Op.RESTORE, version.resource.path, destination=versions.restore_target(self._account)
        )
        self._operations.start_job(
            f"Restore version of {self._resource.name}",
            Job(f"Restore {self._resource.name}", ((task,),)),
            [parent(self._resource.path)],
            on_result=self._restored,
        )
        self.status.setText("Restoring…")

    def _restored(self, result: TaskResult) -> None:
        self._note = (
            "Restored; the content it replaced is a version now. "
            if result.ok
            else "The restore failed: see the results pane. "
        )
        self.reload()
