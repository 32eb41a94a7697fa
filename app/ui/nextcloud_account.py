"""A Nextcloud account's part of the main window: the Trash Bin, and signing out.

Signing out is what a user does on a computer they stop using: the server
revokes this device's app password (so a copy of it left anywhere is
useless), Davdesk forgets it in the keyring, and the window closes. The
revocation runs on the Background pool with the window's own client, the
one signed in with that app password; the keyring entry is forgotten even
when the server could not be reached, and the user is told what to revoke
by hand then.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow, QMessageBox

from app.config.secrets import PasswordStore, SecretsUnavailableError
from app.dav import DavClient, errors
from app.nextcloud import app_passwords
from app.nextcloud.account import NextcloudAccount
from app.ui.actions import Actions
from app.ui.background import Background
from app.ui.messages import readable
from app.ui.operations import Operations
from app.ui.trash_bin import TrashBinWindow


@dataclass(frozen=True, slots=True)
class SignedOut:
    """What signing out did: None where it worked, else why not, in words."""

    revoke_problem: str | None
    keyring_problem: str | None


def sign_out(client: DavClient, account: NextcloudAccount, passwords: PasswordStore) -> SignedOut:
    """Runs on a pool thread: revoke the app password the client uses, then forget it here."""
    revoke_problem = keyring_problem = None
    try:
        app_passwords.revoke(client, account.root_path)
    except errors.DavError as exc:
        revoke_problem = readable(exc)
    try:
        passwords.delete(account.files_url, account.login_name)
    except SecretsUnavailableError as exc:
        keyring_problem = str(exc)
    return SignedOut(revoke_problem, keyring_problem)


class AccountActions(QObject):
    """Wires the Trash Bin… and Sign Out actions (Actions made them for a Nextcloud)."""

    def __init__(
        self,
        account: NextcloudAccount,
        client: DavClient,
        background: Background,
        operations: Operations,
        passwords: PasswordStore,
        actions: Actions,
        window: QMainWindow,
    ) -> None:
        super().__init__(window)
        assert actions.trash_bin is not None and actions.sign_out is not None
        self.account = account
        self._client = client
        self._background = background
        self._operations = operations
        self._passwords = passwords
        self._window = window
        self._sign_out_action = actions.sign_out
        self.trash: TrashBinWindow | None = None
        actions.trash_bin.triggered.connect(self.show_trash)
        actions.sign_out.triggered.connect(self.sign_out)

    @property
    def where(self) -> str:
        """ "alice@example.test on cloud.example.com", as the user knows the account."""
        return f"{self.account.login_name} on {urlsplit(self.account.root_url).netloc}"

    def show_trash(self) -> None:
        if self.trash is None:
            self.trash = TrashBinWindow(
                self._client, self.account, self._background, self._operations, self._window
            )
        if self.trash.isVisible():  # open behind other windows: bring it to the front
            self.trash.raise_()
            self.trash.activateWindow()
        else:
            self.trash.show()

    def sign_out(self) -> None:
        answer = QMessageBox.question(
            self._window,
            "Sign Out",
            f"Sign out of {self.where}?\n\nThe server revokes the app password this computer "
            "uses and Davdesk forgets it; running jobs are cancelled. To come back, sign in "
            "again.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._sign_out_action.setEnabled(False)
        self._operations.cancel_all()
        self._window.statusBar().showMessage(f"Signing out of {self.where}…")
        self._background.submit(
            lambda: sign_out(self._client, self.account, self._passwords), self._signed_out
        )

    def _signed_out(self, result: SignedOut | None, error: BaseException | None) -> None:
        problems = []
        if error is not None:  # neither step raises anything else: a bug, said as one
            problems.append(f"Signing out failed: {readable(error)}.")
        elif result is not None:
            if result.revoke_problem:
                problems.append(
                    f"The server did not revoke the app password ({result.revoke_problem}). "
                    "Revoke “Davdesk” under Settings ▸ Security ▸ Devices & sessions "
                    "on the server's web page."
                )
            if result.keyring_problem:
                problems.append(
                    f"The keyring could not forget the app password: {result.keyring_problem}."
                )
        if not problems:
            self._window.close()
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Signed Out",
            f"Signed out of {self.where}, but not completely.",
            QMessageBox.StandardButton.Close,
            self._window,
        )
        box.setObjectName("signOutProblem")
        box.setInformativeText("\n\n".join(problems))
        box.finished.connect(self._window.close)
        box.open()
