"""A loopback HTTP proxy that breaks a set share of the requests it relays to a real server.

    with FaultProxy(apache.url, share=0.2, seed=7) as proxy:
        client = DavClient(proxy.url_for(apache.url), ...)
        with proxy.healthy():        # planning sees the server as it is
            job = plan_upload(...)
        run(job)                     # 20 % of the job's requests fail, one way or another
        proxy.injected               # Counter of the faults by kind

The faults are what a flaky network, an overloaded server or a restarting
reverse proxy do to a client, on both sides of the moment the server acts:

``reset-before``  the connection is reset; the request never reaches the server.
``reset-after``   the server carries the request out, then the connection is reset:
                  the answer is lost, the effect is not.
``stall``         the server carries the request out; its answer never comes (until
                  the client gives up and closes the connection).
``hang``          the request never reaches the server, and no answer comes either
                  (not among the default faults: a server that has stopped).
``truncate``      the server's answer is cut off half-way through its body.
``500``, ``503``, ``429``  answered by the proxy itself, the server never sees the request
                  (503 and 429 with ``Retry-After``).

Which requests fail is decided from a hash of the seed, the method, the path and
how many times that method and path were seen before, not from the order the
worker threads happen to send them in: the same request meets the same fault
in every run.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import http.client
import select
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from types import TracebackType
from typing import BinaryIO
from urllib.parse import urlsplit

FAULTS = ("reset-before", "reset-after", "stall", "truncate", "500", "503", "429")
KINDS = (*FAULTS, "hang")

#: Not relayed as they are: they describe one connection, not the message.
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length",
                         "te", "upgrade", "proxy-connection", "trailer"})
#: Seconds after which an idle upstream connection is replaced (Apache's KeepAliveTimeout is 5).
_UPSTREAM_IDLE = 2.0
_REASONS = {500: "Internal Server Error", 503: "Service Unavailable", 429: "Too Many Requests",
            502: "Bad Gateway"}


class FaultProxy:
    """Relays HTTP/1.1 from loopback clients to one upstream server, breaking some requests."""

    def __init__(self, upstream: str, *, share: float = 0.2, seed: int = 0,
                 faults: Sequence[str] = FAULTS, retry_after: str = "1",
                 stall_seconds: float = 30.0, methods: Sequence[str] | None = None,
                 first: int | None = None, paths: Callable[[str], bool] | None = None) -> None:
        """methods: only requests with these methods may fail (None: any). first: instead of
        a share, fail the first this many requests of each method and path. paths: only
        requests whose raw path it accepts may fail (None: any)."""
        unknown = set(faults) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown faults: {sorted(unknown)}")
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.share = share
        self.seed = seed
        self.faults = tuple(faults)
        self.retry_after = retry_after
        self.stall_seconds = stall_seconds
        self.methods = frozenset(methods) if methods is not None else None
        self.first = first
        self.paths = paths
        self.faulted = threading.Event()  # set at the first fault injected
        self.injected: collections.Counter[str] = collections.Counter()
        self.requests = 0
        self._seen: collections.Counter[tuple[str, str]] = collections.Counter()
        self._enabled = True
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._connections: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/"

    def url_for(self, upstream_url: str) -> str:
        """The URL that reaches upstream_url through this proxy (same path)."""
        parts = urlsplit(upstream_url)
        return self.url.rstrip("/") + (parts.path or "/")

    @property
    def total_injected(self) -> int:
        return sum(self.injected.values())

    @contextlib.contextmanager
    def healthy(self) -> Iterator[None]:
        """Relay everything untouched for a while (planning, checking)."""
        with self._lock:
            self._enabled = False
        try:
            yield
        finally:
            with self._lock:
                self._enabled = True

    def close(self) -> None:
        self._closing.set()
        self._thread.join(timeout=5)
        self._listener.close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            _reset(connection)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- deciding --------------------------------------------------------------------------

    def seen(self, method: str) -> dict[str, int]:
        """How many requests with this method each path got (faulted or not)."""
        with self._lock:
            return {path: n for (m, path), n in self._seen.items() if m == method}

    def _fault_for(self, method: str, path: str) -> str | None:
        with self._lock:
            self.requests += 1
            key = (method, path)
            self._seen[key] += 1
            if not self._enabled or not self.faults or \
                    (self.methods is not None and method not in self.methods) or \
                    (self.paths is not None and not self.paths(path)):
                return None
            digest = hashlib.blake2b(f"{self.seed}|{method}|{path}|{self._seen[key]}".encode(),
                                     digest_size=16).digest()
            draw, pick = struct.unpack("<QQ", digest)
            hit = self._seen[key] <= self.first if self.first is not None \
                else draw / 2**64 < self.share
            if not hit:
                return None
            fault = self.faults[pick % len(self.faults)]
            self.injected[fault] += 1
            self.faulted.set()
            return fault

    # -- serving ---------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._connections.add(client)
            threading.Thread(target=self._serve, args=(client,), name="fault-proxy-conn",
                             daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream: http.client.HTTPConnection | None = None
        last_used = 0.0
        try:
            reader = client.makefile("rb")
            while not self._closing.is_set():
                request = _read_request(reader)
                if request is None:
                    return
                fault = self._fault_for(request.method, request.target)
                if fault == "reset-before":
                    return
                if fault == "hang":
                    self._stall(client)
                    return
                if fault in ("500", "503", "429"):
                    self._answer_status(client, int(fault))
                    continue
                if upstream is not None and time.monotonic() - last_used > _UPSTREAM_IDLE:
                    upstream.close()  # the server may have dropped it: never relay onto that
                    upstream = None
                if upstream is None:
                    upstream = http.client.HTTPConnection(*self.upstream, timeout=60)
                try:
                    status, reason, answer_headers, answer = _relay(upstream, request)
                except (OSError, http.client.HTTPException):
                    upstream.close()
                    upstream = None
                    self._answer_status(client, 502)
                    continue
                last_used = time.monotonic()
                if fault == "reset-after":
                    return
                if fault == "stall":
                    self._stall(client)
                    return
                head = _response_head(status, reason, answer_headers, len(answer), request.method)
                if fault == "truncate":
                    client.sendall(head + answer[: len(answer) // 2] if answer
                                   else head[: len(head) // 2])
                    return
                client.sendall(head + answer)
                if request.header("connection").lower() == "close":
                    return
        except OSError:
            return
        finally:
            if upstream is not None:
                upstream.close()
            with self._lock:
                self._connections.discard(client)
            _reset(client)

    def _answer_status(self, client: socket.socket, status: int) -> None:
        extra = f"Retry-After: {self.retry_after}\r\n" if status in (503, 429) else ""
        client.sendall(f"HTTP/1.1 {status} {_REASONS[status]}\r\n{extra}"
                       "Content-Length: 0\r\n\r\n".encode())

    def _stall(self, client: socket.socket) -> None:
        """Hold the answer back until the client gives up (closes) or stall_seconds pass."""
        waited = 0.0
        while waited < self.stall_seconds and not self._closing.is_set():
            readable, _, _ = select.select([client], [], [], 0.1)
            if readable:
                return
            waited += 0.1


@dataclass(frozen=True)
class _Request:
    method: str
    target: str
    fields: list[tuple[str, str]]  # as sent, in order
    body: bytes

    def header(self, name: str) -> str:
        return next((value for key, value in self.fields if key.lower() == name), "")


def _read_request(reader: BinaryIO) -> _Request | None:
    """One request from a keep-alive connection (Content-Length bodies only); None at its end."""
    line = reader.readline(65536)
    while line in (b"\r\n", b"\n"):
        line = reader.readline(65536)
    if not line:
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    fields: list[tuple[str, str]] = []
    while True:
        field = reader.readline(65536)
        if field in (b"\r\n", b"\n", b""):
            break
        name, _, value = field.decode("latin-1").partition(":")
        fields.append((name.strip(), value.strip()))
    request = _Request(method, target, fields, b"")
    length = int(request.header("content-length") or 0)
    return replace(request, body=reader.read(length)) if length else request


def _relay(upstream: http.client.HTTPConnection,
           request: _Request) -> tuple[int, str, list[tuple[str, str]], bytes]:
    """Send the request upstream as it came (minus hop-by-hop headers); read the whole answer."""
    upstream.putrequest(request.method, request.target, skip_host=True, skip_accept_encoding=True)
    for name, value in request.fields:
        if name.lower() not in _HOP_BY_HOP:
            upstream.putheader(name, value)
    if request.body or request.header("content-length"):
        upstream.putheader("Content-Length", str(len(request.body)))
    upstream.endheaders(request.body or None)
    response = upstream.getresponse()
    answer = response.read()
    return response.status, response.reason, response.getheaders(), answer


def _response_head(status: int, reason: str, headers: list[tuple[str, str]], length: int,
                   method: str) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers if name.lower() not in _HOP_BY_HOP]
    if method != "HEAD" and status not in (204, 304) and status >= 200:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _reset(connection: socket.socket) -> None:
    """Close with an RST rather than a FIN: what a crashed peer or a middlebox timeout sends."""
    with contextlib.suppress(OSError):
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        connection.close()
