"""Settings, bookmarks, saved pairs and passwords, for the front ends: data. No Qt.

Nothing here opens a connection or sends a request (app.session does, from what is
kept here): pyproject.toml's import-linter contracts keep app.dav and app.nextcloud
out of this package.

Everything here that reads or writes (files, the keyring) may block: the GUI
calls it from its background pool.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.config.bookmarks import Bookmark, BookmarkFileError, BookmarkStore
    from app.config.paths import AppPaths
    from app.config.secrets import PasswordStore, SecretsUnavailableError
    from app.config.settings import Settings

#: Where each name lives. Loaded on first use (PEP 562), so that a command needing only
#: app.config.paths (the log file's place) does not load bookmarks or the keyring layer.
_HOMES = {
    "AppPaths": "paths",
    "Bookmark": "bookmarks",
    "BookmarkFileError": "bookmarks",
    "BookmarkStore": "bookmarks",
    "PasswordStore": "secrets",
    "SecretsUnavailableError": "secrets",
    "Settings": "settings",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)


__all__ = [
    "AppPaths",
    "Bookmark",
    "BookmarkFileError",
    "BookmarkStore",
    "PasswordStore",
    "SecretsUnavailableError",
    "Settings",
]
