"""Finding files by name below a folder: one DASL SEARCH where the server offers it, else a
walk of Depth 1 listings.

The pattern is shell-style (``*.pdf``, ``report-202?``, ``[ab]*``) and
case-insensitive, like a file manager's; a pattern without wildcards finds
names that contain it. Every name the server returns is matched here again,
so a server whose LIKE is looser (or a pattern LIKE cannot say, such as
``[ab]``) never adds a wrong result.

SEARCH (RFC 5323 basicsearch, as Nextcloud answers it on ``remote.php/dav/``):
the scope is the folder's path relative to the search arbiter
(``/files/USERID/Documents``), the name is compared with ``d:like`` on
``d:displayname``, and the answer comes in pages (``d:nresults`` with
Nextcloud's ``nc:firstresult``): Nextcloud sends 100 results when no limit is
given. Whether a server has it reaches this module as ServerExtensions.search.

The walk lists folders in parallel (Depth 1, which every server allows), the
parsing one at a time, and stops at a bound on folders or results, or when
told to stop: a search of a huge share ends when the user wants it to.
"""

from __future__ import annotations

import fnmatch
import re
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from lxml import etree

from app.dav import errors
from app.dav.client import DavClient
from app.dav.extensions import DaslSearch
from app.dav.multistatus import parse
from app.dav.paths import same_resource
from app.dav.resource import Resource
from app.dav.xmlbodies import LISTING_PROPS

_D = "{DAV:}"
_NC_NS = "http://nextcloud.com/ns"  # SearchDAV's namespace for firstresult
#: Results asked for per SEARCH request.
SEARCH_PAGE = 500
MAX_RESULTS = 10_000
MAX_FOLDERS = 20_000


@dataclass(frozen=True, slots=True)
class NamePattern:
    """A shell-style pattern, compared case-insensitively with whole names."""

    text: str
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        glob = self.text if any(c in self.text for c in "*?[") else f"*{self.text}*"
        object.__setattr__(self, "_regex", re.compile(fnmatch.translate(glob.casefold())))

    def matches(self, name: str) -> bool:
        return self._regex.match(name.casefold()) is not None

    def like(self) -> str:
        """The pattern as SQL LIKE (``*`` -> ``%``, ``?`` -> ``_``), a superset where LIKE has
        no words for it (a bracket expression becomes ``%``)."""
        glob = self.text if any(c in self.text for c in "*?[") else f"*{self.text}*"
        out: list[str] = []
        i = 0
        while i < len(glob):
            char = glob[i]
            if char == "*":
                if not out or out[-1] != "%":
                    out.append("%")
            elif char == "?":
                out.append("_")
            elif char == "[" and glob.find("]", i + 2) != -1:
                if not out or out[-1] != "%":
                    out.append("%")
                i = glob.find("]", i + 2)
            elif char in "%_\\":
                out.append("\\" + char)
            else:
                out.append(char)
            i += 1
        return "".join(out)


@dataclass(frozen=True, slots=True)
class SearchSummary:
    """How a search went: by SEARCH or by walking, and where it stopped short."""

    method: str  # "search" or "walk"
    found: int
    folders: int = 0  # folders listed by a walk
    stopped: str | None = None  # why it ended before the end: cancelled, a bound
    unreadable: tuple[str, ...] = ()  # folders a walk could not list


Found = Callable[[Sequence[Resource]], None]


def find(
    client: DavClient,
    folder: str,
    pattern: NamePattern,
    on_found: Found,
    stop: threading.Event | None = None,
    *,
    workers: int = 4,
    max_results: int = MAX_RESULTS,
    max_folders: int = MAX_FOLDERS,
) -> SearchSummary:
    """Everything below folder whose name matches, handed to on_found in batches as found."""
    stop = stop or threading.Event()
    dasl = client.extensions.search
    if dasl is not None and dasl.covers(folder):
        return _search(client, dasl, folder, pattern, on_found, stop, max_results)
    return _walk(client, folder, pattern, on_found, stop, workers, max_results, max_folders)


# -- DASL SEARCH ---------------------------------------------------------------------------------


