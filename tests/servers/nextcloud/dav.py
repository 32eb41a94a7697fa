"""The DAV tree of ``remote.php/dav/`` (and ``remote.php/webdav/``), and what Sabre does for
every method before a namespace sees it.

``remote.php/dav/`` holds ``files/<user>/``, ``uploads/<user>/`` and ``trashbin/<user>/``,
each a :class:`Namespace`. Another user's folder is not there at all (404: this
instance has one user), nor is the login name: DAV paths use the user id.
``remote.php/webdav/`` is the legacy endpoint: the user's files at its root.

Shared here, as Sabre\\DAV\\Server does them for all namespaces:

* preconditions: ``If-Match`` / ``If-None-Match`` (only files have ETags for them, so
  any ETag on a folder fails, ``*`` works), ``If-(Un)Modified-Since``, and the ``If``
  header with tagged lists: every resource's lists must hold, one list per resource
  is enough, a lock token never holds (there are no locks) and an ETag is compared
  with the resource's quoted ETag (``If: <url> (["etag"])``);
* PROPFIND (Depth 0, 1 or infinity, which Nextcloud enables; missing means 1), with
  allprop, propname, ``Prefer: return=minimal`` and X-NC-Paginate;
* PROPPATCH (dead properties; live ones are protected: 403, the rest 424);
* OPTIONS, and 501 for methods nothing handles (LOCK and UNLOCK included: no class 2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from tests.servers.nextcloud import paginate
from tests.servers.nextcloud.auth import Login
from tests.servers.nextcloud.davxml import (
    DAV,
    PropfindRequest,
    PropName,
    PropValue,
    Raw,
    SabreError,
    bad_request,
    forbidden,
    multistatus_response,
    not_found,
    parse_propfind,
    parse_proppatch,
    precondition_failed,
    render_response,
)
from tests.servers.nextcloud.http import Request, Response

if TYPE_CHECKING:
    from tests.servers.nextcloud.instance import Instance

COLLECTION = Raw("<d:collection/>")
INFINITY = -1


def encode_path(path: str) -> str:
    """Sabre\\HTTP\\encodePath: everything but ``A-Za-z0-9_-.~()/:@`` percent-encoded."""
    return quote(path, safe="/:@()~")


class Node:
    """A resource a PROPFIND can describe. Subclasses answer for their properties."""

    href: str  # encoded absolute path; collections end with "/"
    is_collection: bool = False
    allprops: tuple[PropName, ...] = ((DAV, "resourcetype"),)

    def file_etag(self) -> str | None:
        """The quoted ETag that If-Match and If compare (Sabre: IFile nodes only)."""
        return None

    def last_modified(self) -> float | None:
        return None

    def prop(self, name: PropName) -> PropValue | None:
        if name == (DAV, "resourcetype"):
            return COLLECTION if self.is_collection else ""
        return None

    def children(self) -> Iterable[Node]:
        return ()

    def dead_props(self) -> dict[PropName, str]:
        return {}

    def live_props(self) -> Iterable[PropName]:
        return self.allprops


class VirtualCollection(Node):
    """The plain collections above the namespaces (remote.php/dav/, files/, ...)."""

    is_collection = True

    def __init__(self, href: str, children: list[Node] | None = None) -> None:
        self.href = href
        self._children = children or []

    def children(self) -> Iterable[Node]:
        return self._children


@dataclass
class DavRequest:
    """One request inside a namespace: the HTTP request, who made it, and where it points."""

    http: Request
    tree: DavTree
    namespace: Namespace
    rel: str  # decoded path inside the namespace, no leading or trailing slash
    login: Login

    @property
    def instance(self) -> Instance:
        return self.tree.instance

    def destination(self) -> tuple[Namespace, str]:
        """Sabre's getCopyAndMoveInfo, first half: where the Destination header points."""
        value = self.http.header("destination")
        if not value:
            raise bad_request("The destination header was not supplied")
        target = self.tree.resolve_url(value)
        if target is None:
            raise SabreError(
                409, "Sabre\\DAV\\Exception\\Conflict", "The destination node is not found"
            )
        return target

    def overwrite(self) -> bool:
        value = (self.http.header("overwrite") or "T").upper()
        if value == "T":
            return True
        if value == "F":
            return False
        raise bad_request("The HTTP Overwrite header should be either T or F")


class Namespace:
    """One of files/<user>/, uploads/<user>/, trashbin/<user>/."""

    def __init__(self, tree: DavTree, base: str) -> None:
        self.tree = tree
        self.base = base  # decoded absolute path of the namespace root, ending with "/"

    @property
    def instance(self) -> Instance:
        return self.tree.instance

    def href(self, rel: str, collection: bool) -> str:
        path = self.base + rel
        if collection and rel:
            path += "/"
        return encode_path(path)

    def node(self, rel: str) -> Node | None:
        raise NotImplementedError

    def handle(self, request: DavRequest) -> Response:
        raise not_implemented(request.http.method)

    def proppatch(self, request: DavRequest, node: Node) -> Response:
        return proppatch_refused(request, node)


