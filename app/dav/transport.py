"""The transport core of a connection: requests, auth, retries of read-only requests, transcript.

One Transport (as a DavClient) serves every worker thread of a connection:
httpx.Client is thread-safe and pools keep-alive connections, so the pool is
sized to the number of workers. Every request goes out through `_send`:
same-origin redirects only, the transcript, transport errors mapped into the
exception tree (errors.py). What the requests mean, WebDAV's methods, is
client.py's; turning a multistatus into Outcomes is members.py's; uploads are
uploads.py's and chunked.py's, which see a connection only through the narrow
UploadTarget (upload_target.py).
"""

from __future__ import annotations

import contextlib
import ssl
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Self, TypeVar
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

from app import __version__
from app.dav import errors, multistatus
from app.dav.auth import NegotiatingAuth
from app.dav.bodies import ERROR_BODY_LIMIT, Reply, drain, read_limited, reusable
from app.dav.extensions import NO_EXTENSIONS, ServerExtensions
from app.dav.interrupt import Watch, WatchingBackend
from app.dav.paths import basename, quote_path, url_path
from app.dav.retry import RetryPolicy
from app.dav.transcript import Transcript
from app.dav.transfer import FileBody, FileSlice
from app.dav.xmlbodies import parse_error_body

T = TypeVar("T")

_REDIRECTS = frozenset({301, 302, 307, 308})
#: Methods that change nothing on the server: the client sends them again itself after a
#: retryable failure (RetryPolicy), whoever called it.
_READ_ONLY = frozenset({"GET", "HEAD", "OPTIONS", "PROPFIND", "REPORT", "SEARCH"})
_MAX_REDIRECTS = 5