def search_body(scope: str, like: str, props: Sequence[str], first: int, count: int) -> bytes:
    """A basicsearch for names LIKE like below scope (a path relative to the arbiter)."""
    nsmap = {
        "d": "DAV:",
        "oc": "http://owncloud.org/ns",
        "nc": "http://nextcloud.org/ns",
        "ns": _NC_NS,
    }

    def sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        node = etree.SubElement(parent, name)
        if text is not None:
            node.text = text
        return node

    root = etree.Element(f"{_D}searchrequest", nsmap=nsmap)
    basic = sub(root, f"{_D}basicsearch")
    select = sub(sub(basic, f"{_D}select"), f"{_D}prop")
    for name in props:
        sub(select, name)
    scope_element = sub(sub(basic, f"{_D}from"), f"{_D}scope")
    sub(scope_element, f"{_D}href", scope)
    sub(scope_element, f"{_D}depth", "infinity")
    condition = sub(sub(basic, f"{_D}where"), f"{_D}like")
    sub(sub(condition, f"{_D}prop"), f"{_D}displayname")
    sub(condition, f"{_D}literal", like)
    order = sub(sub(basic, f"{_D}orderby"), f"{_D}order")
    sub(sub(order, f"{_D}prop"), f"{_D}displayname")
    sub(order, f"{_D}ascending")
    limit = sub(basic, f"{_D}limit")
    sub(limit, f"{_D}nresults", str(count))
    sub(limit, f"{{{_NC_NS}}}firstresult", str(first))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _search(
    client: DavClient,
    dasl: DaslSearch,
    folder: str,
    pattern: NamePattern,
    on_found: Found,
    stop: threading.Event,
    max_results: int,
) -> SearchSummary:
    props = (*LISTING_PROPS, *client.extensions.extra_props)
    scope = dasl.scope_of(folder)
    found = first = 0
    while not stop.is_set():
        count = min(SEARCH_PAGE, max_results - found)
        body = search_body(scope, pattern.like(), props, first, count)
        reply = client.request(
            "SEARCH",
            dasl.arbiter,
            content=body,
            headers={"Content-Type": 'text/xml; charset="utf-8"'},
            limit=64 * 1024 * 1024,
        )
        if reply.status != 207:
            raise errors.ProtocolError(f"SEARCH {reply.url}: expected 207, got {reply.status}")
        responses = parse(reply.body, reply.url).responses
        batch = [
            r
            for r in (
                Resource.from_response(x)
                for x in responses
                if x.status is None or 200 <= x.status < 300
            )
            if pattern.matches(r.name) and not same_resource(r.path, folder)
        ]
        found += len(batch)
        if batch:
            on_found(batch)
        first += len(responses)
        if len(responses) < count:
            return SearchSummary("search", found)
        if found >= max_results:
            return SearchSummary("search", found, stopped=f"the first {max_results:,} found")
    return SearchSummary("search", found, stopped="cancelled")


# -- the walk ------------------------------------------------------------------------------------


def _walk(
    client: DavClient,
    folder: str,
    pattern: NamePattern,
    on_found: Found,
    stop: threading.Event,
    workers: int,
    max_results: int,
    max_folders: int,
) -> SearchSummary:
    turn = threading.Lock()  # one listing parsed at a time: the GIL makes more slower

    def list_folder(path: str) -> list[Resource]:
        listing = client.iter_propfind(path, 1, turn=turn)
        return [
            Resource.from_response(r)
            for r in listing
            if (r.status is None or 200 <= r.status < 300) and not same_resource(r.href, path)
        ]

    waiting: deque[str] = deque([folder])
    running: dict[Future[list[Resource]], str] = {}
    found = listed = 0
    unreadable: list[str] = []
    stopped: str | None = None
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="find") as pool:
        while waiting or running:
            if stop.is_set():
                stopped = "cancelled"
                break
            while waiting and len(running) < workers and listed + len(running) < max_folders:
                path = waiting.popleft()
                running[pool.submit(list_folder, path)] = path
            if not running:
                stopped = f"the first {max_folders:,} folders"
                break
            done, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in done:
                path = running.pop(future)
                listed += 1
                try:
                    members = future.result()
                except (errors.StatusError, errors.MultiStatusError, errors.ProtocolError):
                    unreadable.append(path)
                    continue
                waiting.extend(m.path for m in members if m.is_dir)
                batch = [m for m in members if pattern.matches(m.name)][: max_results - found]
                found += len(batch)
                if batch:
                    on_found(batch)
                if found >= max_results:
                    stopped = f"the first {max_results:,} found"
                    break
            if stopped:
                break
        for future in running:
            future.cancel()
    return SearchSummary("walk", found, listed, stopped, tuple(unreadable))
