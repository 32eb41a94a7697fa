"""The connect dialog: where a user names a server, and decides whether to trust it.

Connecting is tested before the dialog closes, so a wrong password or a typo in
the address is fixed here rather than discovered in the main window. Every
slow step (the test request, reading bookmarks, the keyring, fetching a
certificate) runs through Background; the dialog only reacts to results, and
results that arrive after the user moved on are dropped.

An untrusted certificate is never waved through: the user sees its fingerprint
and decides to trust it for this session or pin it in the bookmark
(connect_trust). The connection that comes out is a ConnectionSpec
(app.session.spec). The fields and how they react to typing are the form's
(connect_form, this dialog's base class); the words for a failure are
connect_words'.

A Nextcloud is recognised while connecting (app.session.connection): its
bookmark keeps the account's files address, and what the keyring remembers
is the app password the server issued, never the account password typed
here. "Log in with browser…" gets such an app password through Login Flow v2
(browser_login), without any password typed here at all.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QWidget

from app.config.bookmarks import Bookmark, BookmarkStore
from app.config.secrets import PasswordStore, SecretsUnavailableError
from app.dav import errors, words
from app.dav.tls import verify_for
from app.nextcloud.login_flow import Credentials, LoginCancelled
from app.session.sign_in import open_checked
from app.session.spec import ConnectionSpec
from app.ui.background import Background
from app.ui.bookmark_manager import BookmarkManager
from app.ui.browser_login import BrowserLogin

# The question asked about a refused certificate (connect_trust opens it as a child of this
# dialog): named here too, as the dialog's tests find it with findChild(CertificateDialog).
from app.ui.certificate_dialog import CertificateDialog as CertificateDialog
from app.ui.connect_form import ConnectForm
from app.ui.connect_trust import CertificateTrust
from app.ui.connect_words import default_name, describe_error, normalize_url


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


class ConnectDialog(ConnectForm):
    """Asks for a server and credentials, tests them, and hands out a ConnectionSpec."""

    def __init__(
        self,
        background: Background,
        bookmarks: BookmarkStore,
        passwords: PasswordStore,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._background = background
        self._bookmarks = bookmarks
        self._passwords = passwords
        self._ticket = 0  # bumped when the dialog closes: late results are dropped
        self._result: ConnectionSpec | None = None
        self._browser_attempt: _Attempt | None = None  # the sign-in the browser is busy with
        self.trust = CertificateTrust(self, self._submit, self._show_pinned)
        self.browser_login = BrowserLogin(background, self)
        self.browser_login.opened.connect(self._browser_opened)
        self.browser_login.signed_in.connect(self._browser_signed_in)
        self.browser_login.failed.connect(self._browser_failed)

        self.bookmark_combo.currentIndexChanged.connect(self._bookmark_chosen)
        # A certificate trusted once is trusted for the address it came from, not a new one.
        self.url_edit.textChanged.connect(self.trust.forget_once)
        self.browser_button.clicked.connect(self._log_in_with_browser)
        self.waiting_panel.cancel_button.clicked.connect(self._cancel_browser)
        self.forget_pin_button.clicked.connect(lambda: self.trust.pin(None))
        self.connect_button.clicked.connect(self._connect)

        self.manager = BookmarkManager(self, bookmarks, passwords, self._submit)
        self._lay_out(self.manager.button)
        # Only once the button is inside the dialog: a default button is the default of its
        # dialog, and before the layout it had none (Enter in a field then did nothing).
        self.connect_button.setDefault(True)
        self.trust.pin(None)
        self._submit(self._bookmarks.load, self._bookmarks_loaded)
        self._submit(self._passwords.unavailable, self._keyring_checked)

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
        self.trust.pin(bookmark.pinned_sha256 if bookmark else None)
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
                self.trust.trusted,
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
                self.trust.trusted,
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
            self.trust.ask(
                attempt.url,
                error,
                lambda fingerprint, pinned: self._trusted(attempt, fingerprint, pinned),
                self._fail,
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

    def _trusted(self, attempt: _Attempt, fingerprint: str, pinned: bool) -> None:
        """The user trusts the certificate: the same attempt again, trusting it."""
        if pinned:
            self.save_check.setChecked(True)  # the pin lives in the bookmark
        self._try(dataclasses.replace(attempt, pinned_sha256=fingerprint, just_trusted=True))

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
            name=self.name_edit.text().strip() or default_name(attempt.url),
            url=spec.url,
            user=spec.user,
            pinned_sha256=self.trust.pinned,
            ca_file=attempt.ca_file,
            last_path=previous.last_path if same_place and previous else None,
            kind="nextcloud" if spec.account is not None else "webdav",
            keep_mtime=self.keep_mtime_check.isChecked(),
        )
