"""Which kind of server answers at an address: the one probe every front end makes.

Kept apart from connection.py, which signs in, so that `davdesk ls` of a
server's bare address can ask without loading the sign-in code (app
passwords, bookmarks): tests/integration/test_cli_imports.py holds it so.
"""

from __future__ import annotations

import ssl

from app.nextcloud import discovery


def nextcloud_root(url: str, verify: bool | ssl.SSLContext) -> str | None:
    """The root of the Nextcloud at an address (status.php asked anonymously: nothing secret
    is sent), None for any other server."""
    try:
        return discovery.find_server(url, verify=verify).root_url
    except discovery.NotNextcloudError:
        return None
