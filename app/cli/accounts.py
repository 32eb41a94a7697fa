"""The Nextcloud accounts kept on this machine, found from any address of their server.

An account is what the window keeps as a Nextcloud bookmark (its files
endpoint and login name; the app password is in the keyring). `davdesk
login` keeps one the same way, so an account signed in to from either front
end serves both, and every command finds it from the server's bare address,
a sub-path install, a URL pasted from the browser or the files address, with
or without a user name.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from app.config.bookmarks import Bookmark, BookmarkFileError, BookmarkStore
from app.config.paths import AppPaths
from app.nextcloud.account import NextcloudAccount, files_address
from app.nextcloud.discovery import root_candidates


@dataclass(frozen=True, slots=True)
class KeptAccount:
    """A Nextcloud account kept here: where its files are, and the login name."""

    root_url: str
    user_id: str
    login_name: str

    @property
    def account(self) -> NextcloudAccount:
        return NextcloudAccount(self.root_url, self.user_id, self.login_name)


def kept_accounts(
    address: str, login_name: str | None = None, store: BookmarkStore | None = None
) -> list[KeptAccount]:
    """The accounts kept for the server at address (any address of it), of login_name if
    given. A bookmark file that cannot be read holds none."""
    roots = set(root_candidates(address))
    try:
        bookmarks = (store or _store()).load()
    except BookmarkFileError:
        return []
    found = []
    for bookmark in bookmarks:
        files = files_address(bookmark.url) if bookmark.kind == "nextcloud" else None
        if files is None or files[0] not in roots or not bookmark.user:
            continue
        if login_name is not None and bookmark.user != login_name:
            continue
        kept = KeptAccount(files[0], files[1], bookmark.user)
        if kept not in found:
            found.append(kept)
    return found


def keep_account(account: NextcloudAccount, store: BookmarkStore | None = None) -> None:
    """Remember a signed-in account as the window does (a Nextcloud bookmark), unless it is
    kept already; the window then offers it too."""
    store = store or _store()
    if kept_accounts(account.files_url, account.login_name, store):
        return
    host = urlsplit(account.root_url).hostname or account.root_url
    names = {b.name for b in store.load()}
    name = base = f"{account.login_name} on {host}"
    number = 2
    while name in names:
        name, number = f"{base} ({number})", number + 1
    store.add(Bookmark(name, account.files_url, account.login_name, kind="nextcloud"))


def _store() -> BookmarkStore:
    return BookmarkStore.in_config(AppPaths.default())
