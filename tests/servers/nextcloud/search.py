"""WebDAV SEARCH (RFC 5323 basicsearch) on ``remote.php/dav/``, as Nextcloud answers it.

Sources: the developer manual's "WebDAV Search" page (client_apis/WebDAV/search)
and the server's apps/dav/lib/Files/FileSearchBackend.php, read for behaviour:

* the search arbiter is ``remote.php/dav/`` itself; SEARCH anywhere else is not
  handled (501, as for any method no plugin takes);
* exactly one scope, its href a path relative to the arbiter (``/files/alice/Docs``);
  a scope that is not a folder of the user is 400; the scope's depth is ignored (the
  file cache searches the whole subtree) and the folder itself is never a result;
* conditions: ``d:like`` and ``d:eq`` on ``d:displayname`` (case-insensitive; LIKE's
  ``%`` and ``_`` with ``\\`` escaping them), ``d:getcontenttype``, ``oc:size``,
  ``d:is-collection``, ``d:and``, ``d:or``, ``d:not``; anything else is 400;
* ``d:orderby`` on ``d:displayname`` or ``d:getlastmodified``; ``d:limit/d:nresults``
  and Nextcloud's ``nc:firstresult`` (namespace http://nextcloud.com/ns) page the
  answer; **without nresults the answer holds 100 results**;
* the answer is a 207 with a ``d:response`` per result, its properties the ``d:select``
  ones, hrefs under ``remote.php/dav/files/alice/``.

Not covered: several scopes, the other searchable properties (creation and upload
time, favorites, owner, metadata), ``d:gt``/``d:lt`` and friends, full-text search.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml import etree

from tests.servers.nextcloud.davxml import (
    DAV,
    OC,
    PropfindRequest,
    PropName,
    bad_request,
    clark,
    multistatus_response,
    parse_xml,
)

if TYPE_CHECKING:
    from tests.servers.nextcloud.dav import DavTree, Node
    from tests.servers.nextcloud.http import Request, Response

FIRSTRESULT = ("http://nextcloud.com/ns", "firstresult")
DEFAULT_LIMIT = 100


def like_regex(literal: str) -> re.Pattern[str]:
    """SQL LIKE as a regular expression, case-insensitive."""
    out, escaped = [], False
    for char in literal:
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out) + r"\Z", re.IGNORECASE | re.DOTALL)


def handle(tree: DavTree, http: Request) -> Response:
    from tests.servers.nextcloud.dav import INFINITY, render_node, walk

    root = parse_xml(http.small_body())
    basic = root.find(f"{{{DAV}}}basicsearch")
    if clark(root) != (DAV, "searchrequest") or basic is None:
        raise bad_request("The search request must be a {DAV:}searchrequest with basicsearch")
    select = basic.find(f"{{{DAV}}}select/{{{DAV}}}prop")
    names: list[PropName] = [clark(e) for e in select] if select is not None else []
    scopes = basic.findall(f"{{{DAV}}}from/{{{DAV}}}scope")
    if len(scopes) != 1:
        raise bad_request("You need to specify exactly one scope for the search.")
    folder = _scope_folder(tree, scopes[0].findtext(f"{{{DAV}}}href") or "")
    where = basic.find(f"{{{DAV}}}where")
    condition = where[0] if where is not None and len(where) else None
    results = [
        node
        for node in walk(folder, INFINITY)
        if node is not folder and (condition is None or _holds(condition, node))
    ]
    for order in reversed(basic.findall(f"{{{DAV}}}orderby/{{{DAV}}}order")):
        prop = order.find(f"{{{DAV}}}prop")
        key = clark(prop[0]) if prop is not None and len(prop) else (DAV, "displayname")
        descending = order.find(f"{{{DAV}}}descending") is not None
        results.sort(key=lambda n, k=key: _sort_key(n, k), reverse=descending)
    limit = basic.find(f"{{{DAV}}}limit")
    count, first = DEFAULT_LIMIT, 0
    if limit is not None:
        count = _number(limit.findtext(f"{{{DAV}}}nresults"), DEFAULT_LIMIT) or DEFAULT_LIMIT
        first = _number(limit.findtext(f"{{{FIRSTRESULT[0]}}}{FIRSTRESULT[1]}"), 0)
    request = PropfindRequest("prop", names or [(DAV, "resourcetype")])
    return multistatus_response(
        render_node(n, request, False) for n in results[first : first + count]
    )


def _scope_folder(tree: DavTree, href: str) -> Node:
    from tests.servers.nextcloud.dav import VirtualCollection

    path = "/" + href.strip("/")
    target = tree.resolve(tree.base.rstrip("/") + path)
    if target is None or isinstance(target[0], VirtualCollection) or target[0] is not tree.files:
        raise bad_request(f"Invalid search scope: {href}")
    node = tree.files.node(target[1])
    if node is None or not node.is_collection:
        raise bad_request("Search is only supported on directories")
    return node


def _holds(condition: etree._Element, node: Node) -> bool:
    kind = clark(condition)
    if kind == (DAV, "and"):
        return all(_holds(c, node) for c in condition)
    if kind == (DAV, "or"):
        return any(_holds(c, node) for c in condition)
    if kind == (DAV, "not"):
        return not _holds(condition[0], node)
    if kind == (DAV, "is-collection"):
        return node.is_collection
    if kind in ((DAV, "like"), (DAV, "eq")):
        prop = condition.find(f"{{{DAV}}}prop")
        literal = condition.findtext(f"{{{DAV}}}literal")
        if prop is None or not len(prop) or literal is None:
            raise bad_request(f"Invalid number of arguments for {kind[1]} operation")
        value = _value(node, clark(prop[0]))
        if kind[1] == "like":
            return like_regex(literal).match(value) is not None
        return value.casefold() == literal.casefold()
    raise bad_request(f"Unsupported search operator {kind[1]}")


def _value(node: Node, name: PropName) -> str:
    if name == (DAV, "displayname"):
        return _name(node)
    if name in ((DAV, "getcontenttype"), (OC, "size")):
        value = node.prop(name)
        return str(value) if value is not None else ""
    raise bad_request(f"The property {name[1]} cannot be searched")


def _name(node: Node) -> str:
    from urllib.parse import unquote

    return unquote(node.href.rstrip("/").rpartition("/")[2])


def _sort_key(node: Node, name: PropName) -> object:
    if name == (DAV, "getlastmodified"):
        return node.last_modified() or 0.0
    return _name(node).casefold()


def _number(text: str | None, default: int) -> int:
    try:
        return max(0, int(text)) if text is not None else default
    except ValueError:
        return default
