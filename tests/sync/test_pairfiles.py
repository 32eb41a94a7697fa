"""A pair's identity on disk: its server folder's URL in one spelling, the client's."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.dav.paths import quote_path
from app.sync.pairfiles import PairFiles, canonical_url

#: Decoded folder names a server may hold: spaces, percent signs, reserved URL characters,
#: both Unicode normal forms, and a byte that is not UTF-8 (kept as a surrogate escape).
NAMES = [
    "Docs",
    "a b",
    "100%",
    "what?",
    "#1",
    "semi;colon",
    "plus+and&",
    "Ünïcödé",
    "U\u0308nicode",
    "emoji 📁",
    "bad\udcff byte",
    "tilde~-_.",
    "[brackets]",
]


@pytest.mark.parametrize("name", NAMES)
def test_the_path_is_spelt_as_the_client_quotes_a_request(name: str):
    """pairfiles quotes without importing app.dav (app.config must not load it); the
    spelling must stay the client's, or saved pairs would lose their databases."""
    url = "https://cloud.example/dav/" + quote_path(name)
    assert urlsplit(canonical_url(url)).path == quote_path(f"/dav/{name}/")


def test_spellings_of_one_folder_are_one_pair(tmp_path: Path):
    local = tmp_path / "local"
    spellings = [
        "http://alice@Host.Example/dav/My%20Docs",
        "HTTP://host.example/dav/My Docs/",
        "http://host.example/dav/My%20%44ocs/?x=1",
        "http://bob@host.example/dav/My Docs",
    ]
    assert {canonical_url(url) for url in spellings} == {"http://host.example/dav/My%20Docs/"}
    assert len({PairFiles.of(tmp_path, local, url) for url in spellings}) == 1


def test_another_folder_or_server_is_another_pair(tmp_path: Path):
    local = tmp_path / "local"
    files = {
        PairFiles.of(tmp_path, local, url)
        for url in (
            "http://host/dav/Docs",
            "http://host/dav/docs",
            "https://host/dav/Docs",
            "http://other/dav/Docs",
        )
    }
    assert len(files) == 4
