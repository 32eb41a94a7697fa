"""Turning server paths into URLs and server names into local file names.

Paths inside Davdesk are always decoded ("/dav/a b%.txt"); they are quoted only
at the moment a URL is built, so a name is never double-encoded or compared in
two spellings.
"""

from __future__ import annotations

import posixpath
import sys
import unicodedata
from urllib.parse import quote, unquote, urlsplit

from app.dav.errors import UnsafePathError

# Names Windows refuses whatever the extension; a download must not create them.
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{i}" for i in range(1, 10)]
    + [f"LPT{i}" for i in range(1, 10)]
)
#: Characters Windows refuses in a file name (besides separators and control characters).
_WINDOWS_FORBIDDEN = frozenset('<>:"|?*')
#: The longest name macOS file systems hold: 255 UTF-16 units as HFS+ stores it (decomposed,
#: NFD), 255 bytes of UTF-8 on APFS.
_MACOS_LONGEST = 255


def quote_path(path: str) -> str:
    """Percent-encode a decoded path for a request line; '/' stays a separator."""
    return quote(path, safe="/", errors="surrogateescape")


def url_path(url: str) -> str:
    """The decoded path of an absolute URL, keeping a trailing slash."""
    return unquote(urlsplit(url).path or "/", errors="surrogateescape")


def join(folder: str, name: str) -> str:
    """A child path of a folder path (name must already be a single segment)."""
    return folder.rstrip("/") + "/" + name


def parent(path: str) -> str:
    """The parent folder of a path, with its trailing slash."""
    head = posixpath.dirname(path.rstrip("/"))
    return head.rstrip("/") + "/"


def basename(path: str) -> str:
    """The last segment of a path, ignoring a collection's trailing slash."""
    # posixpath.basename's own reading, without its two calls: a listing asks this of every
    # entry.
    path = path.rstrip("/")
    return path[path.rfind("/") + 1 :]


def same_resource(a: str, b: str) -> bool:
    """Whether two decoded paths name the same resource.

    Servers answer with or without the trailing slash of a collection, and some
    normalise Unicode (NFC vs NFD) in hrefs, so both are ignored here.
    """
    return unicodedata.normalize("NFC", a.rstrip("/")) == unicodedata.normalize(
        "NFC", b.rstrip("/")
    )


def check_local_name(name: str) -> str:
    """Return name if it is safe to create as one file in a local folder, else raise.

    Hrefs come from the server, which may be hostile: a name must never climb
    out of the target folder or address a device.
    """
    problem = None
    if name in ("", ".", ".."):
        problem = "empty or a dot name"
    elif "/" in name or "\\" in name:
        problem = "contains a path separator"
    elif "\x00" in name or any(ord(c) < 32 for c in name):
        problem = "contains a control character"
    elif sys.platform == "win32":
        problem = _windows_problem(name)
    elif sys.platform == "darwin":
        problem = _macos_problem(name)
    if problem:
        raise UnsafePathError(f"unsafe name from server: {name!r} {problem}")
    return name


def _windows_problem(name: str) -> str | None:
    """Why Windows cannot hold name as given, or None.

    A trailing dot or space is not refused there but silently dropped, so
    "report." would land on (and overwrite) "report".
    """
    if name.split(".")[0].upper().rstrip() in _WINDOWS_RESERVED:
        return "is a reserved device name on Windows"
    if any(c in _WINDOWS_FORBIDDEN for c in name):
        return "contains a character Windows does not allow in names"
    if name[-1] in ". ":
        return "ends in a dot or space, which Windows drops"
    return None


def _macos_problem(name: str) -> str | None:
    """Why macOS cannot hold name as given, or None.

    ":" is the separator of the Finder's (Carbon's) paths: a file "a:b" is
    shown as "a/b", which is not the name the server has. APFS holds 255
    bytes of UTF-8, and HFS+ stores names decomposed (NFD), where "ΐ" takes
    three units: a name within the limit as sent can be over it as stored.
    """
    if ":" in name:
        return "contains ':', which the macOS Finder shows as '/'"
    if len(name.encode("utf-8", "surrogateescape")) > _MACOS_LONGEST:
        return f"is longer than the {_MACOS_LONGEST} bytes macOS file systems hold"
    decomposed = unicodedata.normalize("NFD", name).encode("utf-16-le", "surrogatepass")
    if len(decomposed) // 2 > _MACOS_LONGEST:
        return "is too long for HFS+ once decomposed (NFD), the form it stores names in"
    return None
