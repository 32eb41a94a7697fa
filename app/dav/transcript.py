"""The HTTP transcript: every request a client sent and what came back, secrets redacted.

Two readers need it. The results pane's "Show raw response" needs the exact
exchange that produced an Outcome: headers and the multistatus body as the
server sent them, because a parsed Outcome can only say what the parser
understood. The transcript view needs one line per request since the app
started, with timings, to see what a job did on the wire.

Keeping everything would cost megabytes per thousand requests, so the
transcript keeps slim lines (request line, status line, timing) and the full
exchange (headers, bodies) goes only to whoever captures it while a task
runs (see ``capture``); the job engine keeps it for tasks that failed.

Credentials never enter an Exchange: Authorization, Proxy-Authorization,
Cookie and Set-Cookie values are replaced before anything is stored, and
password elements in XML bodies (Nextcloud's app passwords) are blanked.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import threading
import time
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime

import httpx
from lxml import etree

REDACTED = "[redacted]"
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
#: Bytes of a response body kept for the raw view: any <d:error> or a multistatus of
#: thousands of failed members, bounded for a hostile server or a huge listing.
BODY_LIMIT = 256 * 1024
#: Request bodies are kept only when small XML (PROPFIND, PROPPATCH, LOCK), never file data.
REQUEST_BODY_LIMIT = 64 * 1024
#: Lines kept for the transcript view; older ones are dropped and counted.
KEEP_LINES = 200_000

_SECRET_ELEMENT = re.compile(
    rb"(<(?:[\w.-]+:)?(?:app)?password>)[^<]*(</(?:[\w.-]+:)?(?:app)?password>)", re.IGNORECASE
)
_PRETTY_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=True
)
Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and its answer (or why none came). Immutable once recorded."""

    seq: int
    started: float  # seconds since the epoch
    method: str
    url: str
    http_version: str = ""
    status: int | None = None
    reason: str = ""
    elapsed: float | None = None  # seconds from sending to the end of the body
    error: str | None = None
    request_headers: Headers = ()
    response_headers: Headers = ()
    request_body: bytes | None = None
    response_body: bytes | None = None
    body_truncated: bool = False

    @property
    def request_line(self) -> str:
        return f"{self.method} {self.url} {self.http_version or 'HTTP/1.1'}"

    @property
    def status_line(self) -> str:
        if self.status is None:
            return f"no response: {self.error or 'the request did not complete'}"
        return f"{self.http_version} {self.status} {self.reason}".strip()

    @property
    def full(self) -> bool:
        return bool(self.request_headers or self.response_headers)

    def line(self) -> str:
        """One line of the transcript: when, what, what came back, how long it took."""
        clock = datetime.fromtimestamp(self.started).strftime("%H:%M:%S.%f")[:-3]
        took = f"{self.elapsed * 1000:.0f} ms" if self.elapsed is not None else "—"
        answer = (
            f"{self.status} {self.reason}"
            if self.status is not None
            else f"no response ({self.error})"
        )
        return f"{clock}  {self.method} {self.url}  → {answer}  {took}"

    def slim(self) -> Exchange:
        if not (self.full or self.request_body or self.response_body):
            return self
        return replace(
            self, request_headers=(), response_headers=(), request_body=None, response_body=None
        )

    def raw_text(self) -> str:
        """The exchange as it went over the wire, XML bodies pretty-printed."""
        parts = [self.request_line, *_header_lines(self.request_headers)]
        if self.request_body:
            parts += ["", pretty_body(self.request_body, self.request_headers)]
        parts += ["", self.status_line, *_header_lines(self.response_headers)]
        if self.response_body:
            parts += ["", pretty_body(self.response_body, self.response_headers)]
            if self.body_truncated:
                parts.append(f"… (body cut off after {BODY_LIMIT // 1024} KiB)")
        if self.elapsed is not None:
            parts += ["", f"({self.elapsed * 1000:.0f} ms)"]
        if not self.full:
            parts += [
                "",
                "(headers and bodies are kept only for failed tasks, the first 1,000 of a job)",
            ]
        return "\n".join(parts)


def redact_headers(headers: Iterable[tuple[str, str]]) -> Headers:
    return tuple(
        (name, REDACTED if name.lower() in SECRET_HEADERS else value) for name, value in headers
    )


def redact_body(body: bytes) -> bytes:
    return _SECRET_ELEMENT.sub(rb"\1" + REDACTED.encode() + rb"\2", body)


def pretty_body(body: bytes, headers: Headers) -> str:
    """XML indented for reading; anything else (or broken XML) as text."""
    encoding = _header(headers, "content-encoding").lower()
    if encoding in ("gzip", "deflate"):
        try:
            body = zlib.decompressobj(zlib.MAX_WBITS | 32).decompress(body)
        except zlib.error:
            return f"({len(body)} bytes, {encoding}-compressed)"
    if b"<" in body[:200]:
        try:
            root = etree.fromstring(body, _PRETTY_PARSER)
            return etree.tostring(root, pretty_print=True, encoding="unicode").rstrip("\n")
        except etree.XMLSyntaxError:
            pass
    return body.decode("utf-8", "replace")


def _header(headers: Headers, name: str) -> str:
    return next((value for key, value in headers if key.lower() == name), "")


def _header_lines(headers: Headers) -> list[str]:
    return [f"{name}: {value}" for name, value in headers]


def _keeps_body(headers: httpx.Headers) -> bool:
    kind = headers.get("content-type", "")
    return "xml" in kind or kind.startswith("text/")


