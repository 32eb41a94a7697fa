"""Turning the hrefs of a 207 body into the paths the rest of Davdesk compares.

Servers spell one path many ways (DESIGN.md, "Servers differ"): an absolute
URL or an absolute path, upper- or lower-case escapes, ``&``, ``+`` and ``;``
escaped or not (quirks.HREF_ESCAPES_DIFFER). Everything downstream compares
*decoded* paths, so this module is the one place that decodes them, and it
does so without guessing: no Unicode normalisation, no collapsing of ``//``,
no trimming of names.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit

#: Whitespace around an href; only `_trim` decides whether it is layout.
_EDGES = " \t\r\n"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: "2f", "2F", "2e", ... -> the byte: a dict lookup beats parsing hex per escape.
_HEX_BYTES = {
    spelling: bytes([byte])
    for byte in range(256)
    for high, low in [(f"{byte >> 4:x}", f"{byte & 15:x}")]
    for spelling in (high + low, high.upper() + low, high + low.upper(), (high + low).upper())
}
#: Last segments that make `HrefDecoder`'s shortcut wrong (dot segments).
_DOT_TAILS = frozenset({".", "..", "./", "../"})
#: Parent paths `HrefDecoder` remembers; a flat listing needs one.
_PARENT_CACHE_SIZE = 1024

_Origin = tuple[str, str, int | None]


class _Base(NamedTuple):
    origin: _Origin | None
    path: str
    directory: str


def href_to_path(href: str, base_url: str) -> str:
    """The decoded path an href names, resolved against the request URL.

    An href on another origin (scheme, host or port) comes back as the decoded
    absolute URL, so it can never be mistaken for one of our own paths. Query
    and fragment delimiters are kept as part of the path: a 207 href names a
    resource, and a raw ``#`` or ``?`` there is a server that forgot to escape a
    file name, not a fragment.
    """
    base = _base(base_url)
    href = _trim(href)
    match = _SCHEME.match(href)
    if match is not None:
        scheme = match.group()[:-1].lower()
        rest = href[match.end() :]
        if not rest.startswith("//"):  # opaque, e.g. "urn:...": not a path of ours
            return _unquote(f"{scheme}:{rest}")
        return _absolute(scheme, rest[2:], base)
    if href.startswith("//"):
        scheme = base.origin[0] if base.origin else "http"
        return _absolute(scheme, href[2:], base)
    if href.startswith("/"):
        return _unquote(_remove_dot_segments(href))
    if not href:
        return _unquote(base.path)
    return _unquote(_remove_dot_segments(base.directory + href))


class HrefDecoder:
    """`href_to_path` for the many hrefs of one body, at a fraction of the cost.

    A listing repeats one parent path thousands of times; resolving it once and
    decoding only the last segment of each href keeps href handling from
    dominating the parse of a 100,000-entry body.
    """

    __slots__ = ("_parents", "base_url")

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._parents: dict[str, str] = {}

    def __call__(self, href: str | None) -> str:
        if not href or href[0] in _EDGES or href[-1] in _EDGES:
            return href_to_path(href or "", self.base_url)
        # An absolute path without dot segments (what Apache and Nextcloud send) is its own
        # decoded path, exactly as `href_to_path` would find it.
        if href[0] == "/" and href[1:2] != "/" and "/." not in href:
            return _unquote(href)
        cut = href.rfind("/", 0, len(href) - 1)
        head, tail = href[: cut + 1], href[cut + 1 :]
        # Resolving the parent alone is exact unless the last segment is a dot
        # segment or the cut falls inside "//" (an authority or empty segment).
        if cut < 0 or tail in _DOT_TAILS or tail[0] == "/" or head.endswith("//"):
            return href_to_path(href, self.base_url)
        parent = self._parents.get(head)
        if parent is None:
            if len(self._parents) >= _PARENT_CACHE_SIZE:
                self._parents.clear()
            parent = self._parents[head] = href_to_path(head, self.base_url)
        return parent + _unquote(tail)


def _trim(href: str) -> str:
    """Drop the indentation of a pretty-printed href, and nothing else.

    Only whitespace that includes a tab or line break counts as layout: a
    single leading or trailing space may be part of a (badly escaped) name.
    """
    if "\n" in href or "\t" in href or "\r" in href:
        return href.strip(_EDGES)
    return href


def _absolute(scheme: str, rest: str, base: _Base) -> str:
    slash = rest.find("/")
    authority, path = (rest, "/") if slash < 0 else (rest[:slash], rest[slash:])
    path = _remove_dot_segments(path)
    if base.origin is not None and _origin(scheme, authority) == base.origin:
        return _unquote(path)
    return _unquote(f"{scheme}://{authority}{path}")


@lru_cache(maxsize=64)
def _origin(scheme: str, authority: str) -> _Origin | None:
    """Scheme, host and port as compared for same-origin: case and default port normalised."""
    try:
        parts = urlsplit(f"{scheme}://{authority}")
        port = parts.port
    except ValueError:
        return None
    return (scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme))


@lru_cache(maxsize=64)
def _base(base_url: str) -> _Base:
    parts = urlsplit(base_url)
    path = parts.path or "/"
    origin = _origin(parts.scheme.lower(), parts.netloc) if parts.netloc else None
    return _Base(origin, path, path[: path.rfind("/") + 1] or "/")


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 for an absolute path, as ``urljoin`` does it."""
    if "/." not in path:
        return path
    segments = path.split("/")
    kept: list[str] = []
    for segment in segments:
        if segment == "..":
            if len(kept) > 1:  # never pop the empty segment before the leading "/"
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    if segments[-1] in (".", ".."):
        kept.append("")
    return "/".join(kept)


def _unquote(text: str) -> str:
    """Percent-decode as UTF-8; ``+`` is not a space in a path."""
    if "%" not in text:
        return text
    # Most escaped names escape only spaces: two C calls instead of a loop over escapes.
    spaced = text.replace("%20", " ")
    if "%" not in spaced:
        return spaced
    parts = text.split("%")
    out = [parts[0].encode()]
    for part in parts[1:]:
        byte = _HEX_BYTES.get(part[:2])
        if byte is None:
            out.append(b"%" + part.encode())
        else:
            out.append(byte)
            out.append(part[2:].encode())
    try:
        return b"".join(out).decode()
    except UnicodeDecodeError:
        return _ESCAPES.sub(_decode_run, text)


def _decode_run(match: re.Match[str]) -> str:
    """Decode one run of escapes, keeping those that are not UTF-8 verbatim.

    Verbatim rather than U+FFFD: two such names stay distinct, and the user
    sees what the server actually sent.
    """
    raw = match.group()
    data = bytes.fromhex(raw.replace("%", ""))
    out: list[str] = []
    pos = 0
    while pos < len(data):
        try:
            out.append(data[pos:].decode())
            break
        except UnicodeDecodeError as exc:
            bad_start, bad_end = pos + exc.start, pos + exc.end
            out.append(data[pos:bad_start].decode())
            out.append(raw[3 * bad_start : 3 * bad_end])  # three characters per escaped byte
            pos = bad_end
    return "".join(out)
