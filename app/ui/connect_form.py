"""The connect dialog's form: its fields, their layout, and how it reacts to what is typed.

Apart from the dialog (connect_dialog.py), as a Designer form is apart from
the code behind it: here is what the user sees and edits (the address with
its plain-http warning, the credentials, the bookmark, the Advanced rows, the
error box, the browser sign-in's waiting panel) and what changes as they
type; what pressing Connect or Log in with browser does is the dialog's.
Nothing here sends a request or touches the disk.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.browser_login import WaitingPanel
from app.ui.connect_words import default_name

_WARNING_STYLE = (
    "QLabel { background: #fff3cd; color: #664d03; border: 1px solid #ffe69c;"
    " border-radius: 4px; padding: 6px; }"
)
_ERROR_STYLE = (
    "QLabel { background: #f8d7da; color: #842029; border: 1px solid #f1aeb5;"
    " border-radius: 4px; padding: 6px; }"
)
_NEW_CONNECTION = "New connection"


class ConnectForm(QDialog):
    """The fields of the connect dialog, made and laid out; the dialog wires their actions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectDialog")
        self.setWindowTitle("Connect to a WebDAV or Nextcloud server")
        self.bookmark_combo = QComboBox()
        self.bookmark_combo.setObjectName("bookmarkCombo")
        self.bookmark_combo.addItem(_NEW_CONNECTION, None)
        self.url_edit = QLineEdit(placeholderText="https://example.com/dav/")
        self.url_edit.setObjectName("urlEdit")
        self.url_edit.textChanged.connect(self._url_changed)
        self.browser_button = QPushButton("Lo&g in with browser…")
        self.browser_button.setObjectName("loginWithBrowser")
        self.browser_button.setToolTip(
            "For a Nextcloud: sign in on the server's own page in your web browser. Davdesk "
            "receives an app password for this computer, never your own password."
        )
        self.browser_hint = QLabel("Nextcloud: sign in on its web page")
        self.browser_hint.setObjectName("browserHint")
        self.browser_hint.setEnabled(False)  # drawn muted: a hint, not a field
        self.waiting_panel = WaitingPanel(self)
        self.waiting_panel.hide()
        self.plain_http_warning = QLabel(
            "Plain http: the password and the files travel unencrypted. "
            "Use https:// if the server offers it."
        )
        self.plain_http_warning.setObjectName("plainHttpWarning")
        self.plain_http_warning.setWordWrap(True)
        self.plain_http_warning.setStyleSheet(_WARNING_STYLE)
        self.plain_http_warning.hide()
        self.user_edit = QLineEdit()
        self.user_edit.setObjectName("userEdit")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember_check = QCheckBox("&Remember password")
        self.remember_check.setObjectName("rememberPassword")
        self.save_check = QCheckBox("&Save as bookmark:")
        self.save_check.setObjectName("saveBookmark")
        self.save_check.setChecked(True)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("bookmarkName")
        self.save_check.toggled.connect(self.name_edit.setEnabled)

        # Not checkable: a checked tool button draws sunken, which reads as "pressed", not "open".
        self.advanced_toggle = QToolButton(autoRaise=True)
        self.advanced_toggle.setObjectName("advancedToggle")
        self.advanced_toggle.setText("&Advanced")
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.ca_file_edit = QLineEdit(placeholderText="The system's certificate authorities")
        self.ca_file_edit.setObjectName("caFileEdit")
        self.advanced_toggle.clicked.connect(
            lambda: self.show_advanced(not self.ca_file_edit.isVisibleTo(self))
        )
        self.browse_button = QPushButton("Bro&wse…")
        self.browse_button.setObjectName("caFileBrowse")
        self.browse_button.clicked.connect(self._choose_ca_file)
        self.keep_mtime_check = QCheckBox("Keep &modification times of uploaded files")
        self.keep_mtime_check.setObjectName("keepMtime")
        self.keep_mtime_check.setToolTip(
            "Servers other than Nextcloud and ownCloud need one more request per file for it, "
            "so an upload of many small files takes about twice as long. Nextcloud and "
            "ownCloud keep the times anyway."
        )
        self.pin_label = QLabel()
        self.pin_label.setObjectName("pinnedFingerprint")
        self.pin_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.forget_pin_button = QPushButton("&Forget")
        self.forget_pin_button.setObjectName("forgetPin")

        self.error_label = QLabel()
        self.error_label.setObjectName("connectError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(_ERROR_STYLE)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.hide()
        self.use_http_button = QPushButton("Use &http:// (unencrypted)")
        self.use_http_button.setObjectName("useHttp")
        self.use_http_button.setToolTip(
            "Connect to this address without encryption, as the server offers only that"
        )
        self.use_http_button.clicked.connect(self._use_http)
        self.use_http_button.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = self.buttons.addButton(
            "&Connect", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.connect_button.setObjectName("connectButton")
        self.buttons.rejected.connect(self.reject)

    def _lay_out(self, manage_button: QWidget) -> None:
        """One form for everything, so the advanced rows line up with the rest."""
        form = QFormLayout()
        form.addRow(
            _buddy("&Bookmark:", self.bookmark_combo), _row(self.bookmark_combo, manage_button)
        )
        form.addRow("Server UR&L:", self.url_edit)
        form.addRow("", self.plain_http_warning)
        form.addRow("", _row(self.browser_button, self.browser_hint))
        form.addRow("&User name:", self.user_edit)
        form.addRow("&Password:", self.password_edit)
        form.addRow("", self.remember_check)
        form.addRow("", _row(self.save_check, self.name_edit))
        form.addRow(self.advanced_toggle)
        form.addRow(
            _buddy("CA f&ile:", self.ca_file_edit), _row(self.ca_file_edit, self.browse_button)
        )
        form.addRow("Always trust:", _row(self.pin_label, self.forget_pin_button))
        form.addRow("", self.keep_mtime_check)
        self._advanced_rows = tuple(range(form.rowCount() - 3, form.rowCount()))
        for row in self._advanced_rows:
            form.setRowVisible(row, False)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.waiting_panel)
        layout.addWidget(self.error_label)
        layout.addWidget(self.use_http_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(500)
        self.form = form

    # -- form reactions ----------------------------------------------------------------

    def _url_changed(self, text: str) -> None:
        if self.error_label.isVisibleTo(self):  # it was about the address as it was
            self._show_error("")
        self.use_http_button.hide()
        plain = text.strip().lower().startswith("http://")
        if plain != self.plain_http_warning.isVisibleTo(self):
            self.plain_http_warning.setVisible(plain)
            self._fit_height()
        self.name_edit.setPlaceholderText(default_name(text))

    def _use_http(self) -> None:
        """The server spoke only plain http: the address says so now (its warning shows)."""
        typed = self.url_edit.text().strip()
        self.url_edit.setText("http://" + typed.split("://", 1)[-1])
        self.use_http_button.hide()

    def show_advanced(self, shown: bool) -> None:
        """The custom CA file, the pinned certificate and keeping mtimes, out of the way until
        asked for."""
        self.advanced_toggle.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )
        for row in self._advanced_rows:
            self.form.setRowVisible(row, shown)
        self._fit_height()

    def _fit_height(self) -> None:
        """Grow or shrink to what the rows shown now need, keeping the width the user chose.

        Wrapped labels (the warning, the error) need more height than the window had
        when they appear; Qt alone would squeeze them.
        """
        layout = self.layout()
        if layout is None:  # not built yet
            return
        layout.activate()
        needed = (
            layout.totalHeightForWidth(self.width())
            if layout.hasHeightForWidth()
            else layout.totalSizeHint().height()
        )
        self.resize(self.width(), max(needed, layout.totalMinimumSize().height()))

    def _choose_ca_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Certificate authority for this server",
            self.ca_file_edit.text(),
            "Certificates (*.pem *.crt *.cer);;All files (*)",
        )
        if path:
            self.ca_file_edit.setText(path)

    def _show_pinned(self, fingerprint: str | None) -> None:
        # The whole fingerprint is for comparing, in the certificate dialog; here it only
        # has to be recognisable.
        self.pin_label.setText(
            f"{fingerprint[:11]}…{fingerprint[-11:]}" if fingerprint else "No certificate"
        )
        self.pin_label.setToolTip(fingerprint or "")
        self.forget_pin_button.setEnabled(fingerprint is not None)

    def show_error(self, message: str) -> None:
        """A message in the dialog's error box ("" hides it)."""
        self._show_error(message)

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
        self._fit_height()

    def _set_busy(self, busy: bool, *, waiting: bool = False) -> None:
        """busy: a connection is being tried; waiting: for the browser sign-in (its panel shows)."""
        for widget in (
            self.bookmark_combo,
            self.url_edit,
            self.user_edit,
            self.password_edit,
            self.save_check,
            self.ca_file_edit,
            self.browse_button,
            self.connect_button,
            self.browser_button,
            self.keep_mtime_check,
        ):
            widget.setEnabled(not busy)
        self.name_edit.setEnabled(not busy and self.save_check.isChecked())
        self.connect_button.setText("Connecting…" if busy and not waiting else "&Connect")
        if waiting != self.waiting_panel.isVisibleTo(self):
            self.waiting_panel.setVisible(waiting)
            self._fit_height()


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget, 1 if isinstance(widget, QLineEdit | QLabel | QComboBox) else 0)
    return row


def _buddy(text: str, widget: QWidget) -> QLabel:
    """A form label whose shortcut works though its field is a row of several widgets."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label
