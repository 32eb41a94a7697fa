"""DavClient: the WebDAV methods over one shared httpx.Client.

One instance serves every worker thread of a connection: httpx.Client is
thread-safe and pools keep-alive connections, so the pool is sized to the
number of workers. Methods take decoded server paths ("/dav/a b.txt").

Failure reporting has two shapes, because servers have two: a request that
failed as a whole raises a DavError (errors.py); a request the server answered
member by member (a 207, or Apache's 424 with a multistatus body) returns one
Outcome per member plus one for the target, because some members may have
succeeded.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import ssl
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

from app import __version__
from app.dav import checksum, errors, etags, multistatus
from app.dav.auth import NegotiatingAuth
from app.dav.bodies import ERROR_BODY_LIMIT, drain, looks_like_xml, read_limited, reusable
from app.dav.chunked import ChunkedUpload, Waiter
from app.dav.extensions import NO_EXTENSIONS, ServerExtensions
from app.dav.interrupt import Watch, WatchingBackend
from app.dav.listing import FolderMembers, prefetched
from app.dav.members import collection_outcomes, locked_member_outcomes, proppatch_outcome
from app.dav.outcome import Outcome, success
from app.dav.retry import RetryPolicy
from app.dav.paths import basename, quote_path, same_resource, url_path
from app.dav.resource import Resource, parse_http_date
from app.dav.transcript import Transcript
from app.dav.transfer import BytesBody, FileBody, FileSlice, PartFile, ProgressCallback
from app.dav.xmlbodies import (
    LISTING_PROPS,
    MTIME_PROP,
    ActiveLock,
    lock_body,
    parse_error_body,
    parse_lockdiscovery,
    propfind_body,
    proppatch_body,
)

log = logging.getLogger(__name__)
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
class ServerInfo:
    """What OPTIONS told us: DAV compliance classes and allowed methods."""

    dav_classes: frozenset[str]
    allow: frozenset[str]
    server: str | None

    @property
    def supports_locking(self) -> bool:
        return "2" in self.dav_classes


@dataclass(frozen=True, slots=True)
class Reply:
    """A whole answer to a request the client has no method for (OCS, Login Flow, chunks)."""

    status: int
    reason: str
    headers: httpx.Headers
    body: bytes
    url: str


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds. Read covers a server that stops sending mid-body."""

    connect: float = 10.0
    read: float = 60.0


