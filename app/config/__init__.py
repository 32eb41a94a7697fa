"""Settings, bookmarks and passwords, for the front ends. No Qt.

Everything here that reads or writes (files, the keyring) may block: the GUI
calls it from its background pool.
"""

from app.config.bookmarks import Bookmark, BookmarkFileError, BookmarkStore, ConnectionSpec
from app.config.paths import AppPaths
from app.config.secrets import PasswordStore, SecretsUnavailableError
from app.config.settings import Settings

__all__ = [
    "AppPaths",
    "Bookmark",
    "BookmarkFileError",
    "BookmarkStore",
    "ConnectionSpec",
    "PasswordStore",
    "SecretsUnavailableError",
    "Settings",
]
