"""The tray icon: background sync at a glance, and the few things to do without a window.

Its icon says idle, syncing, error, paused, or that files wait for the user
(conflict copies, files not synced: an orange badge; red is for a pair that
cannot sync) for all pairs together; its tooltip says it in words, pair by
pair, and its menu's first line which pair needs a look, the conflicts
counted. Its menu: Open Davdesk, Sync Now, Pause All / Resume All, Quit. A
click on the icon opens Davdesk, as on every desktop. Notifications
(showMessage) are for what needs the user: new conflict copies, files the
sync newly will not touch (a name the server refuses...) and a pair that
stopped on an error, never for each file synced.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from app.config.pairs import SavedPair
from app.sync.background.status import printable
from app.ui.held_deletes import delete_text
from app.ui.sync_icons import tray_icon
from app.ui.sync_service import Overall, SyncService

log = logging.getLogger(__name__)

_WORDS = {
    Overall.IDLE: "up to date",
    Overall.SYNCING: "syncing",
    Overall.ERROR: "needs attention",
    Overall.ATTENTION: "some files need a look",
    Overall.PAUSED: "paused",
}
#: The longest list of names a notification spells out; more are counted.
_NAMES_SHOWN = 3


class Tray(QObject):
    open_requested = Signal()  # Open Davdesk, or a click on the icon
    quit_requested = Signal()
    notified = Signal(str, str)  # title, text: a notification was given

    def __init__(self, service: SyncService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self.icon = QSystemTrayIcon(self)
        self.icon.setObjectName("trayIcon")
        self.menu = QMenu()  # no parent widget: the tray's menu belongs to no window
        self.menu.setObjectName("trayMenu")
        self.status_action = QAction(self.menu)  # what the icon says, in words
        self.status_action.setObjectName("trayStatus")
        self.status_action.setEnabled(False)
        self.menu.addAction(self.status_action)
        self.menu.addSeparator()
        self.open_action = self._add("trayOpen", "&Open Davdesk", self.open_requested.emit)
        self.menu.addSeparator()
        self.sync_action = self._add("traySyncNow", "&Sync Now", lambda: service.sync_now())
        self.pause_action = self._add("trayPauseAll", "&Pause All", self._toggle_pause)
        self.menu.addSeparator()
        self.quit_action = self._add("trayQuit", "&Quit Davdesk", self.quit_requested.emit)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        service.changed.connect(self.update)
        service.conflicts_found.connect(self._conflicts)
        service.pair_stopped.connect(self._stopped)
        service.files_refused.connect(self._refused)
        self.update()

    def _add(self, name: str, text: str, slot: object) -> QAction:
        action = QAction(text, self.menu)
        action.setObjectName(name)
        action.triggered.connect(slot)
        self.menu.addAction(action)
        return action

    @property
    def state(self) -> Overall:
        return self._service.overall()

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def close(self) -> None:
        """Gone from the tray for good (the program ends)."""
        self.icon.hide()
        # Qt takes nullptr here (no menu); PySide6's stub says a QMenu is required.
        self.icon.setContextMenu(None)  # type: ignore[arg-type]

    def update(self) -> None:
        """Icon, tooltip and menu after any change of a pair or its state."""
        service = self._service
        overall = service.overall()
        self.icon.setIcon(tray_icon(overall))
        waiting = _waiting_files(service) if overall == Overall.ATTENTION else ""
        lines = [f"Davdesk: {waiting or _WORDS[overall]}"]
        for pair in service.pairs:
            status = service.status(pair.name)
            text = "paused" if pair.paused else status.text if status else "starting"
            lines.append(f"{pair.name}: {text}")
        if not service.pairs:
            lines.append("No folders are synced")
        self.icon.setToolTip("\n".join(lines))
        self.status_action.setText(_summary(service))
        paused = service.all_paused
        self.pause_action.setText("&Resume All" if paused else "&Pause All")
        self.pause_action.setEnabled(bool(service.pairs))
        self.sync_action.setEnabled(service.active)

    def _toggle_pause(self) -> None:
        self._service.set_all_paused(not self._service.all_paused)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.open_requested.emit()

    def notify(
        self,
        title: str,
        text: str,
        kind: QSystemTrayIcon.MessageIcon = QSystemTrayIcon.MessageIcon.Information,
    ) -> None:
        log.info("Notification: %s: %s", title, text)
        if self.icon.isVisible() and QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(title, text, kind)
        self.notified.emit(title, text)

    def _conflicts(self, pair: SavedPair, paths: tuple[str, ...]) -> None:
        count = len(paths)
        shown = ", ".join(map(printable, paths[:_NAMES_SHOWN])) + (
            f" and {count - _NAMES_SHOWN} more" if count > _NAMES_SHOWN else ""
        )
        self.notify(
            f"{pair.name}: {count} conflict{'s' if count != 1 else ''}",
            f"Changed on both sides; both versions were kept: {shown}",
            QSystemTrayIcon.MessageIcon.Warning,
        )

    def _refused(self, pair: SavedPair, refused: tuple[tuple[str, str], ...]) -> None:
        for path, why in refused:
            if not path:  # the pair's folder itself: the deletes held back (app/sync/guard.py)
                status = self._service.status(pair.name)
                side = status.held if status is not None and status.held else "local"
                said = why.partition(";")[0]
                self.notify(
                    f"{pair.name}: deletes held back",
                    f"{said[:1].upper()}{said[1:]}. Choose {delete_text(side)} or Restore "
                    "Files in the Sync panel.",
                    QSystemTrayIcon.MessageIcon.Warning,
                )
        refused = tuple(r for r in refused if r[0])
        if not refused:
            return
        count = len(refused)
        shown = "; ".join(f"{printable(path)} ({why})" for path, why in refused[:_NAMES_SHOWN]) + (
            f"; and {count - _NAMES_SHOWN} more" if count > _NAMES_SHOWN else ""
        )
        self.notify(
            f"{pair.name}: {count} file{'s' if count != 1 else ''} not synced",
            f"The sync leaves {'them' if count != 1 else 'it'} alone until you rename, move or "
            f"delete {'them' if count != 1 else 'it'}: {shown}",
            QSystemTrayIcon.MessageIcon.Warning,
        )

    def _stopped(self, pair: SavedPair, reason: str) -> None:
        self.notify(f"{pair.name} stopped syncing", reason, QSystemTrayIcon.MessageIcon.Critical)


def _summary(service: SyncService) -> str:
    """The menu's first line: all well, or which pair needs a look and why."""
    if not service.pairs:
        return "No folders are synced"
    overall = service.overall()
    if overall == Overall.PAUSED:
        return "Syncing is paused"
    troubled = [
        (p.name, s.text)
        for p in service.pairs
        if not p.paused
        and (s := service.status(p.name)) is not None
        and s.state.value in ("waiting", "error", "conflicts", "attention")
    ]
    if len(troubled) == 1:
        return f"{troubled[0][0]}: {troubled[0][1]}"
    if troubled:
        waiting = _waiting_files(service)
        return f"{len(troubled)} folders need a look" + (f": {waiting}" if waiting else "")
    if overall == Overall.SYNCING:
        return "Syncing…"
    return "All folders are up to date"


def _waiting_files(service: SyncService) -> str:
    """What waits for the user in the pairs that are not paused, counted in words: "2
    conflicts", "1 conflict, 3 files not synced, deletes held back"; "" when nothing does."""
    statuses = [
        s for p in service.pairs if not p.paused and (s := service.status(p.name)) is not None
    ]
    conflicts = sum(s.conflicts for s in statuses)
    # A refusal of the pair's folder itself ("") is the deletes its guard holds back.
    refused = sum(1 for s in statuses for path, _ in s.refused if path)
    held = any(not path for s in statuses for path, _ in s.refused)
    counted = []
    if conflicts:
        counted.append(f"{conflicts} conflict{'s' if conflicts != 1 else ''}")
    if refused:
        counted.append(f"{refused} file{'s' if refused != 1 else ''} not synced")
    if held:
        counted.append("deletes held back")
    return ", ".join(counted)
