"""The little HTTP layer under the fake Nextcloud: a request, a response, an error.

WSGI is spoken directly (no framework): the server must answer exactly as Nextcloud
does, down to header names and bodies, so nothing may add or rewrite headers behind
our back. Paths are taken from the raw ``REQUEST_URI`` and decoded here once, as
UTF-8, the way Sabre and PHP see them.
"""

from __future__ import annotations

import base64
import email.utils
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from typing import Any, BinaryIO
from urllib.parse import parse_qsl, unquote_to_bytes, urlsplit

#: Request bodies the server reads into memory (PROPFIND, PROPPATCH, forms). File
#: bodies (PUT) are streamed to disk instead and have no such limit.
MAX_SMALL_BODY = 10 * 1024 * 1024


def reason(status: int) -> str:
    """The standard reason phrase (Sabre uses the same table)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def http_date(timestamp: float) -> str:
    """RFC 7231 date, as Sabre writes getlastmodified and Last-Modified."""
    return email.utils.formatdate(timestamp, usegmt=True)


@dataclass
class Request:
    """One HTTP request, with its path decoded and its headers lower-cased."""

    environ: dict[str, Any]
    method: str
    raw_path: str  # as sent, still percent-encoded, no query
    path: str  # decoded (UTF-8)
    query: str
    headers: dict[str, str]
    _small_body: bytes | None = field(default=None, repr=False)

    @classmethod
    def from_environ(cls, environ: dict[str, Any]) -> Request:
        raw_uri = environ.get("REQUEST_URI")
        if not raw_uri:
            # Not cheroot: rebuild from PATH_INFO (already decoded as latin-1 by WSGI).
            raw_uri = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
            if environ.get("QUERY_STRING"):
                raw_uri += "?" + environ["QUERY_STRING"]
        parts = urlsplit(raw_uri)
        raw_path = parts.path or "/"
        headers: dict[str, str] = {}
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                name = key[5:].replace("_", "-").lower()
                headers[name] = value.encode("latin-1").decode("utf-8", "replace")
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        if environ.get("CONTENT_LENGTH"):
            headers["content-length"] = environ["CONTENT_LENGTH"]
        return cls(
            environ=environ,
            method=environ["REQUEST_METHOD"].upper(),
            raw_path=raw_path,
            # WSGI hands the raw bytes over as latin-1; decode them (and %XX) as UTF-8.
            path=unquote_to_bytes(raw_path.encode("latin-1", "replace")).decode("utf-8", "replace"),
            query=parts.query,
            headers=headers,
        )

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def user_agent(self) -> str:
        return self.headers.get("user-agent", "")

    @property
    def content_length(self) -> int | None:
        value = self.headers.get("content-length")
        if value is None or not value.strip().isdigit():
            return None
        return int(value)

    @property
    def body_stream(self) -> BinaryIO:
        return self.environ["wsgi.input"]

    def iter_body(self, block: int = 1024 * 1024) -> Iterator[bytes]:
        """The body in blocks, up to Content-Length (or to the end of a chunked body)."""
        stream = self.body_stream
        remaining = self.content_length
        while remaining is None or remaining > 0:
            want = block if remaining is None else min(block, remaining)
            data = stream.read(want)
            if not data:
                return
            if remaining is not None:
                remaining -= len(data)
            yield data

    def small_body(self) -> bytes:
        """The whole body, for the small XML and form bodies; read once."""
        if self._small_body is None:
            chunks: list[bytes] = []
            size = 0
            for data in self.iter_body():
                size += len(data)
                if size > MAX_SMALL_BODY:
                    raise HttpError(413, "Request body too large")
                chunks.append(data)
            self._small_body = b"".join(chunks)
        return self._small_body

    def query_params(self) -> dict[str, str]:
        return dict(parse_qsl(self.query, keep_blank_values=True))

    def params(self) -> dict[str, str]:
        """Query, form and JSON body parameters merged, as Nextcloud's IRequest::getParam."""
        merged = self.query_params()
        content_type = (self.header("content-type") or "").lower()
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            body = self.small_body()
            if "application/json" in content_type:
                try:
                    decoded = json.loads(body or b"{}")
                except ValueError:
                    decoded = {}
                if isinstance(decoded, dict):
                    merged.update({k: str(v) for k, v in decoded.items()})
            elif body:
                merged.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return merged

    def cookies(self) -> dict[str, str]:
        jar = SimpleCookie()
        try:
            jar.load(self.headers.get("cookie", ""))
        except CookieError:
            return {}
        return {name: morsel.value for name, morsel in jar.items()}

    def basic_credentials(self) -> tuple[str, str] | None:
        """(user, password) of an ``Authorization: Basic`` header, else None."""
        value = self.headers.get("authorization", "")
        scheme, _, encoded = value.partition(" ")
        if scheme.lower() != "basic" or not encoded.strip():
            return None
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        user, sep, password = decoded.partition(":")
        if not sep:
            return None
        return user, password


@dataclass
class Response:
    """What a handler returns: status, headers in order, and a body."""

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | Iterable[bytes] = b""
    length: int | None = None  # Content-Length of an iterable body

    def header(self, name: str, value: str) -> Response:
        self.headers.append((name, value))
        return self

    def has_header(self, name: str) -> bool:
        return any(k.lower() == name.lower() for k, _ in self.headers)

    @classmethod
    def text(cls, status: int, body: str, content_type: str) -> Response:
        return cls(status, [("Content-Type", content_type)], body.encode("utf-8"))

    @classmethod
    def json(cls, status: int, data: Any) -> Response:
        body = json.dumps(data, separators=(",", ":")).encode("utf-8")
        return cls(status, [("Content-Type", "application/json; charset=utf-8")], body)


class HttpError(Exception):
    """An error answer; subclasses decide the body (Sabre XML, OCS, JSON, HTML)."""

    def __init__(
        self, status: int, message: str = "", headers: list[tuple[str, str]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = list(headers or [])

    def response(self) -> Response:
        return Response(
            self.status,
            [("Content-Type", "text/plain; charset=utf-8"), *self.headers],
            self.message.encode("utf-8"),
        )


class JsonError(HttpError):
    """A JSON error body, as Nextcloud's index.php and base.php answer them."""

    def __init__(
        self, status: int, data: Any, headers: list[tuple[str, str]] | None = None
    ) -> None:
        super().__init__(status, json.dumps(data), headers)
        self.data = data

    def response(self) -> Response:
        answer = Response.json(self.status, self.data)
        answer.headers.extend(self.headers)
        return answer
