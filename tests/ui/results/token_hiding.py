"""A loopback proxy in front of a real server whose lockdiscovery never shows lock tokens.

Some servers give a lock's token only to whoever took it (RFC 4918 leaves it
to them: section 15.8 lets a server omit locktoken from lockdiscovery), so a
client that did not take the lock cannot release it. This relays every
request to the real server untouched and removes the <locktoken> elements
from what PROPFIND answers.
"""

from __future__ import annotations

import dataclasses
import http.client
import http.server
import re
import threading
from collections.abc import Callable
from types import TracebackType
from urllib.parse import urlsplit

from tests.servers import ServerHandle

_LOCKTOKEN = re.compile(rb"<([\w.-]+:)?locktoken\b[^>]*>.*?</\1?locktoken>", re.DOTALL)
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "te",
    "upgrade",
    "proxy-connection",
    "trailer",
}


class TokenHidingProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.methods: list[str] = []  # every request relayed, by method
        self.stripped = 0  # lock tokens removed
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def __getattr__(self, name: str) -> Callable[[], None]:
                if name.startswith("do_"):
                    return self._relay
                raise AttributeError(name)

            def log_message(self, *args: object) -> None:
                pass

            def _relay(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.methods.append(self.command)
                upstream = http.client.HTTPConnection(*target, timeout=30)
                try:
                    headers = {
                        k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP
                    }
                    upstream.request(self.command, self.path, body=body or None, headers=headers)
                    answer = upstream.getresponse()
                    data = answer.read()
                    if self.command == "PROPFIND":
                        data, count = _LOCKTOKEN.subn(b"", data)
                        proxy.stripped += count
                    self.send_response(answer.status, answer.reason)
                    for name, value in answer.getheaders():
                        if name.lower() not in _HOP_BY_HOP:
                            self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                finally:
                    upstream.close()

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="token-hiding-proxy", daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def handle(self, server: ServerHandle) -> ServerHandle:
        """The test server's handle, reached through this proxy (same path)."""
        return dataclasses.replace(server, url=self.url.rstrip("/") + urlsplit(server.url).path)

    def __enter__(self) -> TokenHidingProxy:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
