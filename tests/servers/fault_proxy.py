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
``cut-body``      the request's head and half its body reach the server, then the
                  connection ends (the server sees the body end early, the client a
                  reset): an upload cut off mid-body.
``stall-body``    the head and half the body reach the server, then nothing moves either
                  way until the client gives up (or ``stall_seconds`` pass: a client
                  blocked sending cannot be seen to close); then the server's
                  connection ends too. settle() waits for the server to be told.
``500``, ``503``, ``429``  answered by the proxy itself, the server never sees the request
                  (503 and 429 with ``Retry-After``).

The two mid-body faults only meet requests with a body (PUT, PROPFIND,
PROPPATCH, LOCK); a bodiless request drawn for a fault meets one of the others.

Which requests fail is decided from a hash of the seed, the method, the path and
how many times that method and path were seen before, not from the order the
worker threads happen to send them in: the same request meets the same fault
in every run. ``script`` fixes the faults instead, request by request.
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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from types import TracebackType
from typing import BinaryIO
from urllib.parse import urlsplit

FAULTS = (
    "reset-before",
    "reset-after",
    "stall",
    "truncate",
    "cut-body",
    "stall-body",
    "500",
    "503",
    "429",
)
KINDS = (*FAULTS, "hang")
#: Faults that happen part-way through a request's body.
BODY_FAULTS = frozenset({"cut-body", "stall-body"})
#: Script of faults: for a (method, raw path), the fault the 1st, 2nd, ... request meets
#: (None: relayed untouched), counting only requests outside healthy(); requests beyond
#: the list are relayed untouched.
Script = Mapping[tuple[str, str], Sequence[str | None]]

#: Not relayed as they are: they describe one connection, not the message.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "content-length",
        "te",
        "upgrade",
        "proxy-connection",
        "trailer",
    }
)
#: Seconds after which an idle upstream connection is replaced (Apache's KeepAliveTimeout is 5).
_UPSTREAM_IDLE = 2.0
#: Seconds the server is given to settle a request whose body was cut off.
_SETTLE = 10.0
_TCP_ESTABLISHED = 1
_REASONS = {
    500: "Internal Server Error",
    503: "Service Unavailable",
    429: "Too Many Requests",
    502: "Bad Gateway",
}


