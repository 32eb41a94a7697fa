"""Copy Address and Copy Internal Link: where a server file is, as text for the clipboard.

The address is the resource's WebDAV URL as any WebDAV client opens it, never
with the user name or password in it (a pasted address must not carry
credentials into a chat). A Nextcloud also knows each file by its id: the
internal link (index.php/f/FILEID) opens it in the browser for anyone who can
already see it, and keeps working after the file is renamed or moved. It goes
through index.php because that works whether or not the server has pretty URLs.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.dav import DavClient, Resource
from app.nextcloud.account import NextcloudAccount


def addresses(client: DavClient, resources: Sequence[Resource]) -> str:
    """One URL per line; folders end with "/"."""
    return "\n".join(
        client.url(r.path.rstrip("/") + "/" if r.is_dir else r.path) for r in resources
    )


def internal_links(
    client: DavClient, account: NextcloudAccount, resources: Sequence[Resource]
) -> str:
    """One internal link per line. Runs on the pool: the window's rows keep no file ids, so
    each item the caller has none for is looked up (a Depth 0 PROPFIND)."""
    root = account.root_url if account.root_url.endswith("/") else account.root_url + "/"
    ids = [r.fileid or client.stat(r.path).fileid for r in resources]
    return "\n".join(f"{root}index.php/f/{fileid}" for fileid in ids if fileid)
