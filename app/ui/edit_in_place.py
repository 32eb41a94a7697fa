"""Open and Edit: a server file in the desktop's application, its saves sent back.

Open downloads the file into the connection's cache folder (app.jobs.local_copies;
the copy is reused while the server's ETag is unchanged) and hands it to the
desktop (QDesktopServices: xdg-open on Linux). Edit does the same and then
watches the copy (app.jobs.file_watch): each save is uploaded as a job, with
If-Match on the ETag the copy was made from, its Outcome in the results pane like
any other. A save made while an upload runs is uploaded after it. When the
server's file changed meanwhile the upload is a conflict: nothing is
overwritten, and the user chooses Overwrite, Save as a Copy (next to it, under
a free name) or Download Theirs (the server's version replaces the copy).

Downloads, uploads and every look at the disk run on the pool or in jobs; the
GUI thread only keeps which copies are being edited and which hold edits the
server has not got, so that closing the window can name them without a look.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

from app.dav import DavClient, Resource
from app.dav.outcome import OutcomeClass
from app.dav.paths import parent
from app.jobs.file_watch import FileWatch
from app.jobs.local_copies import (
    LocalCopies,
    LocalCopy,
    OpenPlan,
    Stamp,
    after_upload,
    download_theirs_job,
    plan_open,
    save_as_copy_job,
    server_has_copy,
    stamp_of,
    upload_job,
)
from app.jobs.model import Job, TaskResult
from app.ui.background import Background
from app.ui.messages import readable
from app.ui.operations import Operations

#: Qt platforms with no desktop services: there xdg-open is run directly.
_NO_DESKTOP = frozenset({"offscreen", "minimal"})
OVERWRITE, SAVE_AS_COPY, DOWNLOAD_THEIRS = "overwrite", "copy", "theirs"


def open_with_desktop(path: Path) -> bool:
    """Hand a local file to the application the desktop opens it with."""
    if QGuiApplication.platformName() in _NO_DESKTOP:
        opener = shutil.which("xdg-open")
        if not opener:
            return False
        return QProcess.startDetached(opener, [str(path)])[0]
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def choose_conflict(window: QWidget, copy: LocalCopy) -> str | None:
    """What to do with an edit the server's changed file would be lost to; None: decide later."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Changed on the server",
        f"“{copy.name}” was changed on the server while you edited it.",
        QMessageBox.StandardButton.Cancel,
        window,
    )
    box.setObjectName("editConflict")
    box.setInformativeText(
        "Nothing was overwritten; your edit is in\n"
        f"{copy.local}\n\nOverwrite replaces the server's version with yours. Save as a Copy "
        "puts yours next to it under a new name. Download Theirs replaces your copy with the "
        "server's version: your edit is lost."
    )
    role = QMessageBox.ButtonRole
    choices: dict[QAbstractButton, str] = {
        box.addButton("Overwrite", role.DestructiveRole): OVERWRITE,
        box.addButton("Save as a Copy", role.AcceptRole): SAVE_AS_COPY,
        box.addButton("Download Theirs", role.DestructiveRole): DOWNLOAD_THEIRS,
    }
    box.button(QMessageBox.StandardButton.Cancel).setText("Later")
    box.exec()
    return choices.get(box.clickedButton())


def confirm_close(window: QWidget, unsent: Sequence[str], folder: Path) -> bool:
    """Closing with edits the server has not got: say which, and where they stay."""
    shown = "\n".join(unsent[:8]) + (f"\n… and {len(unsent) - 8} more" if len(unsent) > 8 else "")
    answer = QMessageBox.question(
        window,
        "Edits not on the server",
        f"These edits are not on the server yet:\n\n{shown}\n\nThey stay on this computer in "
        f"{folder}; editing a file again sends them. Close anyway?",
    )
    return answer == QMessageBox.StandardButton.Yes


