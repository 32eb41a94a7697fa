"""Reading response bodies without buffering too much or wasting connections."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from app.dav import errors

#: A failure body is read up to this much: enough for any <d:error>, bounded for a hostile server.
ERROR_BODY_LIMIT = 1 << 20
#: An unread body is read to its end, to keep the connection, only up to this much.
DRAIN_LIMIT = 64 * 1024


@dataclass(frozen=True, slots=True)
class Reply:
    """A whole answer to a request the client has no method for (OCS, Login Flow, chunks)."""

    status: int
    reason: str
    headers: httpx.Headers
    body: bytes
    url: str


def looks_like_xml(response: httpx.Response) -> bool:
    return "xml" in response.headers.get("content-type", "")


@contextlib.contextmanager
def reusable(response: httpx.Response) -> Iterator[httpx.Response]:
    """Close a streamed response so that its connection goes back to the pool.

    httpx drops a connection whose body was not read: a job of 1,000 small
    requests would open 1,000 connections (and leave as many TIME_WAIT
    sockets). The short bodies of DELETE, PUT or MKCOL answers are read to
    the end first; a long unread body (a listing abandoned half-way) is
    cheaper to cut off.
    """
    try:
        yield response
    finally:
        drain(response)


def drain(response: httpx.Response) -> None:
    try:
        if not response.is_stream_consumed:
            read = 0
            for chunk in response.iter_raw():
                read += len(chunk)
                if read > DRAIN_LIMIT:
                    break
    except httpx.HTTPError:
        pass  # the connection is dropped instead of reused: nothing else is lost
    finally:
        response.close()


def read_limited(response: httpx.Response, method: str, limit: int = ERROR_BODY_LIMIT) -> bytes:
    """Read a (streamed) response body, refusing to buffer more than we would ever need."""
    data = bytearray()
    try:
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) > limit:
                break
    except httpx.TransportError as exc:
        raise errors.map_transport_error(exc, method, str(response.url)) from exc
    return bytes(data)
