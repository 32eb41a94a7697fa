"""Every way a WebDAV request can fail, as one exception tree.

The rest of Davdesk never catches an httpx or lxml exception: the client maps
them here, in one place, so the job engine can decide retry-or-report from the
class alone (``retryable``) and the front ends can print one readable line.
"""

from __future__ import annotations

import email.utils
import ssl
import time
from collections.abc import Mapping
from http import HTTPStatus

import httpx


class DavError(Exception):
    """Base of everything the dav layer raises."""

    #: Whether repeating the same request may succeed (connection trouble, 5xx, 429).
    retryable: bool = False
    #: Whether the server may have carried the request out although it did not say so (a lost
    #: answer, a 500 from a PHP worker that died after writing): a request that is not safe to
    #: repeat is then only sent again once the server shows it was not done.
    may_have_acted: bool = False
    #: How many times the request was sent before giving up (set by RetryPolicy.run).
    attempts: int = 1

    def __str__(self) -> str:
        said = super().__str__()
        return f"{said} (gave up after {self.attempts} attempts)" if self.attempts > 1 else said


class TransportError(DavError):
    """No usable HTTP response arrived: the request may or may not have taken effect."""

    retryable = True
    may_have_acted = True


class ConnectError(TransportError):
    """The server could not be reached; the request was never sent."""

    may_have_acted = False


class CertificateError(ConnectError):
    """The server's TLS certificate is not trusted; the user may inspect it and decide.

    Not retryable: the same certificate fails the same way until someone trusts it.
    """

    retryable = False

    def __init__(self, message: str, *, url: str, reason: str) -> None:
        super().__init__(message)
        self.url = url
        self.reason = reason


class TlsError(ConnectError):
    """The TLS handshake failed: a plain http server on the port, or only old protocols.

    Not retryable: the server answers the same way every time (it is not busy, it
    speaks something else), and a retry would only make the user wait.
    """

    retryable = False


class TimeoutError(TransportError):  # shadows the builtin on purpose: the library's own
    """The server stopped answering within the timeout."""


class ProtocolError(TransportError):
    """The connection broke mid-exchange or the server spoke broken HTTP."""


class ClosedError(DavError):
    """The client was closed (its window went away): nothing more is sent with it."""


class UnconfirmedError(DavError):
    """A request that is not safe to repeat may have been carried out (its answer was lost, or
    it met a 500, 502 or 504), and the server would not say whether it was: neither done nor
    failed is claimed, and it is not sent again (it could act twice)."""

    def __init__(self, failed: DavError, why: str, *, attempts: int = 1) -> None:
        super().__init__(f"{Exception.__str__(failed)}; whether it took effect is not known: {why}")
        #: What the last attempt met.
        self.failed = failed
        self.attempts = attempts


class CannotTell(DavError):
    """Raised by a check of whether a request took effect when the server cannot show it
    (RetryPolicy.run turns it into the UnconfirmedError of the request); says why."""


class UnsafeRedirectError(DavError):
    """The server redirected to another origin; credentials are not sent there."""

    def __init__(self, message: str, target: str = "") -> None:
        super().__init__(message)
        self.target = target


class MultiStatusError(DavError):
    """A 207 Multi-Status body that is not well-formed XML or not a multistatus."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        self.line = line
        self.column = column
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(f"{message}{where}")


class UnsafePathError(DavError):
    """A server-supplied name that cannot safely become a local file name."""


class ForbiddenNameError(DavError):
    """A name the server's published rules refuse (Nextcloud's forbidden names and
    characters): found out before anything is sent, so nothing half-made is left."""


class StatusError(DavError):
    """The server answered with a status that means the request failed.

    Carries what the server said, so an Outcome can show it: the DAV error
    condition from a ``<d:error>`` body, a description, and the hrefs the
    condition names (a 423 for a locked member names the member).
    """

    def __init__(
        self,
        method: str,
        url: str,
        status: int,
        reason: str = "",
        *,
        condition: str | None = None,
        condition_hrefs: tuple[str, ...] = (),
        description: str | None = None,
        headers: Mapping[str, str] | None = None,
        local: bool = False,
        lock_submitted: bool = False,
        server_exception: str | None = None,
    ):
        self.method = method
        self.url = url
        self.status = status
        self.reason = reason or reason_phrase(status)
        self.condition = condition
        self.condition_hrefs = condition_hrefs
        self.description = description
        self.headers = dict(headers or {})
        #: Decided by a check on this machine, not answered by the server; description is ours.
        self.local = local
        #: The request handed over a lock token of ours (an If header).
        self.lock_submitted = lock_submitted
        #: The exception class a SabreDAV server named (<s:exception>), e.g. Nextcloud's
        #: OCA\DAV\Connector\Sabre\Exception\FileLocked.
        self.server_exception = server_exception
        detail = f" ({condition})" if condition else ""
        said = f": {description}" if description else ""
        super().__init__(f"{method} {url}: {status} {self.reason}{detail}{said}")

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked us to wait (Retry-After), if it said."""
        return parse_retry_after(self.headers.get("retry-after"))


