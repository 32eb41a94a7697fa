"""ServerHandle: what the server fixtures in tests/conftest.py yield."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from tests.servers.apache_server import ApacheServer
from tests.servers.wsgidav_server import WsgiDavServer

#: TCP states (as /proc/net/tcp spells them) of a connection the server has yet to close:
#: SYN_RECV, ESTABLISHED, CLOSE_WAIT.
_NOT_CLOSED_BY_SERVER = {"03", "01", "08"}


@dataclass
class ServerHandle:
    """One test's view of a running WebDAV server.

    ``url`` is the test's own root collection, with a trailing slash, and
    ``root`` the local folder behind it: empty when the test starts.
    """

    name: str  # "wsgidav" or "apache"
    url: str
    root: Path
    user: str
    password: str
    server: WsgiDavServer | ApacheServer = field(repr=False)
    error_log: Path | None = None  # Apache's error log; None for wsgidav
    auth_scheme: str = "basic"  # "basic" or "digest"

    @property
    def auth(self) -> httpx.Auth:
        if self.auth_scheme == "digest":
            return httpx.DigestAuth(self.user, self.password)
        return httpx.BasicAuth(self.user, self.password)

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT`` (no path)."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def path(self) -> str:
        """The URL path of ``url``: ``/`` for wsgidav, ``/t-<n>/`` for Apache."""
        return urlsplit(self.url).path

    def url_for(self, relpath: str) -> str:
        """The URL of ``relpath`` (``/``-separated, unencoded) under ``url``.

        Each segment is percent-encoded (also ``%#&+;`` and non-ASCII as
        UTF-8); a trailing ``/`` is kept.
        """
        segments = relpath.strip("/").split("/") if relpath.strip("/") else []
        tail = "/" if relpath.endswith("/") and segments else ""
        return self.url + "/".join(quote(s, safe="") for s in segments) + tail

    def client(self, **kwargs: Any) -> httpx.Client:
        """An authenticated ``httpx.Client``; use it in a ``with`` block."""
        kwargs.setdefault("auth", self.auth)
        kwargs.setdefault("timeout", 30)
        return httpx.Client(**kwargs)

    def wait_until_served(self, timeout: float = 60.0) -> None:
        """Wait until the server holds no connection open: every request it was sent has run
        to its end, also those of a client that was killed or cut off mid-request.

        A server goes on with such a request after its client is gone (wsgidav
        writes the body it had received into the file, Apache renames a
        complete one into place): a test that kills a client calls this before
        it looks at, or syncs with, what the server holds.
        """
        deadline = time.monotonic() + timeout
        while (open_now := self._open_connections()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not open_now, f"the server still holds {open_now} connection(s) after {timeout} s"

    def _open_connections(self) -> int:
        """Server-side TCP connections on this server's port not yet closed by the server
        (established, or closed by the client only), from the kernel's table."""
        port = f"{urlsplit(self.url).port:04X}"
        count = 0
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                lines = Path(table).read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                local, state = line.split()[1], line.split()[3]
                if local.rpartition(":")[2] == port and state in _NOT_CLOSED_BY_SERVER:
                    count += 1
        return count

    # Apache's children run as www-data when the tests run as root: files a
    # test puts in `root` itself must be handed over, or Apache cannot
    # change or delete them. These helpers do that; after writing many
    # files directly, call chown() once.
    def make_dir(self, relpath: str) -> Path:
        """Create ``root/relpath`` (and its parents) as the server's user."""
        path = self.root / relpath
        path.mkdir(parents=True, exist_ok=True)
        self._chown_chain(path)
        return path

    def make_file(self, relpath: str, data: bytes = b"") -> Path:
        """Write ``root/relpath`` (creating folders) as the server's user."""
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self._chown_chain(path)
        return path

    def chown(self, path: Path | None = None) -> None:
        """Give ``path`` (default: the whole root), recursively, to the server."""
        if isinstance(self.server, ApacheServer):
            self.server.chown(path if path is not None else self.root)

    def _chown_chain(self, path: Path) -> None:
        """Hand over ``path`` and the folders between it and ``root``."""
        if not isinstance(self.server, ApacheServer):
            return
        self.server.chown(path, recursive=False)
        for parent in path.relative_to(self.root).parents:
            self.server.chown(self.root / parent, recursive=False)
