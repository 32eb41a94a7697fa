"""The connect dialog's words: an address as typed made one a client takes, a bookmark's
default name, and why connecting failed.

No Qt and no dialog: the window process says a failure to open a bookmark or
an address on its command line in the same words, without loading the
dialog (app.ui.app imports this module only when there is an error).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from app.config.bookmarks import BookmarkFileError
from app.config.secrets import SecretsUnavailableError
from app.dav import errors, words
from app.nextcloud.discovery import NotNextcloudError
from app.nextcloud.login_flow import LoginCancelled
from app.session.sign_in import MaintenanceError, SignInExpired

log = logging.getLogger(__name__)


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


def default_name(url: str) -> str:
    """A bookmark's name when the user gives none: the host and path, as they would say it."""
    parts = urlsplit(normalize_url(url) or "")
    return f"{parts.netloc}{parts.path.rstrip('/')}"


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