class AuthenticationError(StatusError):
    """401: the credentials were refused or are missing."""


class ForbiddenError(StatusError):
    """403."""


class NotFoundError(StatusError):
    """404 or 410."""


class MethodNotAllowedError(StatusError):
    """405: e.g. MKCOL on a resource that exists."""


class ConflictError(StatusError):
    """409: typically a missing parent collection."""


class PreconditionFailedError(StatusError):
    """412: If-Match / If-None-Match / Overwrite: F refused the write."""


class LockedError(StatusError):
    """423: the resource or a member is locked.

    Worth retrying when the lock is nobody's to release: a server's own short-lived lock
    while another request writes the file (Nextcloud's transient file locking, which it
    names as its FileLocked exception). A WebDAV lock someone took (a bare 423 as Apache
    sends it, a lock-token-submitted or no-conflicting-lock condition), or a 423 although
    our own token was handed over, lasts until its holder lets go: waiting a few seconds
    does not end it, and the user can see who holds it and unlock.
    """

    @property
    def retryable(self) -> bool:  # type: ignore[override]
        return is_transient_lock(self.server_exception) and not self.lock_submitted


class FailedDependencyError(StatusError):
    """424: the request failed because another part of it failed."""


class InsufficientStorageError(StatusError):
    """507: quota exceeded or disk full."""


class RetryableStatusError(StatusError):
    """408, 429, 500, 502, 503, 504: the server, or a proxy before it, asks us to come back.

    docs/retries.md says why each is retried. 500, 502 and 504 may come after the server
    acted (a worker that died after writing, a proxy that gave up waiting for the answer).
    """

    retryable = True

    @property
    def may_have_acted(self) -> bool:  # type: ignore[override]
        return self.status in ACTED_MAYBE


class ServerError(StatusError):
    """Any other 5xx (501, 505, 507 has its own): repeating the request changes nothing."""


def is_transient_lock(server_exception: str | None) -> bool:
    """Whether a SabreDAV exception is a server's own short-lived file lock: Nextcloud's
    FileLocked (OCP\\Lock\\LockedException on the way; quirks.TRANSIENT_FILE_LOCK)."""
    name = (server_exception or "").rpartition("\\")[2]
    return name in ("FileLocked", "LockedException")


RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
#: Retryable statuses that may come after the server carried the request out.
ACTED_MAYBE = frozenset({500, 502, 504})

_BY_STATUS: dict[int, type[StatusError]] = {
    401: AuthenticationError,
    403: ForbiddenError,
    404: NotFoundError,
    410: NotFoundError,
    405: MethodNotAllowedError,
    409: ConflictError,
    412: PreconditionFailedError,
    423: LockedError,
    424: FailedDependencyError,
    507: InsufficientStorageError,
}


def status_error_class(status: int) -> type[StatusError]:
    """The exception class for an HTTP failure status."""
    if status in RETRYABLE_STATUSES:
        return RetryableStatusError
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ServerError if status >= 500 else StatusError


def reason_phrase(status: int | None) -> str:
    """The standard reason phrase, for servers that send a bare status code."""
    if status is None:
        return ""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After in seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def map_transport_error(exc: httpx.TransportError, method: str, url: str) -> TransportError:
    """Translate an httpx transport failure into our tree, keeping the cause."""
    where = f"{method} {url}"
    refused = _certificate_failure(exc)
    if refused is not None:
        reason = getattr(refused, "verify_message", None) or str(refused)
        return CertificateError(
            f"{where}: certificate not trusted: {reason}", url=url, reason=reason
        )
    if isinstance(exc, httpx.ConnectError) and _tls_failure(exc) is not None:
        return TlsError(f"{where}: TLS handshake failed: {str(exc) or type(exc).__name__}")
    if isinstance(exc, httpx.ConnectTimeout | httpx.ConnectError):
        return ConnectError(f"{where}: cannot connect: {str(exc) or type(exc).__name__}")
    if isinstance(exc, httpx.TimeoutException):
        return TimeoutError(f"{where}: timed out ({type(exc).__name__})")
    return ProtocolError(f"{where}: connection failed: {str(exc) or type(exc).__name__}")


def _certificate_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification error under httpx's and httpcore's wrappers, if any."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


def _tls_failure(exc: BaseException) -> ssl.SSLError | None:
    """A TLS error under the wrappers that is neither about the certificate nor a connection
    cut off during the handshake (that one may go better next time), if any."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, ssl.SSLError) and not isinstance(
            cause, ssl.SSLCertVerificationError | ssl.SSLEOFError | ssl.SSLZeroReturnError
        ):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None
