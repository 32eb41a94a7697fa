"""Sharing on a Nextcloud: public links of one item, made, shown, copied, changed, deleted.

The same panel is the Share Link… dialog and the Sharing tab of the properties
dialog. It reads the server's sharing rules (capabilities) and the item's shares
on the pool; what the rules or the item's oc:permissions forbid is greyed out
with the reason in words, and what the server still refuses is shown in its own
words. Every request runs on the pool: the GUI thread only shows answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.dav import DavClient, Resource
from app.nextcloud import shares
from app.nextcloud.account import NextcloudAccount
from app.nextcloud.ocs import OcsError
from app.ui.background import Background
from app.ui.messages import readable

_ACCESS_FILE = [("Read only", "read"), ("Can edit", "edit")]
_ACCESS_FOLDER = [
    ("Read only", "read"),
    ("Upload and edit", "upload"),
    ("Upload only (file drop)", "drop"),
]


def in_words(error: BaseException) -> str:
    """The server's own message for an OCS refusal, else the usual words."""
    if isinstance(error, OcsError):
        return str(error).rpartition(": ")[2]
    return readable(error)


class SharingPanel(QWidget):
    def __init__(
        self,
        client: DavClient,
        background: Background,
        account: NextcloudAccount,
        resource: Resource,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("sharingPanel")
        self._client = client
        self._background = background
        self._account = account
        self._resource = resource
        self.rules: shares.SharingRules | None = None
        self.shares: list[shares.Share] = []
        self.busy = True

        self.status = QLabel("Asking the server about sharing…", self)
        self.status.setObjectName("sharingStatus")
        self.status.setWordWrap(True)
        self.list = QTreeWidget(self)
        self.list.setObjectName("shareList")
        self.list.setHeaderLabels(["Link", "Access", "Expires", "Password"])
        self.list.setRootIsDecorated(False)
        self.list.setColumnWidth(0, 300)
        self.link = QLineEdit(self)
        self.link.setObjectName("shareLink")
        self.link.setReadOnly(True)
        self.link.setPlaceholderText("No link selected")
        self.copy_button = QPushButton("Copy Link", self)
        self.copy_button.setObjectName("copyShareLink")
        self.access = QComboBox(self)
        self.access.setObjectName("shareAccess")
        for text, value in _ACCESS_FOLDER if resource.is_dir else _ACCESS_FILE:
            self.access.addItem(text, value)
        self.use_password = QCheckBox("Protect with a password:", self)
        self.password = QLineEdit(self)
        self.password.setObjectName("sharePassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.use_expiry = QCheckBox("Expires after:", self)
        self.expiry = QDateEdit(QDate.currentDate().addDays(7), self)
        self.expiry.setObjectName("shareExpiry")
        self.expiry.setCalendarPopup(True)
        self.expiry.setDisplayFormat("yyyy-MM-dd")
        self.expiry.setMinimumDate(QDate.currentDate())
        self.create_button = QPushButton("Create Link", self)
        self.create_button.setObjectName("createShareLink")
        self.save_button = QPushButton("Save Changes", self)
        self.save_button.setObjectName("saveShare")
        self.delete_button = QPushButton("Delete Link", self)
        self.delete_button.setObjectName("deleteShare")

        form = QFormLayout()
        form.addRow("Access:", self.access)
        form.addRow(self.use_password, self.password)
        form.addRow(self.use_expiry, self.expiry)
        link_row = QHBoxLayout()
        link_row.addWidget(self.link, 1)
        link_row.addWidget(self.copy_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Public links to <b>{resource.name}</b>", self))
        layout.addWidget(self.list, 1)
        layout.addLayout(link_row)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)

        self.list.itemSelectionChanged.connect(self._selected)
        self.copy_button.clicked.connect(self.copy_link)
        self.create_button.clicked.connect(self.create_share)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.delete)
        self.use_password.toggled.connect(self._enable)
        self.use_expiry.toggled.connect(self._enable)
        self._enable()
        self.reload()

    # -- loading -------------------------------------------------------------------------

    def reload(self, select: str | None = None, note: str = "") -> None:
        self._run(
            lambda: (
                shares.sharing_rules(self._client, self._account),
                shares.list_shares(self._client, self._account, self._resource.path),
            ),
            lambda result: self._loaded(result, select, note),
        )

    def _loaded(
        self, result: tuple[shares.SharingRules, list[shares.Share]], select: str | None, note: str
    ) -> None:
        self.rules, found = result
        self.shares = [s for s in found if s.is_link]
        self.list.clear()
        for share in self.shares:
            item = QTreeWidgetItem(
                [
                    share.url or "",
                    share.access,
                    share.expiration.isoformat() if share.expiration else "never",
                    "yes" if share.has_password else "no",
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, share.id)
            self.list.addTopLevelItem(item)
            if share.id == select:
                self.list.setCurrentItem(item)
        first = self.list.topLevelItem(0)
        if select is None and first is not None:
            self.list.setCurrentItem(first)
        if self.rules.password_enforced:
            self.use_password.setChecked(True)
        if self.rules.expire_enforced:
            self.use_expiry.setChecked(True)
            if self.rules.expire_days:
                self.expiry.setMaximumDate(QDate.currentDate().addDays(self.rules.expire_days))
        count = len(self.shares)
        self.status.setText(
            note
            or self._why_not()
            or (f"{count} link{'s' if count != 1 else ''}." if count else "Not shared by link yet.")
        )
        self._enable()

    def _why_not(self) -> str:
        if self.rules is not None and not self.rules.links:
            return "The server does not allow public links."
        if not self._resource.allows("R"):
            return "The server does not let your account share this item."
        return ""

    # -- what the form says ------------------------------------------------------------

    def _chosen(self) -> tuple[str | None, dt.date | None, str]:
        password = self.password.text() if self.use_password.isChecked() else None
        chosen = self.expiry.date()
        expire = (
            dt.date(chosen.year(), chosen.month(), chosen.day())
            if self.use_expiry.isChecked()
            else None
        )
        return password or None, expire, str(self.access.currentData())

    def current(self) -> shares.Share | None:
        item = self.list.currentItem()
        wanted = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return next((s for s in self.shares if s.id == wanted), None)

    def _selected(self) -> None:
        share = self.current()
        self.link.setText(share.url or "" if share else "")
        if share is not None:
            names = {
                "read only": "read",
                "upload and edit": "upload",
                "upload only (file drop)": "drop",
                "edit": "edit",
            }
            index = self.access.findData(names.get(share.access, "read"))
            self.access.setCurrentIndex(max(index, 0))
            self.use_expiry.setChecked(share.expiration is not None)
            if share.expiration is not None:
                self.expiry.setDate(
                    QDate(share.expiration.year, share.expiration.month, share.expiration.day)
                )
            self.use_password.setChecked(share.has_password)
            self.password.clear()
            self.password.setPlaceholderText("unchanged" if share.has_password else "")
        self._enable()

    def _enable(self) -> None:
        allowed = self.rules is not None and not self._why_not() and not self.busy
        selected = self.current() is not None
        self.create_button.setEnabled(allowed)
        self.save_button.setEnabled(allowed and selected)
        self.delete_button.setEnabled(not self.busy and selected)
        self.copy_button.setEnabled(bool(self.link.text()))
        enforced_password = self.rules is not None and self.rules.password_enforced
        enforced_expiry = self.rules is not None and self.rules.expire_enforced
        self.use_password.setEnabled(not enforced_password)
        self.use_expiry.setEnabled(not enforced_expiry)
        self.password.setEnabled(self.use_password.isChecked())
        self.expiry.setEnabled(self.use_expiry.isChecked())

    # -- actions -----------------------------------------------------------------------

    def copy_link(self) -> None:
        if self.link.text():
            QGuiApplication.clipboard().setText(self.link.text())
            self.status.setText("Link copied.")

    def create_share(self) -> None:  # not create(): that is QWidget's
        password, expire, access = self._chosen()
        assert self.rules is not None
        try:
            shares.check_link(
                self.rules, self._resource, password=password, expire=expire, access=access
            )
        except shares.SharingRefused as refused:
            self.status.setText(f"Cannot create the link: {refused}.")
            return
        self._run(
            lambda: shares.create_link(
                self._client,
                self._account,
                self._resource.path,
                password=password,
                expire=expire,
                access=access,
            ),
            lambda made: self._made(made, "Link created and copied."),
        )

    def _made(self, share: shares.Share, note: str) -> None:
        if share.url:
            QGuiApplication.clipboard().setText(share.url)
        self.reload(select=share.id, note=note)

    def save(self) -> None:
        share = self.current()
        if share is None:
            return
        password, expire, access = self._chosen()
        if self.use_password.isChecked() and not password and not share.has_password:
            self.status.setText("Type the password the link is to have.")
            return
        new_password = "" if not self.use_password.isChecked() else password
        self._run(
            lambda: shares.update_share(
                self._client,
                self._account,
                share.id,
                password=new_password,
                expire=expire if expire is not None else "",
                access=access,
            ),
            lambda changed: self.reload(select=changed.id, note="Link changed."),
        )

    def delete(self) -> None:
        share = self.current()
        if share is None:
            return
        self._run(
            lambda: shares.delete_share(self._client, self._account, share.id),
            lambda _: self.reload(note="Link deleted: it no longer opens anything."),
        )

    def _run(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        self.busy = True
        self._enable()

        def answered(result: Any, error: BaseException | None) -> None:
            self.busy = False
            if error is not None:
                self.status.setText(f"The server said no: {in_words(error)}")
                self._enable()
                return
            done(result)

        self._background.submit(work, answered)


class ShareDialog(QDialog):
    """Share Link…: the sharing panel of one item on its own."""

    def __init__(
        self,
        client: DavClient,
        background: Background,
        account: NextcloudAccount,
        resource: Resource,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("shareDialog")
        self.setWindowTitle(f"Share “{resource.name}”")
        self.panel = SharingPanel(client, background, account, resource, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addWidget(buttons)
        self.setMinimumSize(560, 380)
        self.resize(680, 440)
