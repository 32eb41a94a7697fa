"""Describing many resources at once: one Depth 1 listing per parent, not a PROPFIND per path.

`davdesk rm URL1 ... URL1000` needs each URL's type and ETag before it plans;
asked one by one that is a thousand round trips before the first DELETE. Paths
that share a parent are found in one listing of it instead. A path the listing
does not show (the server hides it, or it is not there) is still asked about on
its own, so the answer for it is exactly what a Depth 0 PROPFIND would say.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence

from app.dav import errors
from app.dav.client import DavClient
from app.dav.paths import parent
from app.dav.resource import Resource
from app.dav.xmlbodies import LISTING_PROPS

#: Paths under one parent from which its listing replaces their Depth 0 PROPFINDs.
LIST_FROM = 2
#: Failures that end the whole lookup: every other path would fail the same way.
FATAL = (errors.TransportError, errors.AuthenticationError)


def stat_many(
    client: DavClient, paths: Sequence[str], props: Iterable[str] | str = LISTING_PROPS
) -> list[Resource | errors.DavError]:
    """Each path's Resource, or the DavError a stat of it raised, in the order given.

    Raises what `FATAL` names: a server that cannot be reached or refuses the
    credentials fails the command, not each path.
    """
    props = tuple(props) if not isinstance(props, str) else props
    found: dict[int, Resource | errors.DavError] = {}
    by_parent: dict[str, list[int]] = defaultdict(list)
    for index, path in enumerate(paths):
        if path.rstrip("/"):
            by_parent[parent(path)].append(index)
    for folder, indexes in by_parent.items():
        if len(indexes) >= LIST_FROM:
            found.update(_from_listing(client, folder, [(i, paths[i]) for i in indexes], props))
    for index, path in enumerate(paths):
        if index not in found:
            try:
                found[index] = client.stat(path, props)
            except FATAL:
                raise
            except errors.DavError as exc:
                found[index] = exc
    return [found[index] for index in range(len(paths))]


def _from_listing(
    client: DavClient, folder: str, wanted: list[tuple[int, str]], props: Iterable[str] | str
) -> dict[int, Resource]:
    """The wanted paths that one listing of their parent shows; none when it cannot be listed."""
    try:
        listing = client.propfind(folder, 1, props)
    except FATAL:
        raise
    except errors.DavError:  # e.g. a folder one may not list: each path is asked on its own
        return {}
    by_key = {_key(resource.path): resource for resource in listing}
    return {index: by_key[_key(path)] for index, path in wanted if _key(path) in by_key}


def _key(path: str) -> str:
    """Paths compared as `same_resource` does: without the trailing slash, Unicode NFC."""
    return unicodedata.normalize("NFC", path.rstrip("/"))


def present(client: DavClient, paths: Sequence[str]) -> set[str] | None:
    """Which of the paths exist now, from one Depth 1 listing of each parent; None when a
    parent could not be listed (then nothing can be said about its paths).

    For a write that cannot be guarded by If-None-Match (a bulk upload): asked just
    before it, so that a file someone created since planning keeps its guarded PUT.
    """
    by_parent: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        by_parent[parent(path)].append(path)
    found: set[str] = set()
    for folder, members in by_parent.items():
        try:
            listing = {
                _key(resource.path)
                for resource in client.propfind(folder, 1, ("{DAV:}resourcetype",))
            }
        except FATAL:
            raise
        except errors.DavError:
            return None
        found.update(path for path in members if _key(path) in listing)
    return found