class _Pending:
    """An exchange being recorded on the thread that sends it: built into an Exchange once,
    when it ends (a frozen dataclass rebuilt at each step would cost more than the request)."""

    __slots__ = ("body", "request", "response", "seq", "started", "started_wall", "truncated")

    def __init__(self, seq: int, request: httpx.Request) -> None:
        self.seq = seq
        self.request = request
        self.response: httpx.Response | None = None
        self.started_wall = time.time()
        self.started = time.monotonic()
        self.body = bytearray()
        self.truncated = False

    def exchange(self, *, error: str | None = None, elapsed: float | None = None) -> Exchange:
        request, response = self.request, self.response
        body = bytes(self.body)
        return Exchange(
            seq=self.seq,
            started=self.started_wall,
            method=request.method,
            url=_shown_url(request.url),
            http_version=response.http_version if response is not None else "",
            status=response.status_code if response is not None else None,
            reason=response.reason_phrase if response is not None else "",
            elapsed=time.monotonic() - self.started if elapsed is None else elapsed,
            error=error,
            # The request as sent: the auth flow added its Authorization header after begin().
            request_headers=redact_headers(
                (response.request if response is not None else request).headers.multi_items()
            ),
            response_headers=redact_headers(response.headers.multi_items())
            if response is not None
            else (),
            request_body=_request_body(request),
            response_body=redact_body(body) if body else None,
            body_truncated=self.truncated,
        )


def _request_body(request: httpx.Request) -> bytes | None:
    """Small XML request bodies (PROPFIND, PROPPATCH, LOCK); never a file's data."""
    if not isinstance(request.stream, httpx.ByteStream) or "xml" not in request.headers.get(
        "content-type", ""
    ):
        return None
    content = request.content
    return redact_body(content) if len(content) <= REQUEST_BODY_LIMIT else None


class _TeeStream(httpx.SyncByteStream):
    """Passes a response body through while keeping its start for the transcript."""

    def __init__(
        self, inner: httpx.SyncByteStream, pending: _Pending, keep: bool, transcript: Transcript
    ) -> None:
        self._inner = inner
        self._pending = pending
        self._keep = keep
        self._transcript = transcript
        self._error: str | None = None
        self._done = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            for chunk in self._inner:
                if self._keep and not self._pending.truncated:
                    room = BODY_LIMIT - len(self._pending.body)
                    self._pending.body += chunk[:room]
                    self._pending.truncated = len(chunk) > room
                yield chunk
        except httpx.TransportError as exc:
            self._error = f"body cut off: {type(exc).__name__}"
            raise

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            if not self._done:
                self._done = True
                self._transcript.finish(self._pending, self._error)


class Transcript:
    """What went over the wire, for one app run; safe to use from any thread."""

    def __init__(self, keep_lines: int = KEEP_LINES) -> None:
        self.keep_lines = keep_lines
        self._lines: deque[Exchange] = deque(maxlen=keep_lines)
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self._published = 0
        self._local = threading.local()

    # -- recording, called by DavClient on the sending thread ----------------------

    def begin(self, request: httpx.Request) -> _Pending:
        return _Pending(next(self._seq), request)

    def failed(self, pending: _Pending, error: BaseException) -> None:
        """The request got no response at all."""
        self._publish(pending.exchange(error=f"{type(error).__name__}: {error}"))

    def answered(self, pending: _Pending, response: httpx.Response) -> httpx.Response:
        """Record the response when its body has been read or dropped.

        Responses httpx handled on the way (an auth challenge) are recorded
        first, so the transcript shows every round trip.
        """
        for earlier in response.history:
            done = _Pending(next(self._seq), earlier.request)
            done.response = earlier
            self._publish(done.exchange(elapsed=_elapsed(earlier)))
        pending.response = response
        # DavClient's httpx.Client is synchronous: httpx itself asserts this of every response.
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _TeeStream(response.stream, pending, _keeps_body(response.headers), self)
        return response

    def finish(self, pending: _Pending, error: str | None) -> None:
        self._publish(pending.exchange(error=error))

    def _publish(self, exchange: Exchange) -> None:
        captured = getattr(self._local, "captured", None)
        if captured is not None:
            captured.append(exchange)
        with self._lock:
            self._lines.append(exchange.slim())
            self._published += 1

    # -- reading -----------------------------------------------------------------------

    @contextlib.contextmanager
    def capture(self) -> Iterator[list[Exchange]]:
        """Collect the full exchanges this thread records inside the block (a task's requests)."""
        outer = getattr(self._local, "captured", None)
        captured: list[Exchange] = []
        self._local.captured = captured
        try:
            yield captured
        finally:
            self._local.captured = outer
            if outer is not None:
                outer.extend(captured)

    def since(self, count: int) -> tuple[list[Exchange], int]:
        """The lines recorded after the first `count`, and the new count to ask with next.

        Lines are in the order their answers ended; a view polls with the
        count it has seen, so each poll costs only what is new.
        """
        with self._lock:
            new = min(self._published - count, len(self._lines))
            start = len(self._lines) - new
            return list(itertools.islice(self._lines, start, None)), self._published

    @property
    def dropped(self) -> int:
        """Lines no longer kept, because the transcript keeps only the newest."""
        with self._lock:
            return self._published - len(self._lines)

    def lines(self) -> list[Exchange]:
        with self._lock:
            return list(self._lines)

    def text(self) -> str:
        return "\n".join(exchange.line() for exchange in self.lines())


def _shown_url(url: httpx.URL) -> str:
    """The URL without user info: a password typed into a URL never reaches the transcript."""
    if url.userinfo:
        url = url.copy_with(username=None, password=None)
    return str(url)


def _elapsed(response: httpx.Response) -> float | None:
    """Seconds to an answer httpx handled on the way; None (timed from now) where httpx never
    timed it: an answer read before it was handed on, as a test's MockTransport makes them."""
    try:
        return response.elapsed.total_seconds()
    except RuntimeError:
        return None
