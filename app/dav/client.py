"""DavClient: WebDAV's methods (RFC 4918) over the transport core of one connection.

Methods take decoded server paths ("/dav/a b.txt"). The requests go out
through Transport (transport.py: auth, redirects, retries of read-only
requests, the transcript); this module says what each method sends and how
its answer reads. Uploads are uploads.py's and chunked.py's, written against
the narrow UploadTarget that DavClient is; answers member by member are
members.py's.

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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx

from app.dav import errors, mtimes, multistatus, uploads
from app.dav.bodies import Reply, looks_like_xml, read_limited, reusable
from app.dav.chunked import Waiter
from app.dav.conditions import submit_lock_token
from app.dav.listing import FolderMembers, prefetched
from app.dav.members import (
    locked_member_outcomes,
    member_outcomes,
    parse_streamed,
    proppatch_outcome,
)
from app.dav.outcome import Outcome, success
from app.dav.paths import same_resource, url_path
from app.dav.resource import Resource, parse_http_date
from app.dav.transfer import PartFile, ProgressCallback
from app.dav.transport import Timeouts, Transport
from app.dav.xmlbodies import (
    LISTING_PROPS,
    ActiveLock,
    lock_body,
    parse_lockdiscovery,
    propfind_body,
    proppatch_body,
)

#: Named here as well: callers have imported them from this module.
__all__ = ["DavClient", "Reply", "ServerInfo", "Timeouts", "submit_lock_token"]

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What OPTIONS told us: DAV compliance classes and allowed methods."""

    dav_classes: frozenset[str]
    allow: frozenset[str]
    server: str | None

    @property
    def supports_locking(self) -> bool:
        return "2" in self.dav_classes


