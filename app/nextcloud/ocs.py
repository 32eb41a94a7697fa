"""OCS API calls: JSON answers wrapped in an ``ocs.meta`` status, sent with OCS-APIRequest.

Nextcloud refuses OCS requests without the ``OCS-APIRequest: true`` header (it
is what tells an API client from a browser, for CSRF). The v1 endpoints
answer HTTP 200 even for failures and put the real status in
``meta.statuscode`` (100 is success); v2 mirror it in the HTTP status (200).
Both are checked, so a failure never passes for data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from app.dav import DavClient, errors

HEADERS = {"OCS-APIRequest": "true", "Accept": "application/json"}
_OK = {100, 200}
#: OCS status codes that mean the credentials were refused (v1 and v2).
_UNAUTHORISED = {997, 401}


class OcsError(errors.DavError):
    """An OCS call the server answered with a failure status in its meta block."""

    def __init__(self, message: str, statuscode: int | None = None) -> None:
        super().__init__(message)
        self.statuscode = statuscode


def call(
    client: DavClient,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    session: bool = True,
) -> Any:
    """The ``ocs.data`` of an OCS call on the client's server; path is a decoded server path.
    session=False: outside the client's session (Transport.request)."""
    reply = client.request(
        method,
        path,
        headers={**HEADERS, **(headers or {})},
        query={"format": "json"},
        session=session,
    )
    return unwrap(reply.body, f"{method} {reply.url}")


def send(
    client: DavClient, method: str, path: str, *, params: Mapping[str, str] | None = None
) -> Any:
    """An OCS call whose failures carry the server's own words: the ``ocs.data``, or an
    OcsError with ``meta.message`` ("Public link sharing is disabled by the administrator")
    also where v2 answers with a failure status. params go in the query of a GET or DELETE,
    as a form in the body otherwise."""
    headers = dict(HEADERS)
    query = {"format": "json"}
    body = None
    if params and method in ("GET", "DELETE"):
        query.update(params)
    elif params:
        body = urlencode(params).encode("utf-8")
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    reply = client.request(
        method, path, headers=headers, content=body, query=query, raise_for_status=False
    )
    what = f"{method} {reply.url}"
    if reply.status >= 400 and not reply.body.lstrip().startswith(b"{"):
        raise errors.status_error_class(reply.status)(method, reply.url, reply.status, reply.reason)
    return unwrap(reply.body, what)


def unwrap(body: bytes, what: str) -> Any:
    """``ocs.data`` of an OCS JSON document, or the error its meta block describes."""
    try:
        document = json.loads(body)
        meta = document["ocs"]["meta"]
        data = document["ocs"].get("data")
        code = int(meta.get("statuscode"))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise OcsError(f"{what}: not an OCS answer ({exc.__class__.__name__})") from exc
    if code in _OK:
        return data
    message = str(meta.get("message") or meta.get("status") or "failure")
    if code in _UNAUTHORISED:
        method, _, url = what.partition(" ")
        raise errors.AuthenticationError(method, url, 401, description=f"OCS {code}: {message}")
    raise OcsError(f"{what}: OCS status {code}: {message}", code)
