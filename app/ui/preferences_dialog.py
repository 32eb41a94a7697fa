"""Preferences: transfers, conflicts, the file list, the results pane, background sync.

Each setting says what it does beside it. Start at login is read from and
written to the desktop's own autostart place (on a pool thread: it is disk
or registry I/O); keeping modification times is a choice of the bookmark the
window shows, as it costs a request per file on servers without X-OC-Mtime.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.config.autostart import Autostart
from app.config.preferences import MAX_PARALLEL, Preferences
from app.jobs.conflict import Conflict
from app.ui.background import Background

CONFLICT_CHOICES = (
    (Conflict.ASK, "Ask each time"),
    (Conflict.NEWER, "Overwrite if newer"),
    (Conflict.DIFFERENT, "Overwrite if size or date differ"),
    (Conflict.OVERWRITE, "Overwrite"),
    (Conflict.SKIP, "Skip"),
    (Conflict.RENAME, "Keep both"),
)


def _spin(low: int, high: int, value: int, suffix: str = "", special: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    if suffix:
        box.setSuffix(suffix)
    if special:
        box.setSpecialValueText(special)  # shown at the minimum: "No limit"
    return box


class PreferencesDialog(QDialog):
    """Edits a Preferences; chosen() once accepted. keep_mtime: the bookmark's choice, or None
    when the window has no bookmark (its row is then not shown)."""

    def __init__(
        self,
        preferences: Preferences,
        background: Background,
        autostart: Autostart | None,
        keep_mtime: bool | None,
        bookmark_name: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self._background = background
        self._autostart = autostart
        self._start_at_login_was: bool | None = None
        p = preferences

        self.parallel = _spin(1, MAX_PARALLEL, p.parallel_transfers, " at once")
        self.upload_limit = _spin(0, 10_000_000, p.upload_limit, " KiB/s", "No limit")
        self.download_limit = _spin(0, 10_000_000, p.download_limit, " KiB/s", "No limit")
        self.conflict = QComboBox()
        for choice, text in CONFLICT_CHOICES:
            self.conflict.addItem(text, choice)
        self.conflict.setCurrentIndex(self.conflict.findData(p.conflict))
        self.keep_mtime = QCheckBox(
            "Keep modification times of uploads"
            + (f" on “{bookmark_name}”" if bookmark_name else "")
        )
        self.keep_mtime.setToolTip(
            "Nextcloud and ownCloud keep them anyway; other servers "
            "need one more request per file (a PROPPATCH)"
        )
        self.keep_mtime.setChecked(bool(keep_mtime))
        self.keep_mtime.setVisible(keep_mtime is not None)
        self.show_hidden = QCheckBox("Show hidden files (names starting with a dot)")
        self.show_hidden.setChecked(p.show_hidden)
        self.confirm_delete = QCheckBox("Ask before deleting on the server")
        self.confirm_delete.setChecked(p.confirm_delete)
        self.results_kept = _spin(1, 10_000, p.results_kept, " finished jobs")
        self.start_at_login = QCheckBox("Start Davdesk at login, to keep folders in sync")
        self.start_at_login.setEnabled(False)  # until the desktop said whether it does
        self.poll = _spin(5, 86_400, p.sync_poll_seconds, " s")
        self.full_scan = _spin(1, 1440, p.sync_full_scan_minutes, " min")

        def group(title: str, rows: list[tuple[str, QWidget]]) -> QGroupBox:
            box = QGroupBox(title)
            form = QFormLayout(box)
            for label, widget in rows:
                if label:
                    form.addRow(label, widget)
                else:
                    form.addRow(widget)
            return box

        transfers = group(
            "Transfers",
            [
                ("Parallel transfers:", self.parallel),
                ("Upload limit:", self.upload_limit),
                ("Download limit:", self.download_limit),
                ("When a file exists:", self.conflict),
                ("", self.keep_mtime),
            ],
        )
        window = group(
            "Window",
            [
                ("", self.show_hidden),
                ("", self.confirm_delete),
                ("Results kept:", self.results_kept),
            ],
        )
        note = QLabel(
            "A full scan is for servers whose folders do not show that something "
            "inside them changed. The intervals apply from Davdesk's next start."
        )
        note.setWordWrap(True)
        note.setEnabled(False)
        sync = group(
            "Background sync",
            [
                ("", self.start_at_login),
                ("Look for changes every:", self.poll),
                ("Full scan every:", self.full_scan),
                ("", note),
            ],
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for box in (transfers, window, sync):
            layout.addWidget(box)
        layout.addWidget(buttons)
        if autostart is not None:
            background.submit(autostart.enabled, self._autostart_known)
        else:
            self.start_at_login.setToolTip("Not available on this system")

    def _autostart_known(self, enabled: bool | None, error: BaseException | None) -> None:
        if not shiboken6.isValid(self.start_at_login):
            return  # the dialog closed before the answer came
        if error is not None:
            self.start_at_login.setToolTip(f"Cannot tell: {error}")
            return
        self._start_at_login_was = bool(enabled)
        self.start_at_login.setChecked(bool(enabled))
        self.start_at_login.setEnabled(True)

    def chosen(self) -> Preferences:
        return Preferences(
            parallel_transfers=self.parallel.value(),
            upload_limit=self.upload_limit.value(),
            download_limit=self.download_limit.value(),
            conflict=Conflict(self.conflict.currentData()),
            show_hidden=self.show_hidden.isChecked(),
            confirm_delete=self.confirm_delete.isChecked(),
            results_kept=self.results_kept.value(),
            sync_poll_seconds=self.poll.value(),
            sync_full_scan_minutes=self.full_scan.value(),
        )

    def apply_start_at_login(self, done: Callable[[BaseException | None], None]) -> None:
        """Switch start at login if the user changed it (on a pool thread)."""
        wanted = self.start_at_login.isChecked()
        autostart = self._autostart
        if (
            autostart is None
            or self._start_at_login_was is None
            or wanted == self._start_at_login_was
        ):
            return
        self._background.submit(
            autostart.enable if wanted else autostart.disable, lambda _, error: done(error)
        )
