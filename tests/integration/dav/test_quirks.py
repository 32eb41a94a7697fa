"""Server quirks (app/dav/quirks.py) shown against the servers that have them."""

from __future__ import annotations

import pytest

from app.dav import DavClient, errors
from tests.servers.handle import ServerHandle


def test_mkcol_on_an_existing_folder_is_405_and_done(client, base, dav_server):
    dav_server.make_dir("there")
    dav_server.make_file("file", b"x")
    with pytest.raises(errors.MethodNotAllowedError):
        client.mkcol(base + "there/")
    done = client.make_folder(base + "there/")
    assert done.ok and done.status == 405 and done.note == "already exists"
    made = client.make_folder(base + "new/")
    assert made.ok and made.status == 201 and made.note is None
    assert (dav_server.root / "new").is_dir()
    with pytest.raises(errors.StatusError) as refused:
        client.make_folder(base + "file/")
    assert refused.value.status in (400, 405)  # Apache: 400 for "file/"
    assert (dav_server.root / "file").read_bytes() == b"x"


def test_nextcloud_answers_mkcol_on_an_existing_folder_with_405_too(nextcloud_server):
    (nextcloud_server.files_root / "there").mkdir()
    with DavClient(
        nextcloud_server.files_url,
        user=nextcloud_server.user_id,
        password=nextcloud_server.password,
    ) as client:
        with pytest.raises(errors.MethodNotAllowedError):
            client.mkcol(client.root + "there/")
        done = client.make_folder(client.root + "there/")
    assert done.ok and done.note == "already exists"


def test_apache_folder_etag_changes_only_with_its_own_entries(apache_server: ServerHandle):
    apache_server.make_file("a/b/f.txt", b"one")
    with DavClient(
        apache_server.url, user=apache_server.user, password=apache_server.password
    ) as client:
        folders = [client.root, client.root + "a/", client.root + "a/b/"]

        def etags() -> list[str]:
            found = [client.stat(folder).etag for folder in folders]
            assert all(found), found
            return [etag.removeprefix("W/") for etag in found if etag]

        before = etags()
        client.put(client.root + "a/b/f.txt", b"two, a new version")
        after = etags()
    assert after[:2] == before[:2]  # the root and a/: unchanged by a change deeper down
    assert after[2] != before[2]  # a/b/: its entry was replaced


def test_wsgidav_folders_have_no_etag(wsgidav_server: ServerHandle):
    wsgidav_server.make_file("d/f.txt", b"x")
    with DavClient(
        wsgidav_server.url, user=wsgidav_server.user, password=wsgidav_server.password
    ) as client:
        folder = client.stat(client.root + "d/")
        file = client.stat(client.root + "d/f.txt")
    assert folder.is_dir and folder.etag is None
    assert file.etag and not file.etag.startswith(('"', "W/"))  # a file's: strong, unquoted