class DavClient:
    """A connection to one WebDAV server, shared by all threads that work on it."""

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
    ) -> None:
        """retry: how read-only requests are repeated after a retryable failure; the same
        policy is the job runner's for the tasks it runs on this client."""
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise errors.DavError(f"not an http(s) URL: {base_url!r}")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
        self._origin_key = _origin(self.base_url)
        self.root = url_path(self.base_url)
        self.auth = NegotiatingAuth(user, password or "") if user else None
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
            transport = _watched_transport(self._backend, verify=verify if https else _NO_TLS,
                                           http2=http2 and https, limits=limits)
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
        self.auth = NegotiatingAuth(user, password)
        self._http.auth = self.auth
        # A session cookie stands in for the credentials it was set for (Nextcloud skips the
        # password check when it sees one): it must not outlive them.
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

    def __enter__(self) -> DavClient:
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
    ) -> httpx.Response:
        """Send one request, following same-origin redirects and mapping transport errors.

        The response is always streamed: callers read or drain it, and its
        exchange goes to the transcript when it is closed.
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
        for _ in range(_MAX_REDIRECTS + 1):
            request = self._http.build_request(method, url, headers=headers, content=content)
            recording = self.transcript.begin(request)
            try:
                response = self._http.send(request, stream=True)
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
                    "not following it, so the credentials stay with this server", target)
            url = target
        raise errors.ProtocolError(f"{method} {url}: more than {_MAX_REDIRECTS} redirects")

    def request(self, method: str, path: str, *, headers: Mapping[str, str] | None = None,
                content: bytes | Iterable[bytes] | None = None,
                query: Mapping[str, str] | None = None, limit: int = ERROR_BODY_LIMIT,
                raise_for_status: bool = True) -> Reply:
        """A request no method here wraps, sent the way every other one is.

        Same-origin redirects only, the transcript, errors mapped into the
        exception tree, a failure status raised as its StatusError. The body
        is read whole up to limit bytes; a longer one is an error rather than
        a truncated document. A read-only request is sent again after a retryable failure.
        raise_for_status=False: a failure status is returned too (an API whose error bodies
        say more than the status, such as OCS v2).
        """
        if method.upper() in _READ_ONLY:
            return self._retried(lambda: self._request_once(method, path, headers=headers,
                                                            content=content, query=query,
                                                            limit=limit,
                                                            raising=raise_for_status))
        return self._request_once(method, path, headers=headers, content=content, query=query,
                                  limit=limit, raising=raise_for_status)

    def _request_once(self, method: str, path: str, *, headers: Mapping[str, str] | None,
                      content: bytes | Iterable[bytes] | None, query: Mapping[str, str] | None,
                      limit: int, raising: bool = True) -> Reply:
        with reusable(self._send(method, path, headers=headers, content=content,
                                 query=query)) as response:
            if raising or response.status_code in errors.RETRYABLE_STATUSES:
                self._raise_for_status(response, method)
            body = read_limited(response, method, limit=limit + 1)
            if len(body) > limit:
                raise errors.ProtocolError(
                    f"{method} {response.url}: the answer is larger than {limit} bytes")
            return Reply(response.status_code, response.reason_phrase, response.headers, body,
                         str(response.url))

    def _check_name(self, path: str) -> None:
        """Refuse, before sending anything, a name the server's published rules forbid."""
        rules = self.extensions.names
        problem = rules.problem(basename(path)) if rules else None
        if problem:
            raise errors.ForbiddenNameError(f"{basename(path)}: {problem}")

    def _raise_for_status(self, response: httpx.Response, method: str,
                          body: bytes | None = None) -> None:
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

    def _member_results(self, op: str, path: str, method: str, response: httpx.Response,
                        body: bytes | None, destination: str | None = None) -> list[Outcome] | None:
        """Per-member Outcomes when the server answered with a multistatus, else None.

        A 207 is parsed as it streams in; any other status comes with its XML
        body already read (body), which _raise_for_status then reuses.
        """
        if response.status_code == 207:
            parsed = self._parse_streamed(response, method)
        else:
            if body is None or b"multistatus" not in body:
                return None
            try:
                parsed = multistatus.parse(body, str(response.url))
            except errors.MultiStatusError:
                return None
        return collection_outcomes(op, path, response.status_code, response.reason_phrase,
                                   parsed, destination=destination)

    def _parse_streamed(self, response: httpx.Response, method: str) -> multistatus.MultiStatus:
        """A 207 body parsed as it arrives, never buffered whole.

        It may list thousands of members, or be 50 MB of nested elements from
        a hostile server: parsing stops at the first byte that breaks it.
        """
        try:
            return multistatus.parse(response.iter_bytes(), str(response.url))
        except httpx.TransportError as exc:
            raise errors.map_transport_error(exc, method, str(response.url)) from exc

    def _operate(self, op: str, method: str, path: str, headers: Mapping[str, str],
                 destination: str | None = None) -> list[Outcome]:
        """A DELETE/COPY/MOVE that may answer for the target alone or member by member."""
        with reusable(self._send(method, path, headers=headers)) as response:
            other_xml = response.status_code != 207 and looks_like_xml(response)
            body = read_limited(response, method) if other_xml else None
            members = self._member_results(op, path, method, response, body, destination)
            if members is not None:
                return members
            try:
                self._raise_for_status(response, method, body)
            except errors.StatusError as exc:
                members = locked_member_outcomes(op, path, exc, destination)
                if members is None:
                    raise
                return members
            return [success(op, path, response.status_code, response.reason_phrase,
                            destination=destination, location=response.headers.get("location"))]

    # -- WebDAV methods ----------------------------------------------------

    def options(self, path: str = "") -> ServerInfo:
        return self._retried(lambda: self._options_once(path))

    def _options_once(self, path: str) -> ServerInfo:
        with reusable(self._send("OPTIONS", path)) as response:
            self._raise_for_status(response, "OPTIONS")
            return ServerInfo(
                dav_classes=_header_set(response.headers.get_list("dav")),
                allow=frozenset(m.upper() for m in _header_set(response.headers.get_list("allow"))),
                server=response.headers.get("server"),
            )

    def iter_propfind(self, path: str, depth: int = 1,
                      props: Iterable[str] | str | None = LISTING_PROPS, *,
                      turn: contextlib.AbstractContextManager[object] | None = None,
                      ) -> Iterator[multistatus.Response]:
        """Stream the responses of a PROPFIND as they arrive.

        props: an iterable of Clark names, "allprop" or "propname"; the
        server's extra listing properties are added to a list of names. Depth
        is always sent (0 or 1): servers disagree on what a missing Depth
        means and many refuse infinity (quirks.DEPTH_INFINITY_REFUSED). Where the server paginates (Nextcloud's
        X-NC-Paginate), a Depth 1 listing comes in pages, streamed the same way.

        turn: held while the body is parsed and its responses handed out, taken
        once the first listing.PREFETCH bytes have arrived. Threads listing many
        folders at once share one, so their requests overlap the network's
        latency while one of them at a time does the parsing: parsing is
        CPU work, and several threads doing it under the GIL are slower
        together than one alone.

        A failure before the first response has arrived is retried
        (RetryPolicy); one after that is the caller's to retry, since the
        caller has already used part of the listing.
        """
        if depth not in (0, 1):
            raise ValueError("walk trees with Depth 1; servers refuse Depth infinity")

        def first() -> tuple[multistatus.Response | None, Iterator[multistatus.Response]]:
            responses = self._iter_propfind_once(path, depth, props, turn)
            return next(responses, None), responses

        head, rest = self._retried(first)
        if head is not None:
            yield head
            yield from rest

    def _iter_propfind_once(self, path: str, depth: int,
                            props: Iterable[str] | str | None,
                            turn: contextlib.AbstractContextManager[object] | None,
                            ) -> Iterator[multistatus.Response]:
        """iter_propfind, its pages included, without a retry."""
        body = propfind_body(self._with_extra_props(props))
        page_size = self.extensions.page_size if depth == 1 else None
        if not page_size:
            yield from self._propfind_once(path, depth, body, {}, {}, turn)
            return
        paging = {"X-NC-Paginate": "true", "X-NC-Paginate-Count": str(page_size)}
        answer: dict[str, httpx.Headers] = {}
        yield from self._propfind_once(path, depth, body, paging, answer, turn)
        # The first page names the token and the total (the folder itself is item 0); later
        # pages name neither. No token or total: the server sent everything at once.
        first = answer["headers"]
        token, total = first.get("x-nc-paginate-token"), first.get("x-nc-paginate-total", "")
        if first.get("x-nc-paginate", "").lower() != "true" or not token or not total.isdigit():
            return
        for offset in range(page_size, int(total), page_size):
            pages = {**paging, "X-NC-Paginate-Token": token, "X-NC-Paginate-Offset": str(offset)}
            count = 0
            for response in self._propfind_once(path, depth, body, pages, answer, turn):
                count += 1
                yield response
            if count == 0:  # a total no page fills (a hostile server's) ends the listing
                return

    def _with_extra_props(self, props: Iterable[str] | str | None) -> Iterable[str] | str | None:
        extra = self.extensions.extra_props
        if not extra or props is None or isinstance(props, str):
            return props
        named = tuple(props)
        return named + tuple(p for p in extra if p not in named)

    def _propfind_once(self, path: str, depth: int, body: bytes, extra_headers: Mapping[str, str],
                       answer: dict[str, httpx.Headers],
                       turn: contextlib.AbstractContextManager[object] | None = None,
                       ) -> Iterator[multistatus.Response]:
        """One PROPFIND request, its responses streamed; its headers left in answer["headers"]."""
        headers = {"Depth": str(depth), "Content-Type": 'application/xml; charset="utf-8"',
                   **extra_headers}
        with reusable(self._send("PROPFIND", path, headers=headers, content=body)) as response:
            self._raise_for_status(response, "PROPFIND")
            if response.status_code != 207:
                raise errors.ProtocolError(
                    f"PROPFIND {response.url}: expected 207 Multi-Status, got {response.status_code}")
            answer["headers"] = response.headers
            parser = multistatus.MultiStatusParser(str(response.url))
            listed = FolderMembers(url_path(str(response.url))) if depth == 1 else None
            try:
                chunks = response.iter_bytes()
                early = prefetched(chunks) if turn is not None else []
                with turn or contextlib.nullcontext():
                    for chunk in itertools.chain(early, chunks):
                        responses = parser.feed(chunk)
                        yield from listed.keep(responses) if listed else responses
                    yield from listed.keep(parser.close()) if listed else parser.close()
            except httpx.TransportError as exc:
                raise errors.map_transport_error(exc, "PROPFIND", str(response.url)) from exc
            if listed and listed.dropped:
                log.warning("PROPFIND %s: ignored %d entries outside the folder: %s",
                            response.url, len(listed.dropped), ", ".join(listed.dropped[:3]))

    def propfind(self, path: str, depth: int = 1,
                 props: Iterable[str] | str | None = LISTING_PROPS) -> list[Resource]:
        """The resource (and with depth 1 its members), the target first as servers send it.

        Read whole, so a listing cut off half-way is asked for again from the start."""
        if depth not in (0, 1):
            raise ValueError("walk trees with Depth 1; servers refuse Depth infinity")
        return self._retried(lambda: [
            Resource.from_response(r) for r in self._iter_propfind_once(path, depth, props, None)
            if r.status is None or 200 <= r.status < 300])

    def stat(self, path: str, props: Iterable[str] | str | None = LISTING_PROPS) -> Resource:
        for resource in self.propfind(path, 0, props):
            return resource
        raise errors.ProtocolError(f"PROPFIND {self.url(path)}: the server described nothing")

    def all_properties(self, path: str) -> dict[str, str]:
        """Every property, live and dead: allprop, plus any that propname lists but allprop omits.

        RFC 4918 lets allprop leave out live properties that are costly to compute,
        so the names are asked for separately and the missing ones fetched by name.
        """
        values = self.stat(path, "allprop").props
        names = self.stat(path, "propname").props
        missing = [name for name in names if name not in values]
        if missing:
            values.update(self.stat(path, missing).props)
        return values

    def lookup(self, path: str) -> Resource | None:
        """stat(), with None for a resource that is not there."""
        try:
            return self.stat(path)
        except errors.NotFoundError:
            return None

    def exists(self, path: str) -> bool:
        return self.lookup(path) is not None

    def listdir(self, path: str) -> list[Resource]:
        """The members of a collection, without the collection itself."""
        target = self.path_of(self.url(path))
        return [r for r in self.propfind(path, 1) if not same_resource(r.path, target)]

    def mkcol(self, path: str) -> Outcome:
        self._check_name(path)
        with reusable(self._send("MKCOL", path)) as response:
            self._raise_for_status(response, "MKCOL")
            return success("mkcol", path, response.status_code, response.reason_phrase)

    def make_folder(self, path: str) -> Outcome:
        """MKCOL that takes a folder already there as done: the folder exists either way.

        Servers answer MKCOL on an existing folder with 405 (quirks.MKCOL_ON_EXISTING), a
        few with 201; a 405 is only "done" once a look shows a folder there, not a file.
        """
        try:
            return self.mkcol(path)
        except errors.MethodNotAllowedError as exc:
            if self.stat(path).is_dir:
                return success("mkcol", path, exc.status, exc.reason, note="already exists")
            raise

    def put(
        self,
        path: str,
        source: Path | bytes,
        *,
        if_match: str | None = None,
        if_none_match: bool = False,
        lock_token: str | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        progress: ProgressCallback | None = None,
        mtime: float | None = None,
        mtime_by_proppatch: bool = True,
        wait: Waiter | None = None,
    ) -> Outcome:
        """Upload a file or bytes with an explicit Content-Length (never chunked encoding).

        if_match: the ETag the caller saw, so a file changed since is not
        overwritten (412); if_none_match: refuse to overwrite anything.
        mtime: the file's modification time to keep on the server. Only
        ownCloud/Nextcloud take it from X-OC-Mtime (and say so); elsewhere it
        becomes a dead property (a PROPPATCH: one more request, made only with
        mtime_by_proppatch), and a server that refuses that too still has the
        upload: the Outcome's note says which way it went.
        On a server with chunked uploads a big file goes up in chunks
        (chunked.py); wait is how that upload waits for the server to
        assemble it, returning True when the wait should end (a cancel).
        """
        self._check_name(path)
        if etags.is_weak(if_match):
            # If-Match compares strongly, so a weak ETag (Apache's for a file changed in the
            # last second, quirks.WEAK_ETAG_OF_A_FRESH_FILE) never matches: compare it
            # ourselves just before writing instead.
            self._check_unchanged(path, if_match)
            if_match = None
        chunked = self.extensions.chunked
        if chunked and isinstance(source, Path) and not lock_token \
                and chunked.applies_to(source.stat().st_size):
            upload = ChunkedUpload(self, path, source, chunked, algorithm=self.extensions.checksum,
                                   progress=progress, wait=wait)
            return upload.run(if_match=if_match, if_none_match=if_none_match, mtime=mtime)
        body = BytesBody(source, progress) if isinstance(source, bytes) else FileBody(source, progress)
        request_headers = {"Content-Length": str(body.size),
                           "Content-Type": content_type or "application/octet-stream"}
        if if_match:
            request_headers["If-Match"] = if_match
        if if_none_match:
            request_headers["If-None-Match"] = "*"
        if lock_token:
            request_headers["If"] = submit_lock_token(lock_token)
        if mtime is not None:
            request_headers["X-OC-Mtime"] = str(int(mtime))  # quirks.MTIME_BY_HEADER
        if self.extensions.checksum:
            request_headers["OC-Checksum"] = checksum.of_source(self.extensions.checksum, source)
        request_headers.update(headers or {})
        with reusable(self._send("PUT", path, headers=request_headers, content=body)) as response:
            self._raise_for_status(response, "PUT")
            outcome = success("put", path, response.status_code, response.reason_phrase,
                              etag=response.headers.get("etag"))
            accepted = response.headers.get("x-oc-mtime", "").strip().lower() == "accepted"
        if mtime is None:
            return outcome
        if accepted:
            return replace(outcome, note="mtime kept by X-OC-Mtime")
        if not mtime_by_proppatch:
            return outcome
        return replace(outcome, note=self.keep_mtime(path, mtime, lock_token))

    def keep_mtime(self, path: str, mtime: float, lock_token: str | None = None) -> str:
        """Keep mtime as a dead property (getlastmodified is protected:
        quirks.LASTMODIFIED_IS_PROTECTED); a refusal only loses the mtime, not the upload."""
        try:
            kept = self.proppatch(path, {MTIME_PROP: str(int(mtime))}, lock_token=lock_token)
        except errors.StatusError as exc:
            return f"server refused to keep the mtime ({exc.status} {exc.reason})"
        except errors.DavError as exc:  # the file is stored; only its mtime was lost
            return f"mtime not kept: {exc}"
        if not kept.ok:
            return f"server refused to keep the mtime ({kept.status} {kept.reason})"
        return "mtime kept as a dead property"

    def _check_unchanged(self, path: str, etag: str) -> None:
        current = self.stat(path).etag
        if not etags.same(current, etag):
            raise errors.PreconditionFailedError(
                "PUT", self.url(path), 412, condition=None, local=True,
                description=f"changed on the server since it was listed (ETag {etag} is now {current})")

    def get(self, path: str, target: Path, *, progress: ProgressCallback | None = None,
            keep_mtime: bool = True) -> Outcome:
        """Download to target via a temporary file renamed into place when complete."""
        # identity encoding: the bytes on the wire are the file, and Content-Length counts them.
        identity = {"Accept-Encoding": "identity"}
        with contextlib.closing(self._send("GET", path, headers=identity)) as response:
            self._raise_for_status(response, "GET")
            expected = response.headers.get("content-length")
            total = int(expected) if expected and expected.isdigit() else None
            with PartFile(target) as part:
                try:
                    for chunk in response.iter_bytes():
                        part.write(chunk)
                        if progress:
                            progress(part.written, total)
                except httpx.TransportError as exc:
                    raise errors.map_transport_error(exc, "GET", str(response.url)) from exc
                if total is not None and part.written != total:
                    raise errors.ProtocolError(
                        f"GET {response.url}: got {part.written} of {total} bytes")
                modified = parse_http_date(response.headers.get("last-modified"))
                part.commit(modified.timestamp() if keep_mtime and modified else None)
            return success("get", path, response.status_code, response.reason_phrase,
                           etag=response.headers.get("etag"))

    def delete(self, path: str, *, lock_token: str | None = None,
               if_match: str | None = None, expect_gone: bool = True) -> list[Outcome]:
        """Delete a file or a whole collection.

        A collection (path ending in '/') is checked with a Depth 0 PROPFIND
        afterwards: some servers answer 204 to a DELETE that removed nothing
        (quirks.DELETE_SUCCESS_THAT_KEPT_THE_FOLDER).
        expect_gone=False for a collection that stays when emptied (a trash bin).
        """
        headers = {"Depth": "infinity"}
        if lock_token:
            headers["If"] = submit_lock_token(lock_token)
        if if_match:
            headers["If-Match"] = if_match
        outcomes = self._operate("delete", "DELETE", path, headers)
        if expect_gone and path.endswith("/") and len(outcomes) == 1 and outcomes[0].ok \
                and self.exists(path):
            outcomes = [Outcome("delete", path, outcomes[0].status, outcomes[0].reason, ok=False,
                                note="the server reported success but the folder is still there")]
        return outcomes

    def copy(self, source: str, destination: str, *, overwrite: bool = True,
             depth: str = "infinity") -> list[Outcome]:
        """Server-side COPY; Overwrite: F makes an existing destination a 412."""
        self._check_name(destination)
        return self._operate("copy", "COPY", source, self._transfer_headers(destination, overwrite, depth),
                             destination)

    def move(self, source: str, destination: str, *, overwrite: bool = True,
             lock_token: str | None = None) -> list[Outcome]:
        self._check_name(destination)
        headers = self._transfer_headers(destination, overwrite, "infinity")
        if lock_token:
            headers["If"] = submit_lock_token(lock_token)
        return self._operate("move", "MOVE", source, headers, destination)

    def _transfer_headers(self, destination: str, overwrite: bool, depth: str) -> dict[str, str]:
        return {"Destination": self.url(destination), "Overwrite": "T" if overwrite else "F",
                "Depth": depth}

    def proppatch(self, path: str, set_props: Mapping[str, str] | None = None,
                  remove: Iterable[str] = (), *, lock_token: str | None = None) -> Outcome:
        """Set and remove properties atomically; ok only if every property change succeeded."""
        body = proppatch_body(set_props or {}, remove)
        headers = {"Content-Type": 'application/xml; charset="utf-8"'}
        if lock_token:
            headers["If"] = submit_lock_token(lock_token)
        with reusable(self._send("PROPPATCH", path, headers=headers, content=body)) as response:
            if response.status_code != 207:
                self._raise_for_status(response, "PROPPATCH")
                return success("proppatch", path, response.status_code, response.reason_phrase)
            parsed = self._parse_streamed(response, "PROPPATCH")
        return proppatch_outcome(path, parsed)

    def lock(self, path: str, *, owner: str = "davdesk", timeout: int | None = 3600,
             depth: str = "0") -> ActiveLock:
        """Take an exclusive write lock; the token the server returns is the one to keep."""
        headers = {"Depth": depth, "Content-Type": 'application/xml; charset="utf-8"',
                   "Timeout": f"Second-{timeout}" if timeout else "Infinite"}
        with reusable(self._send("LOCK", path, headers=headers,
                                 content=lock_body(owner))) as response:
            self._raise_for_status(response, "LOCK")
            body = read_limited(response, "LOCK")
            header_token = response.headers.get("lock-token", "").strip().strip("<>") or None
        locks = parse_lockdiscovery(body)
        mine = next((lock for lock in locks if lock.token == header_token), None)
        if mine is None:
            mine = locks[0] if locks else ActiveLock(header_token, owner, None, depth, "exclusive", None)
        if header_token and mine.token != header_token:
            mine = ActiveLock(header_token, mine.owner, mine.timeout, mine.depth, mine.scope, mine.root)
        if not mine.token:
            raise errors.ProtocolError(f"LOCK {self.url(path)}: the server returned no lock token")
        return mine

    def locks(self, path: str) -> list[ActiveLock]:
        """The locks on a resource as its lockdiscovery reports them: who holds them, how long."""
        return self._retried(lambda: self._locks_once(path))

    def _locks_once(self, path: str) -> list[ActiveLock]:
        headers = {"Depth": "0", "Content-Type": 'application/xml; charset="utf-8"'}
        body = propfind_body(["{DAV:}lockdiscovery"])
        with reusable(self._send("PROPFIND", path, headers=headers, content=body)) as response:
            self._raise_for_status(response, "PROPFIND")
            return parse_lockdiscovery(read_limited(response, "PROPFIND"))

    def unlock(self, path: str, token: str) -> Outcome:
        with reusable(self._send("UNLOCK", path, headers={"Lock-Token": f"<{token}>"})) as response:
            self._raise_for_status(response, "UNLOCK")
            return success("unlock", path, response.status_code, response.reason_phrase)


def _watched_transport(backend: WatchingBackend, *, verify: bool | ssl.SSLContext, http2: bool,
                       limits: httpx.Limits) -> httpx.HTTPTransport:
    """httpx's own transport, its connection pool on a backend whose sockets can be cut.

    httpx takes no network backend for its pool, while httpcore's pool does:
    it is set on the pool httpx built, before any connection exists.
    """
    transport = httpx.HTTPTransport(verify=verify, http2=http2, limits=limits)
    transport._pool._network_backend = backend
    return transport


def submit_lock_token(token: str) -> str:
    """An If header that submits a lock token for the target or any member below it.

    An untagged "(<token>)" is a condition on the target itself, so a DELETE
    of a folder whose member holds the lock fails with 412. The second list,
    "(Not <DAV:no-lock>)", is always true: the header only hands the token
    over (RFC 4918 10.4), whichever resource it locks.
    """
    return f"(<{token}>) (Not <DAV:no-lock>)"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


def _header_set(values: list[str]) -> frozenset[str]:
    return frozenset(item.strip() for value in values for item in value.split(",") if item.strip())