# An http:// client never speaks TLS (redirects to another origin, https included, are
# refused), so it gets a context that trusts nothing instead of loading the CA bundle.
_NO_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds. Read covers a server that stops sending mid-body."""

    connect: float = 10.0
    read: float = 60.0


class Transport:
    """A connection to one server, shared by all threads that work on it: DavClient's core."""

    def __init__(
        self,
        base_url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        workers: int = 4,
        timeouts: Timeouts = Timeouts(),
        verify: bool | ssl.SSLContext = True,
        http2: bool = True,
        transport: httpx.BaseTransport | None = None,
        transcript: Transcript | None = None,
        extensions: ServerExtensions = NO_EXTENSIONS,
        retry: RetryPolicy | None = None,
        basic_first: bool = False,
    ) -> None:
        """retry: how read-only requests are repeated after a retryable failure; the same
        policy is the job runner's for the tasks it runs on this client. basic_first: the
        server is known to take Basic (a Nextcloud): the first request carries it, without
        waiting to be challenged (app/dav/auth.py)."""
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise errors.DavError(f"not an http(s) URL: {base_url!r}")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
        self._origin_key = _origin(self.base_url)
        self.root = url_path(self.base_url)
        self._basic_first = basic_first
        self.auth = NegotiatingAuth(user, password or "", basic_first=basic_first) if user else None
        self.transcript = transcript or Transcript()
        self.extensions = extensions
        self.retry = retry or RetryPolicy()
        self._caller_retries = threading.local()
        self._closed = threading.Event()  # ends a wait between attempts
        https = parts.scheme == "https"
        #: Requests this client may have under way at once (its connection pool).
        self.workers = workers
        limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
        self._backend = WatchingBackend()
        if transport is None:
            transport = _watched_transport(
                self._backend,
                verify=verify if https else _NO_TLS,
                http2=http2 and https,
                limits=limits,
            )
        self._http = httpx.Client(
            auth=self.auth,
            # HTTP/2 needs TLS (ALPN); on plain http importing h2 would only cost start-up time.
            http2=http2 and https,
            verify=verify if https else _NO_TLS,
            timeout=httpx.Timeout(timeouts.read, connect=timeouts.connect, pool=None),
            limits=limits,
            headers={"User-Agent": f"davdesk/{__version__}"},
            follow_redirects=False,
            transport=transport,
        )
        self._pool = transport
        #: The same connection without its session's cookies (request(session=False)).
        self._sessionless: httpx.Client | None = None
        self._sessionless_made = threading.Lock()

    def close(self) -> None:
        self._closed.set()
        self._http.close()

    @contextlib.contextmanager
    def retried_by_caller(self) -> Iterator[None]:
        """In the block, this thread's requests are sent once: the caller repeats what failed
        under the same policy (a job task, which must first check whether it took effect),
        so that no request is repeated by two loops, each with its own budget."""
        before = getattr(self._caller_retries, "on", False)
        self._caller_retries.on = True
        try:
            yield
        finally:
            self._caller_retries.on = before

    def _retried(self, call: Callable[[], T]) -> T:
        """call() (read-only requests), repeated under the client's policy unless the caller
        repeats it itself."""
        if getattr(self._caller_retries, "on", False):
            return call()
        return self.retry.run(call, wait=self._closed.wait, stopped=self._closed.is_set)

    def retried(self, call: Callable[[], T], took_effect: Callable[[], T | None] | None) -> T:
        """A write sent outside a job, under the client's policy (app/dav/writes.py)."""
        return self.retry.run(call, self._closed.wait, self._closed.is_set, took_effect)

    def sign_in(self, user: str, password: str) -> None:
        """Use other credentials from the next request on (after a 401, the user typed them again).

        A fresh auth object forgets the scheme learned from the old
        credentials' challenges, so the next request learns it anew.
        """
        self.auth = NegotiatingAuth(user, password, basic_first=self._basic_first)
        self._http.auth = self.auth
        with self._sessionless_made:
            if self._sessionless is not None:
                self._sessionless.auth = self.auth
        # A session cookie stands in for the credentials it was set for (Nextcloud skips the
        # password check when it sees one: quirks.SESSION_COOKIE_STANDS_IN): it must not
        # outlive them.
        self._http.cookies.clear()

    def use(self, extensions: ServerExtensions) -> None:
        """Speak these protocol extensions from now on (found out after connecting).

        Set it before handing the client to worker threads: they read it without a lock.
        """
        self.extensions = extensions

    def watch(self) -> contextlib.AbstractContextManager[Watch]:
        """Track the requests this thread sends in the block, so that another thread can cut
        off those a stalled server leaves hanging (`Watch.cut`): a cancel then ends at once."""
        return self._backend.watch()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- paths and URLs -------------------------------------------------

    def url(self, path: str) -> str:
        """The absolute URL of a decoded server path (relative paths are under base_url)."""
        if not path.startswith("/"):
            path = self.root + path
        return self.origin + quote_path(path)

    def path_of(self, url: str) -> str:
        """The decoded server path of a URL on this server."""
        if _origin(url) != self._origin_key:
            raise errors.DavError(f"{url} is not on {self.origin}")
        return url_path(url)

    # -- the one place requests go out ------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        content: bytes | Iterable[bytes] | None = None,
        query: Mapping[str, str] | None = None,
        session: bool = True,
    ) -> httpx.Response:
        """Send one request, following same-origin redirects and mapping transport errors.

        The response is always streamed: callers read or drain it, and its
        exchange goes to the transcript when it is closed. session=False: see request().
        """
        url = self.url(path) + (f"?{urlencode(query)}" if query else "")
        if self._http.is_closed:
            # The window that owned this connection closed it while a job was still ending
            # (a cleanup, a last check): an error of the tree, not httpx's RuntimeError.
            raise errors.ClosedError(f"{method} {url}: the connection was closed")
        if isinstance(content, FileBody | FileSlice) and self.auth and self.auth.scheme is None:
            # Learn the auth scheme with a bodiless request rather than by sending a big file
            # to be refused with 401 and sent again.
            drain(self._send("OPTIONS", path))
        http = self._http if session else self._outside_session()
        for _ in range(_MAX_REDIRECTS + 1):
            request = http.build_request(method, url, headers=headers, content=content)
            recording = self.transcript.begin(request)
            try:
                response = http.send(request, stream=True)
            except httpx.TransportError as exc:
                error = errors.map_transport_error(exc, method, url)
                self.transcript.failed(recording, error)
                raise error from exc
            self.transcript.answered(recording, response)
            location = response.headers.get("location")
            if response.status_code not in _REDIRECTS or not location:
                return response
            drain(response)  # a folder's URL without its slash: quirks.COLLECTION_REDIRECT
            target = urljoin(url, location)
            if _origin(target) != self._origin_key:
                raise errors.UnsafeRedirectError(
                    f"{method} {url}: the server redirected to {target}; "
                    "not following it, so the credentials stay with this server",
                    target,
                )
            url = target
        raise errors.ProtocolError(f"{method} {url}: more than {_MAX_REDIRECTS} redirects")

    def _outside_session(self) -> httpx.Client:
        """An httpx client on this connection's pool, with its credentials and headers but
        a cookie jar of its own, made at first use. Never closed itself: close() closes
        the pool it shares."""
        with self._sessionless_made:
            if self._sessionless is None:
                self._sessionless = httpx.Client(
                    auth=self.auth,
                    timeout=self._http.timeout,
                    headers=self._http.headers,
                    follow_redirects=False,
                    transport=self._pool,
                )
            return self._sessionless

    @contextlib.contextmanager
    def exchange(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        content: bytes | Iterable[bytes] | None = None,
    ) -> Iterator[httpx.Response]:
        """A request sent once, a failure status raised as its StatusError; the block reads
        what it needs of the streamed answer, which is then drained and closed (its
        connection goes back to the pool)."""
        with reusable(self._send(method, path, headers=headers, content=content)) as response:
            self._raise_for_status(response, method)
            yield response

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        content: bytes | Iterable[bytes] | None = None,
        query: Mapping[str, str] | None = None,
        limit: int = ERROR_BODY_LIMIT,
        raise_for_status: bool = True,
        session: bool = True,
    ) -> Reply:
        """A request no method here wraps, sent the way every other one is.

        Same-origin redirects only, the transcript, errors mapped into the
        exception tree, a failure status raised as its StatusError. The body
        is read whole up to limit bytes; a longer one is an error rather than
        a truncated document. A read-only request is sent again after a retryable failure.
        raise_for_status=False: a failure status is returned too (an API whose error bodies
        say more than the status, such as OCS v2). session=False: sent outside the
        connection's session (its credentials, none of its cookies), and a cookie the answer
        sets is not kept: a request that goes while the session is being opened by another
        must not become the session (quirks.OCS_SESSION_FAILS_CSRF).
        """
        if method.upper() in _READ_ONLY:
            return self._retried(
                lambda: self._request_once(
                    method,
                    path,
                    headers=headers,
                    content=content,
                    query=query,
                    limit=limit,
                    raising=raise_for_status,
                    session=session,
                )
            )
        return self._request_once(
            method,
            path,
            headers=headers,
            content=content,
            query=query,
            limit=limit,
            raising=raise_for_status,
            session=session,
        )

    def _request_once(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None,
        content: bytes | Iterable[bytes] | None,
        query: Mapping[str, str] | None,
        limit: int,
        raising: bool = True,
        session: bool = True,
    ) -> Reply:
        with reusable(
            self._send(method, path, headers=headers, content=content, query=query, session=session)
        ) as response:
            if raising or response.status_code in errors.RETRYABLE_STATUSES:
                self._raise_for_status(response, method)
            body = read_limited(response, method, limit=limit + 1)
            if len(body) > limit:
                raise errors.ProtocolError(
                    f"{method} {response.url}: the answer is larger than {limit} bytes"
                )
            return Reply(
                response.status_code,
                response.reason_phrase,
                response.headers,
                body,
                str(response.url),
            )

    def _check_name(self, path: str) -> None:
        """Refuse, before sending anything, a name the server's published rules forbid."""
        rules = self.extensions.names
        problem = rules.problem(basename(path)) if rules else None
        if problem:
            raise errors.ForbiddenNameError(f"{basename(path)}: {problem}")

    def _raise_for_status(
        self, response: httpx.Response, method: str, body: bytes | None = None
    ) -> None:
        """Raise the StatusError for a failure status, with what its body (read here unless
        given: a streamed body can be read once) said."""
        if response.status_code < 400:
            return
        if body is None:
            body = read_limited(response, method)
        parsed = parse_error_body(body)
        raise errors.status_error_class(response.status_code)(
            method,
            str(response.url),
            response.status_code,
            response.reason_phrase,
            condition=parsed.condition if parsed else None,
            condition_hrefs=tuple(self._href_path(h) for h in parsed.hrefs) if parsed else (),
            description=parsed.description if parsed else None,
            headers=response.headers,
            lock_submitted="if" in response.request.headers,
            server_exception=parsed.exception if parsed else None,
        )

    def _href_path(self, href: str) -> str:
        return multistatus.href_to_path(href, self.base_url)


def _watched_transport(
    backend: WatchingBackend, *, verify: bool | ssl.SSLContext, http2: bool, limits: httpx.Limits
) -> httpx.HTTPTransport:
    """httpx's own transport, its connection pool on a backend whose sockets can be cut.

    httpx takes no network backend for its pool, while httpcore's pool does:
    it is set on the pool httpx built, before any connection exists.
    """
    transport = httpx.HTTPTransport(verify=verify, http2=http2, limits=limits)
    transport._pool._network_backend = backend
    return transport


def _origin(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"