def not_implemented(method: str) -> SabreError:
    return SabreError(
        501,
        "Sabre\\DAV\\Exception\\NotImplemented",
        f"There was no plugin in the system that was willing to handle this {method} method.",
    )


class DavTree:
    """``remote.php/dav/`` (``legacy=False``) or ``remote.php/webdav/`` (``legacy=True``)."""

    def __init__(self, instance: Instance, *, legacy: bool) -> None:
        from tests.servers.nextcloud.chunking import UploadsNamespace
        from tests.servers.nextcloud.files import FilesNamespace
        from tests.servers.nextcloud.trashbin import TrashNamespace
        from tests.servers.nextcloud.versions import VersionsNamespace

        self.instance = instance
        self.legacy = legacy
        user = instance.user_id
        root = instance.webroot
        self.base = f"{root}/remote.php/webdav/" if legacy else f"{root}/remote.php/dav/"
        if legacy:
            self.files = FilesNamespace(self, self.base)
            self.uploads = None
            self.trash = None
            self.versions = None
        else:
            self.files = FilesNamespace(self, f"{self.base}files/{user}/")
            self.uploads = (
                UploadsNamespace(self, f"{self.base}uploads/{user}/")
                if instance.options.chunking
                else None
            )
            self.trash = TrashNamespace(self, f"{self.base}trashbin/{user}/")
            self.versions = VersionsNamespace(self, f"{self.base}versions/{user}/")

    # -- paths ---------------------------------------------------------------------------------
    def resolve(self, path: str) -> tuple[Namespace | VirtualCollection, str] | None:
        """(namespace, path inside it) for a decoded absolute path; None: nothing there."""
        if path + "/" == self.base:
            path = self.base
        if not path.startswith(self.base):
            return None
        segments = [s for s in path[len(self.base) :].split("/") if s]
        if any(s in (".", "..") for s in segments):
            raise bad_request("Invalid path")
        if self.legacy:
            return self.files, "/".join(segments)
        user = self.instance.user_id
        namespaces: dict[str, Namespace | None] = {
            "files": self.files,
            "uploads": self.uploads,
            "trashbin": self.trash,
            "versions": self.versions,
        }
        if not segments:
            return self.root_collection(), ""
        namespace = namespaces.get(segments[0])
        if namespace is None:
            return None
        if len(segments) == 1:
            return VirtualCollection(
                encode_path(f"{self.base}{segments[0]}/"),
                [VirtualCollection(namespace.href("", True))],
            ), ""
        if segments[1] != user:
            return None
        return namespace, "/".join(segments[2:])

    def resolve_url(self, url: str) -> tuple[Namespace, str] | None:
        """Sabre's calculateUri for a Destination or an If header's resource."""
        path = urlsplit(url).path if "://" in url else url
        path = re.sub("/+", "/", unquote(path, encoding="utf-8", errors="replace"))
        if not (path.startswith(self.base) or path + "/" == self.base):
            raise forbidden(f"Requested uri ({path}) is out of base uri ({self.base})")
        target = self.resolve(path)
        if target is None or isinstance(target[0], VirtualCollection):
            return None
        return target  # type: ignore[return-value]

    def root_collection(self) -> VirtualCollection:
        children: list[Node] = []
        for name, namespace in (
            ("files", self.files),
            ("uploads", self.uploads),
            ("trashbin", self.trash),
            ("versions", self.versions),
        ):
            if namespace is not None:
                children.append(VirtualCollection(encode_path(f"{self.base}{name}/")))
        return VirtualCollection(encode_path(self.base), children)

    # -- requests ----------------------------------------------------------------------------
    def handle(self, http: Request, login: Login) -> Response:
        if (
            not self.legacy
            and self.instance.options.bulk_upload
            and http.method == "POST"
            and http.path == f"{self.base}bulk"
        ):
            from tests.servers.nextcloud import bulk

            return bulk.handle(self, http, login)
        target = self.resolve(http.path)
        if target is None:
            raise not_found(
                f"File with name {http.path.rstrip('/').rpartition('/')[2]} could not be located"
            )
        where, rel = target
        method = http.method
        if method == "OPTIONS":
            return self.options(where, rel)
        if (
            method == "SEARCH"
            and not self.legacy
            and isinstance(where, VirtualCollection)
            and http.path.rstrip("/") + "/" == self.base
        ):
            from tests.servers.nextcloud import search

            return search.handle(self, http)
        if isinstance(where, VirtualCollection):
            node: Node | None = where
            namespace = None
        else:
            namespace = where
            node = namespace.node(rel)
        early = self.check_preconditions(http, node)
        if early is not None:
            return early
        if method == "PROPFIND":
            if node is None:
                raise not_found(f"File with name {rel.rpartition('/')[2]} could not be located")
            return self.propfind(http, node)
        if namespace is None:
            if method in ("GET", "HEAD", "PROPPATCH", "PUT", "DELETE", "MKCOL", "MOVE", "COPY"):
                raise forbidden("Permission denied")
            raise not_implemented(method)
        request = DavRequest(http, self, namespace, rel, login)
        if method == "PROPPATCH":
            if node is None:
                raise not_found(f"File with name {rel.rpartition('/')[2]} could not be located")
            return namespace.proppatch(request, node)
        return namespace.handle(request)

    def options(self, where: Namespace | VirtualCollection, rel: str) -> Response:
        exists = True
        if isinstance(where, Namespace):
            exists = where.node(rel) is not None
        allow = (
            "OPTIONS, GET, HEAD, DELETE, PROPFIND, PUT, PROPPATCH, COPY, MOVE"
            if exists
            else "OPTIONS, MKCOL, PUT"
        )
        features = ["1", "3"]
        if self.instance.options.paginate:
            features.append("nc-paginate")
        return Response(
            200,
            [
                ("Allow", allow),
                ("DAV", ", ".join(features)),
                ("MS-Author-Via", "DAV"),
                ("Accept-Ranges", "bytes"),
            ],
            b"",
        )

    # -- preconditions -----------------------------------------------------------------------
    def check_preconditions(self, http: Request, node: Node | None) -> Response | None:
        """Sabre\\DAV\\Server::checkPreconditions. Returns a 304 for a GET, or raises 412."""
        etag = node.file_etag() if node is not None else None
        if_match = http.header("if-match")
        if if_match:
            if node is None:
                raise precondition_failed(
                    "An If-Match header was specified and the resource did not exist", "If-Match"
                )
            if if_match.strip() != "*":
                items = [i.strip(" ") for i in if_match.split(",")]
                if etag is None or not any(
                    i == etag or i.replace('\\"', '"') == etag for i in items
                ):
                    error = precondition_failed(
                        "An If-Match header was specified, but none of the specified ETags "
                        "matched.",
                        "If-Match",
                    )
                    if etag:
                        error.headers.append(("ETag", etag))
                    raise error
        if_none_match = http.header("if-none-match")
        if if_none_match and node is not None:
            if if_none_match.strip() == "*":
                matched = True
            else:
                matched = etag is not None and any(
                    i.strip(" ") == etag for i in if_none_match.split(",")
                )
            if matched:
                headers = [("ETag", etag)] if etag else []
                if http.method in ("GET", "HEAD"):
                    return Response(304, headers, b"")
                error = precondition_failed(
                    "An If-None-Match header was specified, but the ETag matched (or * was "
                    "specified).",
                    "If-None-Match",
                )
                error.headers.extend(headers)
                raise error
        modified = node.last_modified() if node is not None else None
        since = _parse_date(http.header("if-modified-since"))
        if (
            not if_none_match
            and since is not None
            and modified is not None
            and http.method in ("GET", "HEAD")
            and int(modified) <= since
        ):
            return Response(304, [], b"")
        unmodified = _parse_date(http.header("if-unmodified-since"))
        if unmodified is not None and modified is not None and int(modified) > unmodified:
            raise precondition_failed(
                "An If-Unmodified-Since header was specified, but the "
                "entity has been changed since the specified date.",
                "If-Unmodified-Since",
            )
        self.check_if_header(http)
        return None

    _IF_LIST = re.compile(
        r"(?:<(?P<uri>.*?)>\s)?\((?P<not>Not\s)?(?:<(?P<token>[^>]*)>)?(?:\s?)"
        r"(?:\[(?P<etag>[^\]]*)\])?\)",
        re.I | re.M,
    )

    def check_if_header(self, http: Request) -> None:
        header = http.header("if")
        if not header:
            return
        conditions: list[tuple[str | None, list[tuple[bool, str, str]]]] = []
        for match in self._IF_LIST.finditer(header):
            token = (bool(match["not"]), match["token"] or "", match["etag"] or "")
            if not match["uri"] and conditions:
                conditions[-1][1].append(token)
            else:
                conditions.append((match["uri"], [token]))
        for uri, tokens in conditions:
            for negate, lock_token, wanted in tokens:
                token_valid = not lock_token  # no locks here: a lock token never holds
                etag_valid = not wanted
                if wanted and token_valid:
                    node = self._node_at(uri, http)
                    etag_valid = node is not None and node.file_etag() == wanted
                if (token_valid and etag_valid) != negate:
                    break
            else:
                raise precondition_failed(
                    f"Failed to find a valid token/etag combination for {uri or http.path}", "If"
                )

    def _node_at(self, uri: str | None, http: Request) -> Node | None:
        target = self.resolve(http.path) if uri is None else self.resolve_url(uri)
        if target is None:
            raise not_found("The resource of an If header does not exist")
        where, rel = target
        if isinstance(where, VirtualCollection):
            return where
        node = where.node(rel)
        if node is None:
            # Sabre looks the node up without catching NotFound: the request fails 404.
            raise not_found(f"File with name {rel.rpartition('/')[2]} could not be located")
        return node

    # -- PROPFIND ----------------------------------------------------------------------------
    def propfind(self, http: Request, node: Node) -> Response:
        options = self.instance.options
        url = http.raw_path + (f"?{http.query}" if http.query else "")
        token = http.header("x-nc-paginate-token")
        if options.paginate and token and http.header("x-nc-paginate-offset") is not None:
            cached = self.instance.paginate_cache.get(url, token)
            if cached is not None:
                start = paginate.offset(http.header("x-nc-paginate-offset"))
                count = paginate.page_size(http.header("x-nc-paginate-count"))
                return multistatus_response(
                    cached[start : start + count], [("X-NC-Paginate", "true")]
                )
        request = parse_propfind(http.small_body())
        depth = _depth(http.header("depth"))
        minimal = _prefers_minimal(http)
        responses = (render_node(n, request, minimal) for n in walk(node, depth))
        if (
            options.paginate
            and http.header("x-nc-paginate") is not None
            and (not token or self.instance.paginate_cache.get(url, token) is None)
        ):
            items = list(responses)
            start = paginate.offset(http.header("x-nc-paginate-offset"))
            count = paginate.page_size(http.header("x-nc-paginate-count"))
            new_token = self.instance.paginate_cache.store(url, items)
            return multistatus_response(
                items[start : start + count],
                [
                    ("X-NC-Paginate", "true"),
                    ("X-NC-Paginate-Token", new_token),
                    ("X-NC-Paginate-Total", str(len(items))),
                ],
            )
        return multistatus_response(responses)


