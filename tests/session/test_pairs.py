"""Background sync's clients, as the window makes them: each pair signs in as its saved server."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config.bookmarks import Bookmark, BookmarkStore
from app.config.pairs import SavedPair
from app.config.secrets import PasswordStore
from app.dav import DavError, errors
from app.session import PASSWORD_VARIABLE
from app.session.pairs import PairConnector
from app.sync import Direction
from app.sync.background.types import WatchSpec


def _spec(pair: SavedPair) -> WatchSpec:
    return WatchSpec(pair.name, Path(pair.local), pair.url, Direction(pair.direction))


def _connector(tmp_path: Path, *pairs: SavedPair) -> tuple[PairConnector, BookmarkStore]:
    bookmarks = BookmarkStore(tmp_path / "bookmarks.json")
    by_name = {p.name: p for p in pairs}
    return PairConnector(bookmarks, by_name.get, workers=2, passwords=PasswordStore()), bookmarks


def test_a_pair_saved_from_the_window_signs_in_with_its_bookmark_and_keyring_password(
    tmp_path, wsgidav_server, memory_keyring, monkeypatch
):
    monkeypatch.delenv(PASSWORD_VARIABLE, raising=False)
    wsgidav_server.make_file("my docs/a.txt", b"alpha")
    pair = SavedPair(
        "docs", str(tmp_path / "docs"), wsgidav_server.url + "my%20docs/", bookmark="work"
    )
    connect, bookmarks = _connector(tmp_path, pair)
    bookmarks.add(Bookmark("work", wsgidav_server.url, wsgidav_server.user))
    PasswordStore().set(wsgidav_server.url, wsgidav_server.user, wsgidav_server.password)

    client, folder = connect(_spec(pair))

    assert folder == "/my docs/"
    assert [r.name for r in client.listdir(folder)] == ["a.txt"]
    connect.close()
    with pytest.raises(errors.ClosedError):  # closed with the engine
        client.listdir(folder)


def test_a_pair_added_by_the_cli_signs_in_as_the_saved_server_whose_folder_holds_it(
    tmp_path, wsgidav_server, memory_keyring
):
    (wsgidav_server.root / "share").mkdir()
    pair = SavedPair("cli", str(tmp_path / "share"), wsgidav_server.url + "share/")
    connect, bookmarks = _connector(tmp_path, pair)
    bookmarks.add(Bookmark("elsewhere", "http://other.invalid/", "nobody"))
    bookmarks.add(Bookmark("work", wsgidav_server.url, wsgidav_server.user))
    PasswordStore().set(wsgidav_server.url, wsgidav_server.user, wsgidav_server.password)

    client, folder = connect(_spec(pair))

    assert client.stat(folder).is_dir
    connect.close()


def test_without_a_saved_server_the_address_s_user_and_davdesk_password_sign_in(
    tmp_path, wsgidav_server, memory_keyring, monkeypatch
):
    monkeypatch.setenv(PASSWORD_VARIABLE, wsgidav_server.password)
    url = wsgidav_server.url.replace("://", f"://{wsgidav_server.user}@")
    pair = SavedPair("adhoc", str(tmp_path / "adhoc"), url)
    connect, _ = _connector(tmp_path, pair)

    client, folder = connect(_spec(pair))

    assert (folder, client.stat(folder).is_dir) == ("/", True)
    connect.close()


def test_a_refused_password_is_the_server_s_answer_for_the_pair_to_wait_on(
    tmp_path, wsgidav_server, memory_keyring, monkeypatch
):
    monkeypatch.setenv(PASSWORD_VARIABLE, "wrong")
    pair = SavedPair("work", str(tmp_path / "w"), wsgidav_server.url, bookmark="work")
    connect, bookmarks = _connector(tmp_path, pair)
    bookmarks.add(Bookmark("work", wsgidav_server.url, wsgidav_server.user))

    with pytest.raises(errors.AuthenticationError):
        connect(_spec(pair))


def test_a_damaged_bookmarks_file_is_said_in_words(tmp_path):
    pair = SavedPair("cli", str(tmp_path / "x"), "https://dav.example/x/")
    connect, bookmarks = _connector(tmp_path, pair)
    bookmarks.path.write_text("{not json", encoding="utf-8")
    bookmarks_text = bookmarks.path.read_text(encoding="utf-8")

    with pytest.raises(DavError, match="cannot read the saved servers"):
        connect(_spec(pair))
    assert bookmarks.path.read_text(encoding="utf-8") == bookmarks_text  # left for the user


def test_a_nextcloud_bookmark_s_app_password_is_used_as_it_is(
    tmp_path, nextcloud_server, memory_keyring
):
    app_password = nextcloud_server.issue_app_password()
    pair = SavedPair("cloud", str(tmp_path / "c"), nextcloud_server.files_url, bookmark="cloud")
    connect, bookmarks = _connector(tmp_path, pair)
    bookmarks.add(
        Bookmark("cloud", nextcloud_server.files_url, nextcloud_server.user_id, kind="nextcloud")
    )
    PasswordStore().set(nextcloud_server.files_url, nextcloud_server.user_id, app_password)

    client, folder = connect(_spec(pair))

    assert client.stat(folder).is_dir
    assert [p.password for p in nextcloud_server.app_passwords] == [app_password]  # none traded
    connect.close()
