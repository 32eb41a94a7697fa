"""What an upload needs from a connection: the narrow interface uploads are written against.

uploads.py (a PUT), chunked.py (Nextcloud's chunked upload) and bulk.py (its
bulk upload) see a connection only through UploadTarget, and DavClient is one
(structurally: it is never named here). So the client imports the uploads and
no upload imports the client: no import cycle, and an upload's needs stay
visible in one place.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from typing import Protocol

import httpx

from app.dav.bodies import Reply
from app.dav.extensions import ServerExtensions
from app.dav.outcome import Outcome
from app.dav.resource import Resource


class UploadTarget(Protocol):
    """A connection as uploads use it (DavClient's methods of the same names)."""

    #: Requests the connection may have under way at once: bounds parallel chunks.
    workers: int

    @property
    def extensions(self) -> ServerExtensions: ...

    def url(self, path: str) -> str: ...

    def exchange(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        content: bytes | Iterable[bytes] | None = None,
    ) -> contextlib.AbstractContextManager[httpx.Response]: ...

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        content: bytes | Iterable[bytes] | None = None,
    ) -> Reply: ...

    def propfind(
        self, path: str, depth: int = 1, props: Iterable[str] | str | None = ...
    ) -> list[Resource]: ...

    def stat(self, path: str) -> Resource: ...

    def lookup(self, path: str) -> Resource | None: ...

    def proppatch(
        self,
        path: str,
        set_props: Mapping[str, str] | None = None,
        remove: Iterable[str] = (),
        *,
        lock_token: str | None = None,
    ) -> Outcome: ...
