"""ETags as Davdesk compares them: one rule for the whole tree.

An ETag names a version of a resource. Servers spell the same version in
several ways, and none of them is another version:

- weak or strong: Apache gives a file changed within the last second a weak
  ETag (``W/"1-5a3"``) and the strong ``"1-5a3"`` a second later
  (quirks.WEAK_ETAG_OF_A_FRESH_FILE); RFC 9110 8.8.3.2's weak comparison
  ignores the marker;
- quoted or not: wsgidav's getetag has no quotes, its ETag header has them;
  Nextcloud's bulk upload answers with a bare ETag where its listings quote it
  (quirks.UNQUOTED_ETAG).

So a version is its opaque tag: the ``W/`` marker and the surrounding quotes
off. An empty ETag (``""`` or nothing) names no version: it is no ETag at all,
and then size and time stand in (the callers' rule).

The comparison here is the weak one, for deciding whether the version someone
saw is still the one on the server. What goes back to the server in If-Match
is the ETag as the server spelled it, never normal(); and a weak ETag in
If-Match never matches (strong comparison), which is why uploads compare it
themselves (app/dav/uploads.py).
"""

from __future__ import annotations

from typing import TypeGuard


def is_weak(etag: str | None) -> TypeGuard[str]:
    """Whether the server marked the ETag weak (W/): If-Match would never match it."""
    return etag is not None and etag.startswith("W/")


def normal(etag: str | None) -> str | None:
    """The version an ETag names, as Davdesk keeps and compares it; None for no ETag."""
    if not etag:
        return None
    if etag.startswith("W/"):
        etag = etag[2:]
    return etag.strip('"') or None


def same(first: str | None, second: str | None) -> bool:
    """Whether two ETags name the same version; never when either names none."""
    ours = normal(first)
    return ours is not None and ours == normal(second)


def quoted(etag: str) -> str:
    """An ETag in the form the protocol's headers and listings use: a bare one gets quotes."""
    return etag if etag.startswith(('"', 'W/"')) else f'"{etag}"'