class FaultProxy:
    """Relays HTTP/1.1 from loopback clients to one upstream server, breaking some requests."""

    def __init__(
        self,
        upstream: str,
        *,
        share: float = 0.2,
        seed: int = 0,
        faults: Sequence[str] = FAULTS,
        retry_after: str = "1",
        stall_seconds: float = 30.0,
        methods: Sequence[str] | None = None,
        first: int | None = None,
        paths: Callable[[str], bool] | None = None,
        script: Script | None = None,
    ) -> None:
        """methods: only requests with these methods may fail (None: any). first: instead of
        a share, fail the first this many requests of each method and path. paths: only
        requests whose raw path it accepts may fail (None: any). script: exactly these
        faults, request by request (share, faults and first then do not apply)."""
        scripted = {f for planned in (script or {}).values() for f in planned if f is not None}
        unknown = (set(faults) | scripted) - set(KINDS)
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
        self.script = script
        self.faulted = threading.Event()  # set at the first fault injected
        self.injected: collections.Counter[str] = collections.Counter()
        self.requests = 0
        self._seen: collections.Counter[tuple[str, str]] = collections.Counter()
        self._scripted: collections.Counter[tuple[str, str]] = (
            collections.Counter()
        )  # not healthy()
        self._enabled = True
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._cutting = 0  # requests cut mid-body whose server side has not ended yet
        self._settled = threading.Condition(self._lock)
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

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until every request cut mid-body has ended on the server's side too.

        Until then the server may still be holding the part of the body it
        got (Apache keeps it in a temporary file): check the server's disk after this.
        """
        with self._settled:
            if not self._settled.wait_for(lambda: self._cutting == 0, timeout):
                raise TimeoutError(f"{self._cutting} cut requests still open after {timeout} s")

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

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- deciding --------------------------------------------------------------------------

    def seen(self, method: str) -> dict[str, int]:
        """How many requests with this method each path got (faulted or not)."""
        with self._lock:
            return {path: n for (m, path), n in self._seen.items() if m == method}

    def _fault_for(self, method: str, path: str, has_body: bool) -> str | None:
        with self._lock:
            self.requests += 1
            key = (method, path)
            self._seen[key] += 1
            if not self._enabled:
                return None
            if self.script is not None:
                self._scripted[key] += 1
                planned, number = self.script.get(key, ()), self._scripted[key]
                fault = planned[number - 1] if number <= len(planned) else None
                return self._count(fault) if fault is not None else None
            fitting = [f for f in self.faults if has_body or f not in BODY_FAULTS]
            if (
                not fitting
                or (self.methods is not None and method not in self.methods)
                or (self.paths is not None and not self.paths(path))
            ):
                return None
            digest = hashlib.blake2b(
                f"{self.seed}|{method}|{path}|{self._seen[key]}".encode(), digest_size=16
            ).digest()
            draw, pick = struct.unpack("<QQ", digest)
            hit = (
                self._seen[key] <= self.first
                if self.first is not None
                else draw / 2**64 < self.share
            )
            return self._count(fitting[pick % len(fitting)]) if hit else None

    def _count(self, fault: str) -> str:
        """Record a fault as injected (the lock is held)."""
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
            threading.Thread(
                target=self._serve, args=(client,), name="fault-proxy-conn", daemon=True
            ).start()

    def _serve(self, client: socket.socket) -> None:
        upstream: http.client.HTTPConnection | None = None
        last_used = 0.0
        try:
            reader = client.makefile("rb")
            while not self._closing.is_set():
                head = _read_head(reader)
                if head is None:
                    return
                length = int(head.header("content-length") or 0)
                fault = self._fault_for(head.method, head.target, has_body=length > 1)
                if fault == "reset-before":
                    return
                if fault in BODY_FAULTS:
                    self._cut_mid_body(client, reader, head, length, stall=fault == "stall-body")
                    return
                request = replace(head, body=reader.read(length)) if length else head
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
                answer_head = _response_head(
                    status, reason, answer_headers, len(answer), request.method
                )
                if fault == "truncate":
                    client.sendall(
                        answer_head + answer[: len(answer) // 2]
                        if answer
                        else answer_head[: len(answer_head) // 2]
                    )
                    return
                client.sendall(answer_head + answer)
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
        client.sendall(
            f"HTTP/1.1 {status} {_REASONS[status]}\r\n{extra}Content-Length: 0\r\n\r\n".encode()
        )

    def _stall(self, client: socket.socket) -> None:
        """Hold the answer back until the client gives up (closes) or stall_seconds pass."""
        waited = 0.0
        while waited < self.stall_seconds and not self._closing.is_set():
            readable, _, _ = select.select([client], [], [], 0.1)
            if readable:
                return
            waited += 0.1

    def _cut_mid_body(
        self, client: socket.socket, reader: BinaryIO, head: _Request, length: int, stall: bool
    ) -> None:
        """Relay the head and half the body on a connection of its own, then end the request.

        The server is sent the end of the connection (a FIN) where the rest of
        the body should be, and its reaction is waited for before the client
        learns anything: by the time the client looks, the server has settled
        what it keeps of the cut request. With stall, nothing moves either way
        first, until the client gives up (or stall_seconds pass).
        """
        half = reader.read(length // 2)
        with self._lock:
            self._cutting += 1
        try:
            upstream = socket.create_connection(self.upstream, timeout=_SETTLE)
        except OSError:
            self._cut_ended()
            return
        try:
            upstream.sendall(_head_bytes(head, length) + half)
            if stall:
                self._wait_for_hang_up(client)
            upstream.shutdown(socket.SHUT_WR)
            with contextlib.suppress(OSError):
                while upstream.recv(65536):
                    pass
        except OSError:
            pass
        finally:
            upstream.close()
            self._cut_ended()

    def _cut_ended(self) -> None:
        with self._settled:
            self._cutting -= 1
            self._settled.notify_all()

    def _wait_for_hang_up(self, client: socket.socket) -> None:
        """Until the client closes its end, reading nothing: its unsent body stays unsent.

        A client that gave up while blocked sending has its close queued behind
        the body this end does not read, so that close is never seen:
        stall_seconds ends the wait then.
        """
        waited = 0.0
        while waited < self.stall_seconds and not self._closing.is_set():
            if not _still_open(client):
                return
            time.sleep(0.05)
            waited += 0.05


@dataclass(frozen=True)
class _Request:
    method: str
    target: str
    fields: list[tuple[str, str]]  # as sent, in order
    body: bytes

    def header(self, name: str) -> str:
        return next((value for key, value in self.fields if key.lower() == name), "")


def _read_head(reader: BinaryIO) -> _Request | None:
    """The request line and headers of one request from a keep-alive connection (its
    Content-Length body is left to read); None at the connection's end."""
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
    return _Request(method, target, fields, b"")


def _head_bytes(request: _Request, length: int) -> bytes:
    """The request line and headers as relayed (hop-by-hop ones dropped), promising length."""
    lines = [f"{request.method} {request.target} HTTP/1.1"]
    lines += [
        f"{name}: {value}" for name, value in request.fields if name.lower() not in _HOP_BY_HOP
    ]
    lines += [f"Content-Length: {length}", "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _still_open(connection: socket.socket) -> bool:
    """Whether the peer has not closed: the TCP state, where the system tells it (Linux),
    since unread data hides a close from select(); elsewhere assume open."""
    info = getattr(socket, "TCP_INFO", None)
    if info is None:
        return True
    try:
        return connection.getsockopt(socket.IPPROTO_TCP, info, 1)[0] == _TCP_ESTABLISHED
    except OSError:
        return False


def _relay(
    upstream: http.client.HTTPConnection, request: _Request
) -> tuple[int, str, list[tuple[str, str]], bytes]:
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


def _response_head(
    status: int, reason: str, headers: list[tuple[str, str]], length: int, method: str
) -> bytes:
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
