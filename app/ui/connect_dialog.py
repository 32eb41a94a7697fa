"""The connect dialog: where a user names a server, and decides whether to trust it.

Connecting is tested before the dialog closes, so a wrong password or a typo in
the address is fixed here rather than discovered in the main window. Every
slow step (the test request, reading bookmarks, the keyring, fetching a
certificate) runs through Background; the dialog only reacts to results, and
results that arrive after the user moved on are dropped.

An untrusted certificate is never waved through: the user sees its fingerprint
and decides to trust it for this session or pin it in the bookmark. The
connection that comes out is a ConnectionSpec (app.session.spec).

A Nextcloud is recognised while connecting (app.session.connection): its
bookmark keeps the account's files address, and what the keyring remembers
is the app password the server issued, never the account password typed
here. "Log in with browser…" gets such an app password through Login Flow v2
(browser_login), without any password typed here at all.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

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

from app.config.bookmarks import Bookmark, BookmarkFileError, BookmarkStore
from app.config.secrets import PasswordStore, SecretsUnavailableError
from app.dav import errors, words
from app.dav.tls import CertificateInfo, fetch_certificate, verify_for
from app.nextcloud.discovery import NotNextcloudError
from app.nextcloud.login_flow import Credentials, LoginCancelled
from app.session.sign_in import MaintenanceError, SignInExpired, open_checked
from app.session.spec import ConnectionSpec
from app.ui.background import Background
from app.ui.bookmark_manager import BookmarkManager
from app.ui.browser_login import BrowserLogin, WaitingPanel
from app.ui.certificate_dialog import CertificateDialog

log = logging.getLogger(__name__)

_WARNING_STYLE = (
    "QLabel { background: #fff3cd; color: #664d03; border: 1px solid #ffe69c;"
    " border-radius: 4px; padding: 6px; }"
)
_ERROR_STYLE = (
    "QLabel { background: #f8d7da; color: #842029; border: 1px solid #f1aeb5;"
    " border-radius: 4px; padding: 6px; }"
)
_NEW_CONNECTION = "New connection"


@dataclass(frozen=True, slots=True)
class _Attempt:
    """One press of Connect, as it travels to the pool thread and back."""

    url: str
    user: str
    password: str
    pinned_sha256: str | None
    ca_file: str | None
    #: The fingerprint was accepted in this dialog just now: a second refusal means it changed.
    just_trusted: bool = False
    #: The password is an app password a browser sign-in returned: nothing to exchange.
    app_password: bool = False
    #: Sign in in the browser first (Login Flow v2); user and password come from it.
    browser: bool = False
    #: The address had no scheme: https was Davdesk's guess, http may be offered instead.
    guessed_https: bool = False


class ConnectDialog(QDialog):
    """Asks for a server and credentials, tests them, and hands out a ConnectionSpec."""

    def __init__(
        self,
        background: Background,
        bookmarks: BookmarkStore,
        passwords: PasswordStore,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("connectDialog")
        self.setWindowTitle("Connect to a WebDAV or Nextcloud server")
        self._background = background
        self._bookmarks = bookmarks
        self._passwords = passwords
        self._ticket = 0  # bumped when the dialog closes: late results are dropped
        self._pinned: str | None = None
        self._trusted_once: str | None = None
        self._result: ConnectionSpec | None = None
        self._browser_attempt: _Attempt | None = None  # the sign-in the browser is busy with
        self.browser_login = BrowserLogin(background, self)
        self.browser_login.opened.connect(self._browser_opened)
        self.browser_login.signed_in.connect(self._browser_signed_in)
        self.browser_login.failed.connect(self._browser_failed)

        self.bookmark_combo = QComboBox()
        self.bookmark_combo.setObjectName("bookmarkCombo")
        self.bookmark_combo.addItem(_NEW_CONNECTION, None)
        self.bookmark_combo.currentIndexChanged.connect(self._bookmark_chosen)
        self.url_edit = QLineEdit(placeholderText="https://example.com/dav/")
        self.url_edit.setObjectName("urlEdit")
        self.url_edit.textChanged.connect(self._url_changed)
        self.browser_button = QPushButton("Lo&g in with browser…")
        self.browser_button.setObjectName("loginWithBrowser")
        self.browser_button.setToolTip(
            "For a Nextcloud: sign in on the server's own page in your web browser. Davdesk "
            "receives an app password for this computer, never your own password."
        )
        self.browser_button.clicked.connect(self._log_in_with_browser)
        self.browser_hint = QLabel("Nextcloud: sign in on its web page")
        self.browser_hint.setObjectName("browserHint")
        self.browser_hint.setEnabled(False)  # drawn muted: a hint, not a field
        self.waiting_panel = WaitingPanel(self)
        self.waiting_panel.cancel_button.clicked.connect(self._cancel_browser)
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
        self.forget_pin_button.clicked.connect(lambda: self._set_pinned(None))

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
        self.connect_button.clicked.connect(self._connect)
        self.buttons.rejected.connect(self.reject)

        self.manager = BookmarkManager(self, bookmarks, passwords, self._submit)
        self.form = self._build_layout()
        # Only once the button is inside the dialog: a default button is the default of its
        # dialog, and before the layout it had none (Enter in a field then did nothing).
        self.connect_button.setDefault(True)
        self._set_pinned(None)
        self._submit(self._bookmarks.load, self._bookmarks_loaded)
        self._submit(self._passwords.unavailable, self._keyring_checked)

    def _build_layout(self) -> QFormLayout:
        """One form for everything, so the advanced rows line up with the rest."""
        form = QFormLayout()
        form.addRow(
            _buddy("&Bookmark:", self.bookmark_combo),
            _row(self.bookmark_combo, self.manager.button),
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
        return form

    # -- what comes out -----------------------------------------------------------

    def result_connection(self) -> ConnectionSpec | None:
        """The tested connection once the dialog was accepted, else None."""
        return self._result

    def done(self, result: int) -> None:
        self._ticket += 1
        self.browser_login.cancel()  # closing mid sign-in leaves nothing polling
        super().done(result)

    # -- background plumbing -------------------------------------------------------

    def _submit(
        self, work: Callable[[], Any], on_done: Callable[[Any, BaseException | None], None]
    ) -> None:
        ticket = self._ticket

        def deliver(result: Any, error: BaseException | None) -> None:
            if ticket == self._ticket:
                on_done(result, error)

        self._background.submit(work, deliver)

    # -- bookmarks ---------------------------------------------------------------------

    def _bookmarks_loaded(
        self, bookmarks: list[Bookmark] | None, error: BaseException | None
    ) -> None:
        if error is not None:
            self._show_error(describe_error(error))
            return
        self.bookmark_combo.blockSignals(True)
        for bookmark in bookmarks or []:
            self.bookmark_combo.addItem(bookmark.name, bookmark)
        self.bookmark_combo.blockSignals(False)

    def _selected_bookmark(self) -> Bookmark | None:
        chosen: Bookmark | None = self.bookmark_combo.currentData()
        return chosen

    def _bookmark_chosen(self) -> None:
        bookmark = self._selected_bookmark()
        self._show_error("")
        self.url_edit.setText(bookmark.url if bookmark else "")
        self.user_edit.setText(bookmark.user if bookmark else "")
        self.password_edit.clear()
        self.remember_check.setChecked(False)
        self.name_edit.setText(bookmark.name if bookmark else "")
        self.ca_file_edit.setText((bookmark.ca_file or "") if bookmark else "")
        self.keep_mtime_check.setChecked(bookmark.keep_mtime if bookmark else False)
        self._set_pinned(bookmark.pinned_sha256 if bookmark else None)
        if bookmark and bookmark.user:
            self._submit(
                lambda: self._passwords.get(bookmark.url, bookmark.user),
                lambda password, error: self._password_found(bookmark, password, error),
            )

    def _password_found(
        self, bookmark: Bookmark, password: str | None, error: BaseException | None
    ) -> None:
        if error is not None:
            self._keyring_unusable(error)
        elif password and self._selected_bookmark() == bookmark and not self.password_edit.text():
            self.password_edit.setText(password)
            self.remember_check.setChecked(True)

    def _keyring_unusable(self, error: BaseException) -> None:
        self.remember_check.setChecked(False)
        self.remember_check.setEnabled(False)
        self.remember_check.setToolTip(describe_error(error))
        self.remember_check.setText("&Remember password (not possible: no system keyring)")

    def _keyring_checked(self, reason: str | None, error: BaseException | None) -> None:
        """Said before connecting: a Remember that could only fail afterwards is disabled."""
        if error is not None or reason is not None:
            self._keyring_unusable(error or SecretsUnavailableError(reason))

    # -- form reactions ----------------------------------------------------------------

    def _url_changed(self, text: str) -> None:
        self._trusted_once = None  # trusted for the server it came from, not for a new address
        if self.error_label.isVisibleTo(self):  # it was about the address as it was
            self._show_error("")
        self.use_http_button.hide()
        plain = text.strip().lower().startswith("http://")
        if plain != self.plain_http_warning.isVisibleTo(self):
            self.plain_http_warning.setVisible(plain)
            self._fit_height()
        self.name_edit.setPlaceholderText(_default_name(text))

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

    def _set_pinned(self, fingerprint: str | None) -> None:
        self._pinned = fingerprint
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

    # -- connecting ----------------------------------------------------------------------

    def _connect(self) -> None:
        url = normalize_url(self.url_edit.text())
        if url is None:
            self._show_error("Enter the server's address, e.g. https://example.com/dav/.")
            return
        self._show_error("")
        self._try(
            _Attempt(
                url,
                self.user_edit.text().strip(),
                self.password_edit.text(),
                self._trusted_once or self._pinned,
                self.ca_file_edit.text().strip() or None,
                guessed_https="://" not in self.url_edit.text(),
            )
        )

    def _try(self, attempt: _Attempt) -> None:
        verify = verify_for(attempt.pinned_sha256, attempt.ca_file)
        if attempt.browser:
            self._browser_attempt = attempt
            self._set_busy(True, waiting=True)
            self.waiting_panel.finding()
            self.browser_login.start(attempt.url, verify)
            return
        self._set_busy(True)
        # Only a password that will be remembered is traded for an app password: one
        # nobody keeps would stay on the server, revoked by nobody.
        exchange = self.remember_check.isChecked()
        self._submit(
            lambda: open_checked(
                attempt.url,
                attempt.user,
                attempt.password,
                verify,
                app_password=attempt.app_password,
                exchange=exchange,
            ),
            lambda spec, error: self._tried(attempt, spec, error),
        )

    # -- logging in with the browser ------------------------------------------------------

    def _log_in_with_browser(self) -> None:
        url = normalize_url(self.url_edit.text())
        if url is None:
            self._show_error("Enter the Nextcloud's address, e.g. https://cloud.example.com/.")
            return
        self._show_error("")
        # The app password is made for this computer and never shown: not kept, it is lost.
        if self.remember_check.isEnabled():
            self.remember_check.setChecked(True)
        self._try(
            _Attempt(
                url,
                "",
                "",
                self._trusted_once or self._pinned,
                self.ca_file_edit.text().strip() or None,
                browser=True,
            )
        )

    def _browser_opened(self, login_url: str) -> None:
        self.waiting_panel.waiting(login_url)
        self._fit_height()

    def _browser_signed_in(self, credentials: Credentials) -> None:
        attempt = self._browser_attempt
        assert attempt is not None
        self.user_edit.setText(credentials.login_name)
        self.password_edit.setText(credentials.app_password)
        self._try(
            dataclasses.replace(
                attempt,
                user=credentials.login_name,
                password=credentials.app_password,
                app_password=True,
                browser=False,
            )
        )

    def _browser_failed(self, error: BaseException) -> None:
        attempt = self._browser_attempt
        assert attempt is not None
        self._tried(attempt, None, error)

    def _cancel_browser(self) -> None:
        self.browser_login.cancel()
        self._fail(LoginCancelled("sign-in cancelled"))

    def _tried(
        self, attempt: _Attempt, spec: ConnectionSpec | None, error: BaseException | None
    ) -> None:
        if isinstance(error, errors.CertificateError) and not attempt.just_trusted:
            refused = error
            self._submit(
                lambda: fetch_certificate(attempt.url),
                lambda info, failure: self._ask_trust(attempt, refused, info, failure),
            )
        elif error is not None:
            if isinstance(error, errors.CertificateError):
                error = errors.DavError(
                    "The server's certificate changed while connecting; "
                    "try again to see the new one."
                )
            self._fail(error, attempt)
        else:
            assert spec is not None
            self._save(attempt, spec)

    def _fail(self, error: BaseException, attempt: _Attempt | None = None) -> None:
        self._set_busy(False)
        user = attempt.user if attempt else self.user_edit.text().strip()
        guessed = attempt is not None and attempt.guessed_https
        self._show_error(describe_error(error, user, guessed))
        offer = (
            isinstance(error, errors.DavError)
            and words.explain_connect(error, user=user, guessed_https=guessed).plain_http
        )
        self.use_http_button.setVisible(offer)

    def _ask_trust(
        self,
        attempt: _Attempt,
        refusal: errors.CertificateError,
        info: CertificateInfo | None,
        error: BaseException | None,
    ) -> None:
        if error is not None:
            self._fail(error)
            return
        assert info is not None
        dialog = CertificateDialog(info, urlsplit(attempt.url).netloc, refusal.reason, self)
        dialog.finished.connect(lambda choice: self._trust_decided(attempt, info, choice, dialog))
        dialog.open()

    def _trust_decided(
        self, attempt: _Attempt, info: CertificateInfo, choice: int, dialog: CertificateDialog
    ) -> None:
        dialog.deleteLater()
        if choice == CertificateDialog.TRUST_ALWAYS:
            self._set_pinned(info.sha256)
            self.save_check.setChecked(True)  # the pin lives in the bookmark
        elif choice == CertificateDialog.TRUST_ONCE:
            self._trusted_once = info.sha256
        else:
            self._fail(errors.DavError("The server's certificate was not trusted."))
            return
        self._try(dataclasses.replace(attempt, pinned_sha256=info.sha256, just_trusted=True))

    def _save(self, attempt: _Attempt, spec: ConnectionSpec) -> None:
        """Keep the bookmark and, if asked, the password the connection uses: for a Nextcloud
        the app password (spec.password), which is also all the session knows."""
        bookmark = self._bookmark_for(attempt, spec) if self.save_check.isChecked() else None
        previous = self._selected_bookmark()
        remember = self.remember_check.isChecked()

        def store() -> None:
            if bookmark is not None:
                self._bookmarks.put(bookmark, replacing=previous.name if previous else None)
            if remember:
                self._passwords.set(spec.url, spec.user, spec.password)
            else:
                # Nothing can be stored where there is no keyring.
                with contextlib.suppress(SecretsUnavailableError):
                    self._passwords.delete(spec.url, spec.user)

        def stored(_: None, error: BaseException | None) -> None:
            if error is None:
                self._result = dataclasses.replace(spec, bookmark=bookmark)
                self.accept()
                return
            if isinstance(error, SecretsUnavailableError):
                self._keyring_unusable(error)
                error = errors.DavError(
                    f"Connected, but the password cannot be remembered: "
                    f"{error}. Connect again to go on without it."
                )
            self._fail(error)

        self._submit(store, stored)

    def _bookmark_for(self, attempt: _Attempt, spec: ConnectionSpec) -> Bookmark:
        """A Nextcloud's bookmark keeps the account's files address, whatever was typed, and the
        login name its app password belongs to."""
        previous = self._selected_bookmark()
        same_place = previous is not None and previous.url == spec.url
        return Bookmark(
            name=self.name_edit.text().strip() or _default_name(attempt.url),
            url=spec.url,
            user=spec.user,
            pinned_sha256=self._pinned,
            ca_file=attempt.ca_file,
            last_path=previous.last_path if same_place and previous else None,
            kind="nextcloud" if spec.account is not None else "webdav",
            keep_mtime=self.keep_mtime_check.isChecked(),
        )


def normalize_url(text: str) -> str | None:
    """The address as DavClient wants it; "example.com/dav" means https. None if unusable."""
    text = text.strip()
    if not text:
        return None
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return text


def describe_error(
    error: BaseException, user: str | None = None, guessed_https: bool = False
) -> str:
    """Why connecting failed and what to try, for the user; the details go to the log, never
    a traceback on screen. The protocol's failures are said by app.dav.words, as the CLI
    says them; said here is only what app.dav cannot know of (Nextcloud's sign-in, the
    keyring, the bookmarks file)."""
    match error:
        case NotNextcloudError():
            return (
                "There is no Nextcloud at this address, so there is no browser sign-in "
                "to open. Check the address, or connect with a user name and password."
            )
        case MaintenanceError():
            return (
                "The Nextcloud at this address is in maintenance mode. Try again once "
                "its administrator has finished."
            )
        case LoginCancelled():
            return "The sign-in in the browser was cancelled."
        case SignInExpired():
            return (
                "The sign-in in the browser was not finished in time and has expired. "
                "Log in with the browser again."
            )
        case errors.DavError():
            explained = words.explain_connect(error, user=user, guessed_https=guessed_https)
            return "\n".join(explained.lines())
        case SecretsUnavailableError() | BookmarkFileError():
            return words.sentence(str(error))
        case OSError(filename=str(name), strerror=str(reason)):
            return f"Cannot use {name}: {reason}."
    log.error("unexpected failure while connecting", exc_info=error)
    return words.sentence(f"Unexpected error ({type(error).__name__}): {error}")


def _default_name(url: str) -> str:
    parts = urlsplit(normalize_url(url) or "")
    return f"{parts.netloc}{parts.path.rstrip('/')}"


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