class EditInPlace(QObject):
    message = Signal(str)
    _saved = Signal(object)  # a watched copy's path, from the watch's thread

    def __init__(
        self,
        client: DavClient,
        background: Background,
        operations: Operations,
        copies: LocalCopies,
        window: QWidget,
        opener: Callable[[Path], bool] = open_with_desktop,
    ) -> None:
        super().__init__(window)
        self._client = client
        self._background = background
        self._operations = operations
        self._window = window
        self._open_file = opener
        self.copies = copies
        self._edited: dict[Path, LocalCopy] = {}
        self._uploading: set[Path] = set()
        self._conflicts: set[Path] = set()
        #: Server paths whose edits are not (known to be) on the server.
        self.unsent: set[str] = set()
        self._saved.connect(self._copy_saved)
        self._watch = FileWatch(self._saved.emit)
        background.submit(copies.prune, lambda _, __: None)

    def close(self) -> None:
        self._watch.stop()

    # -- Open and Edit --------------------------------------------------------------------

    def open(self, resources: Sequence[Resource], *, edit: bool = False) -> None:
        for resource in resources:
            if resource.is_dir:
                continue
            self._background.submit(
                partial(plan_open, self._client, self.copies, resource.path),
                partial(self._planned, resource.name, edit=edit),
            )

    def _planned(
        self, name: str, plan: OpenPlan | None, error: BaseException | None, edit: bool
    ) -> None:
        if error is not None or plan is None:
            self.message.emit(f"Cannot open {name}: {readable(error) if error else 'not found'}")
            return
        if plan.job is None:
            self._background.submit(
                lambda: self.copies.get(plan.resource.path),
                lambda copy, _: self._ready(copy, edit, plan.kept_edits),
            )
            return

        def downloaded(result: TaskResult) -> None:
            if result.ok:
                etag = result.outcomes[0].etag
                self._background.submit(
                    lambda: self.copies.downloaded(plan.resource, plan.local, etag),
                    lambda copy, _: self._ready(copy, edit, False),
                )

        self._start(plan.job, [], downloaded)

    def _ready(self, copy: LocalCopy | None, edit: bool, kept_edits: bool) -> None:
        if copy is None:
            return
        if edit:
            self._edited[copy.local] = copy
            self._watch.watch(copy.local, copy.synced)
        if kept_edits:
            self.unsent.add(copy.remote)
            self.message.emit(
                f"{copy.name}: your earlier edits are not on the server yet; "
                + ("they are sent now" if edit else "opened with them")
            )
            if edit:
                self._copy_saved(copy.local)
        if not self._open_file(copy.local):
            self.message.emit(f"No application opens {copy.name}; it is in {copy.local}")

    # -- saves ------------------------------------------------------------------------------

    def _copy_saved(self, local: Path) -> None:
        copy = self._edited.get(local)
        if copy is None or local in self._conflicts:
            return
        self.unsent.add(copy.remote)
        if local in self._uploading:
            return  # looked at again when that upload ends
        self._upload(copy, lambda: upload_job(copy))

    def _upload(self, copy: LocalCopy, make: Callable[[], Job], *, forced: bool = False) -> None:
        """Plan (on the pool) and run an upload of the copy as it is now."""
        self._uploading.add(copy.local)

        def plan() -> tuple[Stamp | None, Job | None]:
            if not forced and not copy.unsent():
                return None, None
            return stamp_of(copy.local), make()

        def planned(
            result: tuple[Stamp | None, Job | None] | None, error: BaseException | None
        ) -> None:
            sent, job = result or (None, None)
            if job is None:
                self._uploading.discard(copy.local)
                if error is not None:
                    self.message.emit(f"Cannot send {copy.name}: {readable(error)}")
                else:
                    self.unsent.discard(copy.remote)
                return
            self._start(
                job,
                [parent(job.tasks[0].remote)],
                lambda result: self._uploaded(copy, sent, result),
            )

        self._background.submit(plan, planned)

    def _uploaded(self, copy: LocalCopy, sent: Stamp | None, result: TaskResult) -> None:
        outcome = result.outcomes[0]
        if not result.ok:
            if outcome.outcome_class is OutcomeClass.CONFLICT:
                # Still busy with it until the look at the server's file has answered.
                self._conflicts.add(copy.local)
                self._background.submit(
                    lambda: server_has_copy(self._client, copy),
                    lambda same, _: self._conflicted(copy, sent, same),
                )
            else:
                self._uploading.discard(copy.local)
            return

        def record() -> tuple[str, LocalCopy, bool]:
            recorded = after_upload(self._client, self.copies, copy, sent, outcome)
            return copy.remote, recorded, recorded.unsent()

        self._background.submit(record, self._recorded)

    def _recorded(
        self, result: tuple[str, LocalCopy, bool] | None, error: BaseException | None
    ) -> None:
        if result is None:
            self.message.emit(f"Sent, but not recorded here: {readable(error) if error else ''}")
            return
        before, copy, changed_again = result
        self.unsent.discard(before)  # saved as a copy: the edit now belongs to the new file
        self._edited[copy.local] = copy
        self._uploading.discard(copy.local)
        if changed_again:
            self._copy_saved(copy.local)

    # -- conflicts --------------------------------------------------------------------------

    def _conflicted(self, copy: LocalCopy, sent: Stamp | None, same: Resource | None) -> None:
        """A 412: a conflict, unless the server already has this very edit."""
        if same is None:
            self._uploading.discard(copy.local)
            self._resolve(copy)
            return
        self._conflicts.discard(copy.local)
        self._background.submit(
            lambda: (copy.remote, self.copies.uploaded(copy, sent, same, same.etag), False),
            self._recorded,
        )

    def _resolve(self, copy: LocalCopy) -> None:
        choice = choose_conflict(self._window, copy)
        if choice is None:
            self.message.emit(f"{copy.name}: your edit stays in {copy.local} until you choose")
            return
        self._conflicts.discard(copy.local)
        if choice == OVERWRITE:
            self._upload(
                copy, lambda: upload_job(copy, self._client.stat(copy.remote).etag), forced=True
            )
        elif choice == SAVE_AS_COPY:
            self._upload(copy, lambda: save_as_copy_job(self._client, copy), forced=True)
        else:
            self._download_theirs(copy)

    def _download_theirs(self, copy: LocalCopy) -> None:
        self._watch.unwatch(copy.local)

        def planned(result: tuple[Resource, Job] | None, error: BaseException | None) -> None:
            if result is None:
                why = readable(error) if error else "not found"
                self.message.emit(f"Cannot download {copy.name}: {why}")
                return
            resource, job = result

            def downloaded(task: TaskResult) -> None:
                if task.ok:
                    etag = task.outcomes[0].etag
                    self._background.submit(
                        lambda: self.copies.downloaded(resource, copy.local, etag),
                        lambda fresh, _: self._theirs_kept(fresh),
                    )

            self._start(job, [], downloaded)

        self._background.submit(lambda: download_theirs_job(self._client, copy), planned)

    def _theirs_kept(self, copy: LocalCopy | None) -> None:
        if copy is None:
            return
        self.unsent.discard(copy.remote)
        self._edited[copy.local] = copy
        self._watch.watch(copy.local, copy.synced)

    def _start(self, job: Job, changed: list[str], on_result: Callable[[TaskResult], None]) -> None:
        self._operations.start_job(job.name, job, changed, on_result=on_result)

    # -- closing ----------------------------------------------------------------------------

    def may_close(self) -> bool:
        """Whether the window may close: yes, unless edits are unsent and the user says wait."""
        if not self.unsent:
            return True
        return confirm_close(self._window, sorted(self.unsent), self.copies.folder)
