"""Reading a Depth 1 listing: which of its entries to believe, and when to parse it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from app.dav import multistatus
from app.dav.paths import parent, same_resource


class FolderMembers:
    """Keeps the entries of a Depth 1 listing that are the folder or directly inside it.

    Any other href ("/etc/passwd", "../..", another host) names a resource the
    user did not ask about: shown as a member of this folder, a delete or a
    download of it would act on something else than what the user sees.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._prefix = folder.rstrip("/") + "/"
        self.dropped: list[str] = []

    def keep(self, responses: Iterable[multistatus.Response]) -> list[multistatus.Response]:
        kept = []
        prefix = self._prefix
        for response in responses:
            path = response.href
            # Spelled as the request was: decided without normalising (100,000 entries).
            plain = path.startswith(prefix) and "/" not in path[len(prefix) :].rstrip("/")
            if plain or (
                path
                and (same_resource(path, self.folder) or same_resource(parent(path), self.folder))
            ):
                kept.append(response)
            else:
                self.dropped.append(repr(path))
        return kept


#: Bytes of a listing read before its thread waits for its turn to parse (iter_propfind's turn):
#: all of a folder of a few thousand entries, a bounded part of a huge one.
PREFETCH = 4 * 1024 * 1024


def prefetched(chunks: Iterator[bytes]) -> list[bytes]:
    """The first PREFETCH bytes of a body, read off the socket before parsing begins."""
    early: list[bytes] = []
    size = 0
    for chunk in chunks:
        early.append(chunk)
        size += len(chunk)
        if size >= PREFETCH:
            break
    return early
