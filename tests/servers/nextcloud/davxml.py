"""WebDAV XML as Sabre writes it: error bodies, multistatus responses, request bodies.

Responses are built as strings (escaped by hand) rather than element trees: a
100,000-entry listing stays cheap, and paginated listings cache each rendered
``<d:response>`` as Nextcloud's PaginatePlugin does. Request bodies are parsed
with a hardened lxml parser (no entities, no DTD, no network).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree

from tests.servers.nextcloud.http import HttpError, Response, reason

DAV = "DAV:"
SABRE = "http://sabredav.org/ns"
OC = "http://owncloud.org/ns"
NC = "http://nextcloud.org/ns"

#: The prefixes Nextcloud's responses declare on their root element.
PREFIXES = {DAV: "d", SABRE: "s", OC: "oc", NC: "nc"}
ROOT_NAMESPACES = " ".join(f'xmlns:{p}="{ns}"' for ns, p in PREFIXES.items())

XML_CONTENT_TYPE = "application/xml; charset=utf-8"

PropName = tuple[str, str]  # (namespace, local name)

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_blank_text=False,
)


def esc(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def parse_xml(body: bytes) -> etree._Element:
    """Parse a request body, or answer 400 as Sabre does for broken XML."""
    try:
        return etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as error:
        raise SabreError(
            400,
            "Sabre\\DAV\\Exception\\BadRequest",
            f"The request body had an invalid XML body. (message: {error})",
        ) from None


def clark(element: etree._Element) -> PropName:
    qname = etree.QName(element)
    return (qname.namespace or "", qname.localname)


class SabreError(HttpError):
    """A DAV error answer with Sabre's ``<d:error>`` body.

    ``exception`` is the PHP class name Sabre puts in ``<s:exception>``; ``extra``
    is XML appended inside ``<d:error>`` (a DAV condition, ``<s:header>``, the
    ownCloud ``<o:retry>``/``<o:reason>`` pair of InvalidPath).
    """

    def __init__(
        self,
        status: int,
        exception: str,
        message: str = "",
        *,
        extra: str = "",
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(status, message, headers)
        self.exception = exception
        self.extra = extra

    def response(self) -> Response:
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<d:error xmlns:d="DAV:" xmlns:s="{SABRE}">\n'
            f"  <s:exception>{esc(self.exception)}</s:exception>\n"
            f"  <s:message>{esc(self.message)}</s:message>\n"
            f"{self.extra}"
            "</d:error>\n"
        )
        return Response(
            self.status, [("Content-Type", XML_CONTENT_TYPE), *self.headers], body.encode("utf-8")
        )


def not_found(message: str = "") -> SabreError:
    return SabreError(404, "Sabre\\DAV\\Exception\\NotFound", message)


def forbidden(message: str = "") -> SabreError:
    return SabreError(403, "Sabre\\DAV\\Exception\\Forbidden", message)


def bad_request(message: str) -> SabreError:
    return SabreError(400, "Sabre\\DAV\\Exception\\BadRequest", message)


def conflict(message: str) -> SabreError:
    return SabreError(409, "Sabre\\DAV\\Exception\\Conflict", message)


def method_not_allowed(message: str) -> SabreError:
    return SabreError(405, "Sabre\\DAV\\Exception\\MethodNotAllowed", message)


def precondition_failed(message: str, header: str = "") -> SabreError:
    extra = f"  <s:header>{esc(header)}</s:header>\n" if header else ""
    return SabreError(412, "Sabre\\DAV\\Exception\\PreconditionFailed", message, extra=extra)


def mkcol_body_refused() -> SabreError:
    """Sabre answers a MKCOL with a body it cannot take (extended MKCOL is not offered)."""
    return SabreError(
        415,
        "Sabre\\DAV\\Exception\\UnsupportedMediaType",
        "The request body for the MKCOL request must have an xml Content-Type",
    )


def insufficient_storage(message: str) -> SabreError:
    return SabreError(507, "Sabre\\DAV\\Exception\\InsufficientStorage", message)


def invalid_path(message: str) -> SabreError:
    """Nextcloud's InvalidPath: 400, plus ownCloud's retry/reason nodes (namespace "o:")."""
    extra = (
        f'  <o:retry xmlns:o="o:">false</o:retry>\n'
        f'  <o:reason xmlns:o="o:">{esc(message)}</o:reason>\n'
    )
    return SabreError(
        400, "OCA\\DAV\\Connector\\Sabre\\Exception\\InvalidPath", message, extra=extra
    )


# -- property values ---------------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """A property value that is already XML (``<d:collection/>``, a checksum list)."""

    xml: str


PropValue = str | Raw


def element_name(name: PropName, declared: dict[str, str]) -> tuple[str, str]:
    """(qualified name, namespace declaration to add) for a property element."""
    namespace, local = name
    prefix = PREFIXES.get(namespace) or declared.get(namespace)
    if prefix is not None:
        return f"{prefix}:{local}", ""
    if not namespace:
        return local, ' xmlns=""'
    return f"x:{local}", f' xmlns:x="{esc(namespace)}"'


def render_prop(name: PropName, value: PropValue | None) -> str:
    qname, decl = element_name(name, {})
    if value is None or value == "":
        return f"<{qname}{decl}/>"
    inner = value.xml if isinstance(value, Raw) else esc(value)
    return f"<{qname}{decl}>{inner}</{qname}>"


def render_response(
    href: str,
    found: list[tuple[PropName, PropValue]],
    missing: Iterable[PropName] = (),
    *,
    status_other: dict[int, list[PropName]] | None = None,
) -> str:
    """One ``<d:response>`` with a 200 propstat and a 404 one (only non-empty ones)."""
    parts = [f"<d:response><d:href>{esc(href)}</d:href>"]
    if found:
        props = "".join(render_prop(n, v) for n, v in found)
        parts.append(
            f"<d:propstat><d:prop>{props}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>"
        )
    missing = list(missing)
    if missing:
        props = "".join(render_prop(n, None) for n in missing)
        parts.append(
            f"<d:propstat><d:prop>{props}</d:prop>"
            f"<d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>"
        )
    for status, names in (status_other or {}).items():
        props = "".join(render_prop(n, None) for n in names)
        parts.append(
            f"<d:propstat><d:prop>{props}</d:prop>"
            f"<d:status>HTTP/1.1 {status} {reason(status)}</d:status></d:propstat>"
        )
    parts.append("</d:response>")
    return "".join(parts)


def multistatus(responses: Iterable[str]) -> bytes:
    return (
        '<?xml version="1.0"?>\n'
        f"<d:multistatus {ROOT_NAMESPACES}>" + "".join(responses) + "</d:multistatus>\n"
    ).encode("utf-8")


def multistatus_response(
    responses: Iterable[str], headers: list[tuple[str, str]] | None = None
) -> Response:
    return Response(
        207,
        [("Content-Type", XML_CONTENT_TYPE), ("Vary", "Brief,Prefer"), *(headers or [])],
        multistatus(responses),
    )


# -- request bodies --------------------------------------------------------------------


@dataclass
class PropfindRequest:
    """What a PROPFIND asked for: named properties, all (allprop) or names only."""

    mode: str  # "prop", "allprop" or "propname"
    names: list[PropName]


def parse_propfind(body: bytes) -> PropfindRequest:
    if not body.strip():
        return PropfindRequest("allprop", [])
    root = parse_xml(body)
    if clark(root) != (DAV, "propfind"):
        raise bad_request("The root element of a PROPFIND body must be {DAV:}propfind")
    for child in root:
        if not isinstance(child.tag, str):
            continue
        name = clark(child)
        if name == (DAV, "prop"):
            return PropfindRequest("prop", [clark(p) for p in child if isinstance(p.tag, str)])
        if name == (DAV, "allprop"):
            include = root.find(f"{{{DAV}}}include")
            extra = (
                [clark(p) for p in include if isinstance(p.tag, str)] if include is not None else []
            )
            return PropfindRequest("allprop", extra)
        if name == (DAV, "propname"):
            return PropfindRequest("propname", [])
    return PropfindRequest("allprop", [])


@dataclass
class PropPatch:
    """The set and remove instructions of a PROPPATCH, in document order."""

    operations: list[tuple[str, PropName, str | None]]  # ("set"|"remove", name, xml)


def parse_proppatch(body: bytes) -> PropPatch:
    root = parse_xml(body)
    if clark(root) != (DAV, "propertyupdate"):
        raise bad_request("The root element of a PROPPATCH body must be {DAV:}propertyupdate")
    operations: list[tuple[str, PropName, str | None]] = []
    for action in root:
        if not isinstance(action.tag, str):
            continue
        kind = clark(action)
        if kind not in ((DAV, "set"), (DAV, "remove")):
            continue
        for prop in action.iter(f"{{{DAV}}}prop"):
            for element in prop:
                if not isinstance(element.tag, str):
                    continue
                if kind == (DAV, "set"):
                    inner = esc(element.text or "") + "".join(
                        etree.tostring(c, encoding="unicode") for c in element
                    )
                    operations.append(("set", clark(element), inner))
                else:
                    operations.append(("remove", clark(element), None))
    return PropPatch(operations)
