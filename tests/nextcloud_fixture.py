"""Fixtures for the fake Nextcloud (tests/servers/nextcloud), registered in tests/conftest.py.

``nextcloud_server``  a fresh server over a fresh data folder, default options.
``make_nextcloud``    ``make_nextcloud(**options)`` -> a started server with those options
                      (any NextcloudServer keyword; ``data_dir=`` reuses a data folder, e.g.
                      to start a second server on the first one's data); all are stopped
                      at teardown.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers.nextcloud import NextcloudServer


@pytest.fixture
def nextcloud_server(tmp_path: Path) -> Iterator[NextcloudServer]:
    """A fake Nextcloud with default options over an empty data folder."""
    with NextcloudServer(tmp_path / "nextcloud-data") as server:
        yield server


@pytest.fixture
def make_nextcloud(tmp_path: Path) -> Iterator[Callable[..., NextcloudServer]]:
    """A factory of started fake Nextclouds, each over its own data folder by default."""
    servers: list[NextcloudServer] = []
    counter = itertools.count(1)

    def make(**options: Any) -> NextcloudServer:
        data_dir = options.pop("data_dir", None) or tmp_path / f"nextcloud-{next(counter)}"
        server = NextcloudServer(Path(data_dir), **options)
        servers.append(server)
        return server.start()

    yield make
    for server in servers:
        server.stop()