class DavClient(Transport):
    """A connection to one WebDAV server, shared by all threads that work on it."""

    def _operate(
        self,
        op: str,
        method: str,
        path: str,
        headers: Mapping[str, str],
        destination: str | None = None,
    ) -> list[Outcome]:
        """A DELETE/COPY/MOVE that may answer for the target alone or member by member."""
        with reusable(self._send(method, path, headers=headers)) as response:
            other_xml = response.status_code != 207 and looks_like_xml(response)
            body = read_limited(response, method) if other_xml else None
            members = member_outcomes(op, path, method, response, body, destination)
            if members is not None:
                return members
            try:
                self._raise_for_status(response, method, body)
            except errors.StatusError as exc:
                members = locked_member_outcomes(op, path, exc, destination)
                if members is None:
                    raise
                return members
            return [
                success(
                    op,
                    path,
                    response.status_code,
                    response.reason_phrase,
                    destination=destination,
                    location=response.headers.get("location"),
                )
            ]

    # -- WebDAV methods ----------------------------------------------------

    def options(self, path: str = "") -> ServerInfo:
        return self._retried(lambda: self._options_once(path))

    def _options_once(self, path: str) -> ServerInfo:
        with self.exchange("OPTIONS", path) as response:
            return ServerInfo(
                dav_classes=_header_set(response.headers.get_list("dav")),
                allow=frozenset(m.upper() for m in _header_set(response.headers.get_list("allow"))),
                server=response.headers.get("server"),
            )

    def iter_propfind(
        self,
        path: str,
        depth: int = 1,
        props: Iterable[str] | str | None = LISTING_PROPS,
        *,
        turn: contextlib.AbstractContextManager[object] | None = None,
    ) -> Iterator[multistatus.Response]:
        """Stream the responses of a PROPFIND as they arrive.

        props: an iterable of Clark names, "allprop" or "propname"; the
        server's extra listing properties are added to a list of names. Depth
        is always sent (0 or 1): servers disagree on what a missing Depth
        means and many refuse infinity (quirks.DEPTH_INFINITY_REFUSED). Where
        the server paginates (Nextcloud's X-NC-Paginate), a Depth 1 listing
        comes in pages, streamed the same way.

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

    def _iter_propfind_once(
        self,
        path: str,
        depth: int,
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

    def _propfind_once(
        self,
        path: str,
        depth: int,
        body: bytes,
        extra_headers: Mapping[str, str],
        answer: dict[str, httpx.Headers],
        turn: contextlib.AbstractContextManager[object] | None = None,
    ) -> Iterator[multistatus.Response]:
        """One PROPFIND request, its responses streamed; its headers left in answer["headers"]."""
        headers = {
            "Depth": str(depth),
            "Content-Type": 'application/xml; charset="utf-8"',
            **extra_headers,
        }
        with self.exchange("PROPFIND", path, headers=headers, content=body) as response:
            if response.status_code != 207:
                raise errors.ProtocolError(
                    f"PROPFIND {response.url}: expected 207 Multi-Status, "
                    f"got {response.status_code}"
                )
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
                log.warning(
                    "PROPFIND %s: ignored %d entries outside the folder: %s",
                    response.url,
                    len(listed.dropped),
                    ", ".join(listed.dropped[:3]),
                )

    def propfind(
        self, path: str, depth: int = 1, props: Iterable[str] | str | None = LISTING_PROPS
    ) -> list[Resource]:
        """The resource (and with depth 1 its members), the target first as servers send it.

        Read whole, so a listing cut off half-way is asked for again from the start."""
        return self.propfind_each(path, depth, props, Resource.from_response)

    def propfind_each(
        self,
        path: str,
        depth: int,
        props: Iterable[str] | str | None,
        each: Callable[[multistatus.Response], T],
    ) -> list[T]:
        """`propfind`'s entries, each made into what the caller keeps as it arrives
        (each(response)), read whole and retried as propfind is: a listing kept as lines
        (ls --json) never holds all its responses at once."""
        if depth not in (0, 1):
            raise ValueError("walk trees with Depth 1; servers refuse Depth infinity")
        return self._retried(
            lambda: [
                each(r)
                for r in self._iter_propfind_once(path, depth, props, None)
                if r.status is None or 200 <= r.status < 300
            ]
        )

    def stat(self, path: str, props: Iterable[str] | str | None = LISTING_PROPS) -> Resource:
        for resource in self.propfind(path, 0, props):
            return resource
        raise errors.ProtocolError(f"PROPFIND {self.url(path)}: the server described nothing")

    def all_properties(self, path: str) -> dict[str, str]:
        """Every property, live and dead: allprop, plus any that propname lists but allprop omits.

        RFC 4918 lets allprop leave out live properties that are costly to compute,
        so the names are asked for separately and the missing ones fetched by name;
        a propname answered with no names (quirks.PROPNAME_WITHOUT_PROPSTAT) adds none.
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
        with self.exchange("MKCOL", path) as response:
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
        """Upload a file or bytes (uploads.put says how): a name the server's rules forbid
        is refused before anything is sent."""
        self._check_name(path)
        return uploads.put(
            self,
            path,
            source,
            if_match=if_match,
            if_none_match=if_none_match,
            lock_token=lock_token,
            content_type=content_type,
            headers=headers,
            progress=progress,
            mtime=mtime,
            mtime_by_proppatch=mtime_by_proppatch,
            wait=wait,
        )

    def keep_mtime(self, path: str, mtime: float, lock_token: str | None = None) -> str:
        """Keep mtime as a dead property (mtimes.py); a refusal only loses the mtime."""
        return mtimes.keep_as_property(self, path, mtime, lock_token)

    def get(
        self,
        path: str,
        target: Path,
        *,
        progress: ProgressCallback | None = None,
        keep_mtime: bool = True,
    ) -> Outcome:
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
                        f"GET {response.url}: got {part.written} of {total} bytes"
                    )
                modified = parse_http_date(response.headers.get("last-modified"))
                part.commit(modified.timestamp() if keep_mtime and modified else None)
            return success(
                "get",
                path,
                response.status_code,
                response.reason_phrase,
                etag=response.headers.get("etag"),
            )

    def delete(
        self,
        path: str,
        *,
        lock_token: str | None = None,
        if_match: str | None = None,
        expect_gone: bool = True,
    ) -> list[Outcome]:
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
        if (
            expect_gone
            and path.endswith("/")
            and len(outcomes) == 1
            and outcomes[0].ok
            and self.exists(path)
        ):
            outcomes = [
                Outcome(
                    "delete",
                    path,
                    outcomes[0].status,
                    outcomes[0].reason,
                    ok=False,
                    note="the server reported success but the folder is still there",
                )
            ]
        return outcomes

    def copy(
        self, source: str, destination: str, *, overwrite: bool = True, depth: str = "infinity"
    ) -> list[Outcome]:
        """Server-side COPY; Overwrite: F makes an existing destination a 412."""
        self._check_name(destination)
        headers = self._transfer_headers(destination, overwrite, depth)
        return self._operate("copy", "COPY", source, headers, destination)

    def move(
        self,
        source: str,
        destination: str,
        *,
        overwrite: bool = True,
        lock_token: str | None = None,
    ) -> list[Outcome]:
        self._check_name(destination)
        headers = self._transfer_headers(destination, overwrite, "infinity")
        if lock_token:
            headers["If"] = submit_lock_token(lock_token)
        return self._operate("move", "MOVE", source, headers, destination)

    def _transfer_headers(self, destination: str, overwrite: bool, depth: str) -> dict[str, str]:
        return {
            "Destination": self.url(destination),
            "Overwrite": "T" if overwrite else "F",
            "Depth": depth,
        }

    def proppatch(
        self,
        path: str,
        set_props: Mapping[str, str] | None = None,
        remove: Iterable[str] = (),
        *,
        lock_token: str | None = None,
    ) -> Outcome:
        """Set and remove properties atomically; ok only if every property change succeeded."""
        body = proppatch_body(set_props or {}, remove)
        headers = {"Content-Type": 'application/xml; charset="utf-8"'}
        if lock_token:
            headers["If"] = submit_lock_token(lock_token)
        with reusable(self._send("PROPPATCH", path, headers=headers, content=body)) as response:
            if response.status_code != 207:
                self._raise_for_status(response, "PROPPATCH")
                return success("proppatch", path, response.status_code, response.reason_phrase)
            parsed = parse_streamed(response, "PROPPATCH")
        return proppatch_outcome(path, parsed)

    def lock(
        self, path: str, *, owner: str = "davdesk", timeout: int | None = 3600, depth: str = "0"
    ) -> ActiveLock:
        """Take an exclusive write lock; the token the server returns is the one to keep."""
        headers = {
            "Depth": depth,
            "Content-Type": 'application/xml; charset="utf-8"',
            "Timeout": f"Second-{timeout}" if timeout else "Infinite",
        }
        with self.exchange("LOCK", path, headers=headers, content=lock_body(owner)) as response:
            body = read_limited(response, "LOCK")
            header_token = response.headers.get("lock-token", "").strip().strip("<>") or None
        locks = parse_lockdiscovery(body)
        mine = next((lock for lock in locks if lock.token == header_token), None)
        if mine is None:
            mine = (
                locks[0]
                if locks
                else ActiveLock(header_token, owner, None, depth, "exclusive", None)
            )
        if header_token and mine.token != header_token:
            mine = ActiveLock(
                header_token, mine.owner, mine.timeout, mine.depth, mine.scope, mine.root
            )
        if not mine.token:
            raise errors.ProtocolError(f"LOCK {self.url(path)}: the server returned no lock token")
        return mine

    def locks(self, path: str) -> list[ActiveLock]:
        """The locks on a resource as its lockdiscovery reports them: who holds them, how long."""
        return self._retried(lambda: self._locks_once(path))

    def _locks_once(self, path: str) -> list[ActiveLock]:
        headers = {"Depth": "0", "Content-Type": 'application/xml; charset="utf-8"'}
        body = propfind_body(["{DAV:}lockdiscovery"])
        with self.exchange("PROPFIND", path, headers=headers, content=body) as response:
            return parse_lockdiscovery(read_limited(response, "PROPFIND"))

    def unlock(self, path: str, token: str) -> Outcome:
        with self.exchange("UNLOCK", path, headers={"Lock-Token": f"<{token}>"}) as response:
            return success("unlock", path, response.status_code, response.reason_phrase)


def _header_set(values: list[str]) -> frozenset[str]:
    return frozenset(item.strip() for value in values for item in value.split(",") if item.strip())
