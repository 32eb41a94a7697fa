"""X-NC-Paginate, as apps/dav/lib/Paginate/PaginatePlugin.php and PaginateCache.php do it.

There is no documentation page for it; the plugin is the specification:

* A PROPFIND (or REPORT/SEARCH) that carries ``X-NC-Paginate`` (any value: the plugin
  only checks that the header is there) and no known token renders *every* response
  of the multistatus, stores them in a cache under a new token for this URL, and
  answers the slice ``[X-NC-Paginate-Offset, +X-NC-Paginate-Count)`` (offset 0 and
  count 100 by default), with ``X-NC-Paginate: true``, ``X-NC-Paginate-Token`` and
  ``X-NC-Paginate-Total`` (the number of stored responses: for a Depth 1 listing the
  folder itself is item 0).
* A request with ``X-NC-Paginate-Token`` *and* ``X-NC-Paginate-Offset`` whose token
  is known for this URL is answered from the cache, without looking at the tree:
  a page of a listing as it was when the first page was made.
* An unknown or expired token with ``X-NC-Paginate`` starts a new pagination; without
  the header the request gets the whole listing.

Entries live an hour (PaginateCache::TTL), in memory: a restarted server has
forgotten every token, as one whose memcache was flushed.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

TTL = 60 * 60
DEFAULT_PAGE_SIZE = 100


@dataclass
class _Entry:
    items: list[str]
    expires: float


class PaginateCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], _Entry] = {}

    def store(self, url: str, items: list[str]) -> str:
        token = secrets.token_urlsafe(24)[:32]
        with self._lock:
            now = time.monotonic()
            for key in [k for k, e in self._entries.items() if e.expires < now]:
                del self._entries[key]
            self._entries[(url, token)] = _Entry(items, now + TTL)
        return token

    def get(self, url: str, token: str) -> list[str] | None:
        with self._lock:
            entry = self._entries.get((url, token))
            if entry is None or entry.expires < time.monotonic() or not entry.items:
                return None
            return entry.items


def page_size(value: str | None) -> int:
    """PHP's ``(int)$header ?: 100``: a missing, zero or non-numeric count means 100."""
    count = _php_int(value)
    return count if count else DEFAULT_PAGE_SIZE


def offset(value: str | None) -> int:
    return max(0, _php_int(value))


def _php_int(value: str | None) -> int:
    if value is None:
        return 0
    text = value.strip()
    digits = ""
    for i, char in enumerate(text):
        if char.isdigit() or (i == 0 and char in "+-"):
            digits += char
        else:
            break
    try:
        return int(digits)
    except ValueError:
        return 0