def _depth(value: str | None) -> int:
    """Sabre's getHTTPDepth(1): missing or unparsable means 1."""
    if value is None:
        return 1
    value = value.strip().lower()
    if value == "infinity":
        return INFINITY
    return int(value) if value.isdigit() else 1


def _prefers_minimal(http: Request) -> bool:
    prefer = (http.header("prefer") or "").lower()
    return "return=minimal" in prefer or (http.header("brief") or "").lower() == "t"


def _parse_date(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(parsedate_to_datetime(value).timestamp())
    except (TypeError, ValueError):
        return None


def walk(node: Node, depth: int) -> Iterator[Node]:
    """The node, then its members to ``depth`` (pre-order, as Sabre yields them)."""
    yield node
    if depth == 0 or not node.is_collection:
        return
    for child in node.children():
        yield from walk(child, INFINITY if depth == INFINITY else depth - 1)


def render_node(node: Node, request: PropfindRequest, minimal: bool) -> str:
    if request.mode == "propname":
        names = list(node.live_props()) + list(node.dead_props())
        return render_response(node.href, [(n, "") for n in names])
    found: list[tuple[PropName, PropValue]] = []
    missing: list[PropName] = []
    if request.mode == "prop":
        wanted = request.names
    else:
        wanted = list(node.allprops) + [n for n in request.names if n not in node.allprops]
    dead = node.dead_props()
    for name in wanted:
        value = node.prop(name)
        if value is None and name in dead:
            value = Raw(dead[name])
        if value is not None:
            found.append((name, value))
        elif request.mode == "prop" or name in request.names:
            missing.append(name)
    return render_response(node.href, found, [] if minimal else missing)


# -- PROPPATCH ----------------------------------------------------------------------------------


def proppatch_refused(request: DavRequest, node: Node) -> Response:
    """A node that keeps no properties: every instruction is refused."""
    patch = parse_proppatch(request.http.small_body())
    names = [name for _, name, _ in patch.operations]
    return multistatus_response(
        [render_response(node.href, [], [], status_other={403: names} if names else None)]
    )


def proppatch_result(node: Node, failed: list[PropName], done: list[PropName]) -> Response:
    """All or nothing, as Sabre: one refusal (403) makes the others 424."""
    if failed:
        status = {403: failed}
        if done:
            status[424] = done
        return multistatus_response([render_response(node.href, [], [], status_other=status)])
    body = render_response(node.href, [(n, "") for n in done])
    return multistatus_response([body])
