"""The WebDAV protocol layer: plain Python over httpx and lxml, no Qt.

The public surface is small on purpose: a client, its exception tree, the
Outcome every operation ends in, and the listing entry.
"""

from app.dav.client import DavClient, ServerInfo, Timeouts
from app.dav.errors import DavError
from app.dav.outcome import Outcome, Source
from app.dav.resource import Resource

__all__ = ["DavClient", "DavError", "Outcome", "Resource", "ServerInfo", "Source", "Timeouts"]
