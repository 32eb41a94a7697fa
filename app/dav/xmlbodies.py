"""Request bodies for PROPFIND, PROPPATCH and LOCK, and reading error bodies.

Bodies are built with lxml rather than string templates so that property
names, values and lock owners from users are always escaped correctly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial

from lxml import etree

DAV = "DAV:"
_D = "{DAV:}"

#: Where Davdesk keeps an uploaded file's modification time when the server will not
#: take it from X-OC-Mtime: integer seconds since the epoch, as text.
MTIME_PROP = "{urn:davdesk}mtime"

#: What a listing shows; asking for just these is cheaper than allprop.
BASIC_PROPS = (
    f"{_D}resourcetype",
    f"{_D}getcontentlength",
    f"{_D}getlastmodified",
    f"{_D}getetag",
    f"{_D}getcontenttype",
)
#: What jobs list: also the kept mtime. Servers answer a 404 propstat for every file
#: without it, so plain listings (ls) leave it out.
LISTING_PROPS = (*BASIC_PROPS, MTIME_PROP)
#: Who holds a lock on an entry: asked by the window's listings, for the lock icon.
LOCKDISCOVERY = f"{_D}lockdiscovery"

OC = "{http://owncloud.org/ns}"
NC = "{http://nextcloud.org/ns}"
#: Nextcloud's properties that a listing shows or acts on: the id, what the user may do
#: (oc:permissions letters), a folder's total size, whether a preview exists.
NEXTCLOUD_PROPS = (f"{OC}fileid", f"{OC}permissions", f"{OC}size", f"{NC}has-preview")

_SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


def split_clark(name: str) -> tuple[str, str]:
    """'{ns}local' -> (ns, local); a bare name is taken to be in DAV:."""
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return DAV, name


def _element(parent: etree._Element | None, name: str) -> etree._Element:
    """An element named in Clark notation; lxml invents prefixes for other namespaces."""
    ns, local = split_clark(name)
    tag = f"{{{ns}}}{local}"
    if parent is None:
        return etree.Element(tag, nsmap={"D": DAV})
    return etree.SubElement(parent, tag)


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def propfind_body(props: Iterable[str] | str | None) -> bytes:
    """A PROPFIND body: 'allprop', 'propname', or an iterable of Clark names."""
    root = _element(None, f"{_D}propfind")
    if props == "allprop" or props is None:
        _element(root, f"{_D}allprop")
    elif props == "propname":
        _element(root, f"{_D}propname")
    else:
        prop = _element(root, f"{_D}prop")
        for name in props:
            _element(prop, name)
    return _serialize(root)


def proppatch_body(set_props: Mapping[str, str], remove: Iterable[str]) -> bytes:
    """A PROPPATCH body setting text values and removing properties, in that order."""
    root = _element(None, f"{_D}propertyupdate")
    if set_props:
        prop = _element(_element(root, f"{_D}set"), f"{_D}prop")
        for name, value in set_props.items():
            _element(prop, name).text = value
    removals = list(remove)
    if removals:
        prop = _element(_element(root, f"{_D}remove"), f"{_D}prop")
        for name in removals:
            _element(prop, name)
    return _serialize(root)


def lock_body(owner: str, shared: bool = False) -> bytes:
    """A LOCK request for a write lock; the owner is shown to others who hit the lock."""
    root = _element(None, f"{_D}lockinfo")
    _element(_element(root, f"{_D}lockscope"), f"{_D}shared" if shared else f"{_D}exclusive")
    _element(_element(root, f"{_D}locktype"), f"{_D}write")
    _element(root, f"{_D}owner").text = owner
    return _serialize(root)


@dataclass(frozen=True, slots=True)
class ErrorBody:
    """What a failure response's <d:error> body said."""

    condition: str | None
    hrefs: tuple[str, ...]
    description: str | None
    #: The exception class a SabreDAV server (Nextcloud) names in <s:exception>.
    exception: str | None = None


_SABRE_EXCEPTION = "{http://sabredav.org/ns}exception"


def condition_name(tag: str) -> str:
    """DAV: conditions by local name ('lock-token-submitted'); others in Clark notation."""
    return tag[len(_D) :] if tag.startswith(_D) else tag


def parse_error_body(body: bytes) -> ErrorBody | None:
    """Read a <d:error> body (RFC 4918 section 16); None when the body is not one."""
    if not body.lstrip().startswith(b"<"):
        return None
    try:
        root = etree.fromstring(body, _SAFE_PARSER)
    except etree.XMLSyntaxError:
        return None
    if root.tag != f"{_D}error":
        return None
    condition = None
    hrefs: list[str] = []
    description = None
    exception = None
    for child in root:
        if not isinstance(child.tag, str):
            continue
        if child.tag == _SABRE_EXCEPTION:
            exception = (child.text or "").strip() or None
        if child.tag == f"{_D}responsedescription":
            description = (child.text or "").strip() or None
        elif condition is None:
            condition = condition_name(child.tag)
            hrefs = [(h.text or "").strip() for h in child.iter(f"{_D}href")]
    return ErrorBody(condition, tuple(hrefs), description, exception)


@dataclass(frozen=True, slots=True)
class ActiveLock:
    """One entry of lockdiscovery: enough to show who holds a lock and to release ours."""

    token: str | None
    owner: str | None
    timeout: str | None
    depth: str | None
    scope: str | None
    root: str | None


def _text_at(element: etree._Element, path: str) -> str | None:
    found = element.find(path)
    if found is None:
        return None
    return ("".join(found.itertext()).strip()) or None


def parse_lockdiscovery(body: bytes) -> list[ActiveLock]:
    """The active locks in a LOCK response's (or a PROPFIND's) lockdiscovery."""
    try:
        root = etree.fromstring(body, _SAFE_PARSER)
    except etree.XMLSyntaxError:
        return []
    locks = []
    for active in root.iter(f"{_D}activelock"):
        text = partial(_text_at, active)
        scope = active.find(f"{_D}lockscope")
        scope_name = None
        if scope is not None and len(scope) and isinstance(scope[0].tag, str):
            scope_name = condition_name(scope[0].tag)
        locks.append(
            ActiveLock(
                token=text(f"{_D}locktoken/{_D}href"),
                owner=text(f"{_D}owner"),
                timeout=text(f"{_D}timeout"),
                depth=text(f"{_D}depth"),
                scope=scope_name,
                root=text(f"{_D}lockroot/{_D}href"),
            )
        )
    return locks
