"""Passwords go to the keyring and nowhere else, and a missing keyring says so clearly."""

from __future__ import annotations

import logging

import keyring
import keyring.backends.fail
import pytest

from app.config.secrets import PasswordStore, SecretsUnavailableError

URL = "https://dav.example.com/files/"


def test_set_get_delete_round_trip(memory_keyring):
    store = PasswordStore()
    assert store.get(URL, "alice") is None
    store.set(URL, "alice", "s3cret")
    assert store.get(URL, "alice") == "s3cret"
    assert store.get(URL, "bob") is None
    store.delete(URL, "alice")
    assert store.get(URL, "alice") is None
    assert memory_keyring.passwords == {}


def test_url_with_or_without_trailing_slash_is_one_entry(memory_keyring):
    store = PasswordStore()
    store.set(URL.rstrip("/"), "alice", "s3cret")
    assert store.get(URL, "alice") == "s3cret"
    assert list(memory_keyring.passwords) == [("davdesk " + URL, "alice")]


def test_deleting_a_password_never_stored_is_quiet(memory_keyring):
    PasswordStore().delete(URL, "nobody")


def test_no_keyring_backend_is_a_clear_error():
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        store = PasswordStore()
        for call in (
            lambda: store.get(URL, "alice"),
            lambda: store.set(URL, "alice", "s3cret"),
            lambda: store.delete(URL, "alice"),
        ):
            with pytest.raises(SecretsUnavailableError, match="no system keyring"):
                call()
    finally:
        keyring.set_keyring(previous)


def test_the_password_is_never_logged(memory_keyring, caplog):
    caplog.set_level(logging.DEBUG)
    store = PasswordStore()
    store.set(URL, "alice", "s3cret-Pa55")
    store.get(URL, "alice")
    store.delete(URL, "alice")
    assert "s3cret-Pa55" not in caplog.text


@pytest.mark.parametrize(
    "address",
    [
        "https://cloud.example/remote.php/dav/files/alice/",
        "https://bob@cloud.example/nc/remote.php/dav/files/al%20ice/Photos/2024/",
        "cloud.example/remote.php/dav/files/alice",
        "https://cloud.example/remote.php/dav/files//",
        "https://cloud.example/remote.php/webdav/",
        "https://dav.example.com/files/",
    ],
)
def test_a_nextcloud_account_keeps_one_password_where_discovery_finds_its_root(
    memory_keyring, address
):
    """The keyring key of every address in an account's files is the server's root, read
    as app.nextcloud reads a files address (config keeps its own copy of the shape)."""
    from app.nextcloud.connect import files_address

    PasswordStore().set(address, "alice", "s3cret")
    found = files_address(address)
    key = (found[0] if found else address).rstrip("/") + "/"
    assert list(memory_keyring.passwords) == [("davdesk " + key, "alice")]
