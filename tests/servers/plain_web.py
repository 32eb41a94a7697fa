"""A plain web server that knows nothing of WebDAV: Python's own http.server.

What people type by mistake (a web site's address, a NAS's admin page) is
answered like this: GET works, PROPFIND gets 501 Unsupported method.
"""

from __future__ import annotations

import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # the base's name
        pass


class PlainWebServer:
    """Serves a folder over plain http on a free loopback port, in a thread."""

    def __init__(self, root: Path) -> None:
        handler = lambda *a, **k: _Quiet(*a, directory=str(root), **k)  # noqa: E731
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        """host:port, no scheme: what a user types."""
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def __enter__(self) -> PlainWebServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
