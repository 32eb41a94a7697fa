"""A WebDAV server that lies: 207 bodies and hrefs crafted to make a client read, write or hang.

    with HostileServer() as server:
        server.answer("PROPFIND", "/share/", 207, bodies.xxe("/etc/passwd"))
        DavClient(server.url + "share/").listdir("/share/")   # must fail cleanly

Each answer is fixed by method and path (and, if given, the Depth header, so
a folder can describe itself plainly and list its members hostilely); anything
not set answers like a plain server (a Depth 0 PROPFIND describes a folder,
GET sends a few bytes).
Every request is recorded (method, path, headers) and so is how many body
bytes each answer got out before the client hung up: a client that stops
reading a 50 MB body early is seen to have stopped. The bodies themselves
are made by the functions at the end of this module.
"""

from __future__ import annotations

import base64
import http.server
import socket
import ssl
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

Body = bytes | Callable[[], Iterable[bytes]]


@dataclass(frozen=True)
class Answer:
    status: int
    body: Body = b""
    headers: tuple[tuple[str, str], ...] = ()
    length: int | None = None  # Content-Length of a streamed body


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    sent: int = 0  # body bytes written before the answer ended or the client hung up


@dataclass
class _State:
    answers: dict[tuple[str, str, str | None], Answer] = field(default_factory=dict)
    responders: dict[str, Callable[[str], Answer | None]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class HostileServer:
    """An HTTP/1.1 server on a free loopback port, answering what the test told it to."""

    def __init__(
        self, *, certificate: tuple[Path, Path] | None = None, password: str | None = None
    ) -> None:
        """certificate: (cert, key) PEM files to speak HTTPS with; password: ask for Basic auth
        (any user) and refuse a request without it, as a real share does."""
        state = self._state = _State()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in separate writes

            def __getattr__(self, name: str) -> Callable[[], None]:
                if name.startswith("do_"):
                    return self._answer
                raise AttributeError(name)

            def log_message(self, *args: object) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                seen = Seen(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}
                )
                with state.lock:
                    state.seen.append(seen)
                    if password is not None and not _authorized(seen.headers, password):
                        answer = Answer(401, b"", (("WWW-Authenticate", 'Basic realm="hostile"'),))
                    else:
                        depth = seen.headers.get("depth")
                        answer = state.answers.get(
                            (self.command, self.path, depth)
                        ) or state.answers.get((self.command, self.path, None))
                    responder = state.responders.get(self.command)
                if answer is None and responder is not None:
                    answer = responder(self.path)
                if answer is None:
                    answer = _plain(self.command, self.path)
                self.send_response(answer.status)
                for name, value in answer.headers:
                    self.send_header(name, value)
                chunks: Iterable[bytes] = (
                    [answer.body] if isinstance(answer.body, bytes) else answer.body()
                )
                total = len(answer.body) if isinstance(answer.body, bytes) else answer.length
                self.send_header("Content-Length", str(total))
                self.end_headers()
                try:
                    for chunk in chunks:
                        self.wfile.write(chunk)
                        seen.sent += len(chunk)
                except OSError:
                    self.close_connection = True
                if seen.sent != total:  # the body broke its promise: end it as a crash would
                    self.close_connection = True

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if certificate is not None:
            self.use_certificate(*certificate)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="hostile", daemon=True
        )

    @property
    def url(self) -> str:
        scheme = "https" if self._server.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}/"

    def use_certificate(self, cert: Path, key: Path) -> None:
        """Present this certificate from the next connection on (same address, new certificate)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self._server.tls = context

    def answer(
        self,
        method: str,
        path: str,
        status: int,
        body: Body = b"",
        *,
        headers: Iterable[tuple[str, str]] = (),
        length: int | None = None,
        depth: str | None = None,
    ) -> None:
        """Answer method on path (as sent on the request line) with this, every time; with
        depth, only requests with that Depth header (others: as set without one, or plain)."""
        if not isinstance(body, bytes) and length is None:
            raise ValueError("a streamed body needs its length")
        xml = status == 207 and not any(n.lower() == "content-type" for n, _ in headers)
        extra = (("Content-Type", 'application/xml; charset="utf-8"'),) if xml else ()
        with self._state.lock:
            self._state.answers[(method, path, depth)] = Answer(
                status, body, (*extra, *headers), length
            )

    def answer_with(self, method: str, responder: Callable[[str], Answer | None]) -> None:
        """Answer method on any path not set by answer() with responder(path), unless None."""
        with self._state.lock:
            self._state.responders[method] = responder

    def seen(self, method: str | None = None) -> list[Seen]:
        with self._state.lock:
            return [s for s in self._state.seen if method is None or s.method == method]

    def __enter__(self) -> HostileServer:
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


#: Bytes of socket buffer the tests allow on each side of a hostile exchange (the kernel
#: doubles it); fixed, so that autotuning (megabytes on loopback) cannot blur a count.
SOCKET_BUFFER = 64 * 1024


class _Server(http.server.ThreadingHTTPServer):
    """Speaks TLS when given a context; a client refusing the handshake is not worth a trace."""

    tls: ssl.SSLContext | None = None

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        # A fixed, small send buffer: what the server counts as sent is then what the client
        # took, give or take this buffer and the client's (tests/hardening/conftest.py).
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)
        if self.tls is not None:
            connection = self.tls.wrap_socket(
                connection, server_side=True, do_handshake_on_connect=False
            )
        return connection, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


def _authorized(headers: dict[str, str], password: str) -> bool:
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        return base64.b64decode(credentials).decode().partition(":")[2] == password
    except ValueError:
        return False


def _plain(method: str, path: str) -> Answer:
    if method == "PROPFIND":
        return Answer(
            207,
            multistatus(response(path, collection=path.endswith("/"))),
            (("Content-Type", "application/xml"),),
        )
    if method == "GET":
        return Answer(200, f"payload of {path}".encode())
    if method == "OPTIONS":
        return Answer(200, b"", (("DAV", "1, 2"), ("Allow", "OPTIONS, GET, PROPFIND")))
    return Answer(405)


# -- the bodies -------------------------------------------------------------------------------

_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'


def response(href: str, *, collection: bool = False, size: int = 7, raw: bool = False) -> str:
    """One <d:response> of a listing; href is quoted unless raw (sent exactly as given)."""
    spelled = href if raw else quote(href, safe="/:")
    kind = "<d:collection/>" if collection else ""
    length = "" if collection else f"<d:getcontentlength>{size}</d:getcontentlength>"
    return (
        f"<d:response><d:href>{spelled}</d:href><d:propstat><d:prop>"
        f"<d:resourcetype>{kind}</d:resourcetype>{length}</d:prop>"
        "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
    )


def multistatus(*responses: str, doctype: str = "") -> bytes:
    return (
        f'{_HEAD}{doctype}<d:multistatus xmlns:d="DAV:">{"".join(responses)}</d:multistatus>'
    ).encode()


def listing(folder: str, hrefs: Iterable[str]) -> bytes:
    """A Depth 1 listing of folder whose members are these hrefs, sent exactly as given."""
    return multistatus(
        response(folder, collection=True),
        *(response(href, raw=True, collection=href.endswith("/")) for href in hrefs),
    )


def xxe(folder: str, local_file: str) -> bytes:
    """An external entity naming a local file, used in an href and a property."""
    doctype = f'<!DOCTYPE d:multistatus [<!ENTITY xxe SYSTEM "file://{local_file}">]>\n'
    return multistatus(
        response(folder, collection=True),
        f"<d:response><d:href>{folder}&xxe;</d:href><d:propstat><d:prop>"
        "<d:displayname>&xxe;</d:displayname></d:prop>"
        "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>",
        doctype=doctype,
    )


def billion_laughs(folder: str) -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    doctype = f"<!DOCTYPE d:multistatus [{''.join(entities)}]>\n"
    return multistatus(
        response(folder, collection=True),
        f"<d:response><d:href>{folder}&lol9;</d:href></d:response>",
        doctype=doctype,
    )


def external_dtd(folder: str, dtd_url: str) -> bytes:
    """A DOCTYPE naming a DTD to fetch (over the network, or a file:// one)."""
    return multistatus(
        response(folder, collection=True),
        f"<d:response><d:href>{folder}&xxe;</d:href></d:response>",
        doctype=f'<!DOCTYPE d:multistatus SYSTEM "{dtd_url}">\n',
    )


def invalid_utf8(folder: str) -> bytes:
    good = multistatus(response(folder, collection=True), response(folder + "MARK.txt"))
    return good.replace(b"MARK", b"bad \xff\xfe \xc3\x28 name")


def deep_nesting(
    folder: str, total: int = 50 * 1024 * 1024
) -> tuple[Callable[[], Iterator[bytes]], int]:
    """(chunks, length): a response whose property nests <x> elements for total bytes."""
    head = (
        f'{_HEAD}<d:multistatus xmlns:d="DAV:"><d:response><d:href>{quote(folder)}</d:href>'
        "<d:propstat><d:prop><d:displayname>"
    ).encode()
    chunk = b"<x>" * (1 << 16)
    count = (total - len(head)) // len(chunk)

    def chunks() -> Iterator[bytes]:
        yield head
        for _ in range(count):
            yield chunk

    return chunks, len(head) + count * len(chunk)
