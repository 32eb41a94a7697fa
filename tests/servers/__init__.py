"""Real WebDAV servers for the tests: wsgidav in a thread, Apache httpd with mod_dav.

See DESIGN.md, "Real servers, not mocks". Both servers authenticate the
fixture user :data:`USER` with :data:`PASSWORD`.
"""

from tests.servers.apache_server import (
    ApacheServer,
    ApacheStartError,
    find_apache,
    require_apache,
)
from tests.servers.handle import ServerHandle
from tests.servers.wsgidav_server import PASSWORD, USER, WsgiDavServer

__all__ = [
    "PASSWORD",
    "USER",
    "ApacheServer",
    "ApacheStartError",
    "ServerHandle",
    "WsgiDavServer",
    "find_apache",
    "require_apache",
]
