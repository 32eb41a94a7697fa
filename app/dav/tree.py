"""Walking a remote tree with Depth 1 PROPFINDs.

Apache and nginx refuse Depth: infinity and others silently treat it as 1, so
every tree walk is a breadth-first series of Depth 1 listings.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.dav.client import DavClient
from app.dav.resource import Resource


def walk(client: DavClient, root: str) -> Iterator[tuple[str, list[Resource]]]:
    """Yield (folder path, its members) for root and every folder below it, parents first."""
    pending = [root if root.endswith("/") else root + "/"]
    while pending:
        folder = pending.pop(0)
        members = client.listdir(folder)
        yield folder, members
        pending.extend(m.path if m.path.endswith("/") else m.path + "/" for m in members if m.is_dir)
