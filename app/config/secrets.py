"""Passwords in the OS keyring, keyed by server URL and user name, never in a file.

Keyring calls can block (a locked wallet asks the user to unlock it, D-Bus may
be slow to answer): call them off the GUI thread. Nothing here logs, and no
message built here contains a password.

keyring is imported on first use, not with this module: with its plugins it
costs a tenth of a second, which every CLI command would pay at start (the
config package is imported by all of them), while only a few look a password up.
"""

from __future__ import annotations

from types import ModuleType
from urllib.parse import unquote, urlsplit


def _keyring() -> ModuleType:
    import keyring
    import keyring.errors

    return keyring


SERVICE_PREFIX = "davdesk"


NO_KEYRING = "no system keyring is available to store passwords"


class SecretsUnavailableError(Exception):
    """No usable keyring: passwords cannot be remembered (they can still be typed)."""


class PasswordStore:
    """get/set/delete the password of (url, user) through the ``keyring`` package."""

    def __init__(self, service_prefix: str = SERVICE_PREFIX) -> None:
        self._prefix = service_prefix

    def unavailable(self) -> str | None:
        """Why no password can be remembered here (no keyring backend), or None.

        Asks which backend keyring chose, not the backend itself: a locked wallet
        is not asked to unlock for a question the user did not ask.
        """
        import keyring
        import keyring.backends.fail

        backend = keyring.get_keyring()
        chained = getattr(backend, "backends", None)
        if isinstance(backend, keyring.backends.fail.Keyring) or chained == []:
            return NO_KEYRING
        return None

    def get(self, url: str, user: str) -> str | None:
        keyring = _keyring()
        try:
            found: str | None = keyring.get_password(self._service(url), user)
        except keyring.errors.KeyringError as exc:
            raise _unavailable(exc) from exc
        return found

    def set(self, url: str, user: str, password: str) -> None:
        keyring = _keyring()
        try:
            keyring.set_password(self._service(url), user, password)
        except keyring.errors.KeyringError as exc:
            raise _unavailable(exc) from exc

    def delete(self, url: str, user: str) -> None:
        """Forget the password; forgetting one that was never stored is not an error."""
        keyring = _keyring()
        try:
            keyring.delete_password(self._service(url), user)
        except keyring.errors.PasswordDeleteError:
            return
        except keyring.errors.KeyringError as exc:
            raise _unavailable(exc) from exc

    def _service(self, url: str) -> str:
        """One entry per server folder: "https://h/dav" and "https://h/dav/" are the same.

        A Nextcloud account has one app password for all its folders: every
        address inside its files endpoint maps to the server's root, which is
        also what `davdesk login` stores under.
        """
        return f"{self._prefix} {(_account_root(url) or url).rstrip('/')}/"


#: Where a Nextcloud account's files are: ROOT/remote.php/dav/files/USERID/...
_FILES = "/remote.php/dav/files/"


def _account_root(url: str) -> str | None:
    """The server's root for an address inside a Nextcloud account's files, else None.

    The shape app.nextcloud.connect.files_address reads, read here again because
    the keyring's keys are data this package owns and must not move when the
    protocol code does (tests/config/test_secrets.py checks that the two agree).
    """
    address = url.strip()
    parts = urlsplit(address if "://" in address else "https://" + address)
    head, marker, rest = parts.path.partition(_FILES)
    if not marker or not unquote(rest.split("/", 1)[0]):
        return None
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{head}/"


def _unavailable(exc: Exception) -> SecretsUnavailableError:
    if isinstance(exc, _keyring().errors.NoKeyringError):  # its own text is a paragraph of advice
        return SecretsUnavailableError(NO_KEYRING)
    return SecretsUnavailableError(f"the system keyring failed: {str(exc) or type(exc).__name__}")
