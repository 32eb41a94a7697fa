"""A loopback proxy that refuses some requests with 503, for retry tests of the engine and the UI."""

from __future__ import annotations

import collections
import http.server
import threading
from collections.abc import Callable

import httpx


class FlakyProxy:
    """A loopback HTTP proxy in front of a real server.

    Answers ``503 Service Unavailable`` with ``Retry-After`` to the first
    ``failures`` requests of each path with a method in ``methods`` (and,
    with ``only``, of the raw request paths it accepts), and forwards
    everything else to the server unchanged.
    """

    HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding",
           "host"}

    def __init__(self, upstream: str, failures: int, retry_after: str = "0",
                 methods: frozenset[str] = frozenset({"PUT"}),
                 only: Callable[[str], bool] = lambda path: True) -> None:
        self.upstream = upstream.rstrip("/")
        self.only = only
        self.failures = failures
        self.retry_after = retry_after
        self.methods = methods
        self.seen: collections.Counter[tuple[str, str]] = collections.Counter()
        self.refused = threading.Event()
        self._lock = threading.Lock()
        self._http = httpx.Client(timeout=30, follow_redirects=False)
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def __getattr__(self, name: str):
                if name.startswith("do_"):
                    return self.relay
                raise AttributeError(name)

            def log_message(self, *args: object) -> None:
                pass

            def relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                key = (self.command, self.path)
                with proxy._lock:
                    proxy.seen[key] += 1
                    refuse = (self.command in proxy.methods and proxy.only(self.path)
                              and proxy.seen[key] <= proxy.failures)
                if refuse:
                    self.send_response(503)
                    self.send_header("Retry-After", proxy.retry_after)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    proxy.refused.set()
                    return
                headers = [(k, v) for k, v in self.headers.items() if k.lower() not in proxy.HOP]
                headers.append(("Accept-Encoding", "identity"))
                answer = proxy._http.request(self.command, proxy.upstream + self.path,
                                             headers=headers, content=body)
                self.send_response(answer.status_code, answer.reason_phrase)
                for k, v in answer.headers.multi_items():
                    if k.lower() not in proxy.HOP:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                """A client that hung up (a cancelled job) is not news."""

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"

    def puts(self) -> dict[str, int]:
        return {path: n for (method, path), n in self.seen.items() if method == "PUT"}

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._http.close()
