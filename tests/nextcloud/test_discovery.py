"""From an address as users type it to the places status.php and the files endpoint may be."""

from __future__ import annotations

import pytest

from app.nextcloud.connect import files_address
from app.nextcloud.discovery import root_candidates


@pytest.mark.parametrize(
    ("typed", "roots"),
    [
        ("cloud.example.com", ["https://cloud.example.com/"]),
        ("https://cloud.example.com/index.php", ["https://cloud.example.com/"]),
        (
            "https://cloud.example.com/index.php/apps/files/?dir=/Photos",
            ["https://cloud.example.com/"],
        ),
        ("https://example.com/nextcloud/index.php/login", ["https://example.com/nextcloud/"]),
        ("https://example.com/nextcloud/apps/files/", ["https://example.com/nextcloud/"]),
        (
            "https://example.com/nextcloud/remote.php/dav/files/alice/",
            ["https://example.com/nextcloud/"],
        ),
        (
            "https://example.com/nextcloud",
            ["https://example.com/nextcloud/", "https://example.com/"],
        ),
        (
            "http://alice@host:8080/a/b/",
            ["http://host:8080/a/b/", "http://host:8080/a/", "http://host:8080/"],
        ),
    ],
)
def test_root_candidates(typed: str, roots: list[str]) -> None:
    assert root_candidates(typed) == roots


def test_a_files_address_names_the_user_id_and_the_folder() -> None:
    found = files_address("https://h/sub/remote.php/dav/files/al%20ice/Photos/2026%20%23summer/")
    assert found == (
        "https://h/sub/",
        "al ice",
        "/sub/remote.php/dav/files/al ice/Photos/2026 #summer/",
    )


@pytest.mark.parametrize(
    "other",
    [
        "https://h/remote.php/webdav/",
        "https://h/dav/files/alice/",
        "https://h/remote.php/dav/files/",
    ],
)
def test_other_addresses_are_not_files_addresses(other: str) -> None:
    assert files_address(other) is None
