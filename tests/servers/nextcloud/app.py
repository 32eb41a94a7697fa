"""The WSGI application: which part of Nextcloud answers which URL, and DAV's login rules.

Under the instance's root (``/`` or the sub-path, e.g. ``/nextcloud/``):

=============================  ==============================================
``status.php``                 anonymous JSON: installed, version, productname
``/``, ``index.php``           the login page (HTML), as a browser gets it
``[index.php/]login/v2...``    Login Flow v2 (:mod:`.loginflow`)
``ocs/v1.php/``, ``ocs/v2.php/``  OCS (:mod:`.ocs`)
``remote.php/dav/``            files, uploads, trash bin (:mod:`.dav`)
``remote.php/webdav/``         the legacy WebDAV endpoint: the user's files
=============================  ==============================================

Anything else, and with a sub-path anything outside it (``/status.php`` at the
origin root included), is 404: a client must find a sub-path install by itself.

DAV logins follow apps/dav/lib/Connector/Sabre/Auth.php:

* A request with the session cookies of a session opened by a DAV login needs no
  password check at all (``validateUserPass``: the session is DAV-authenticated),
  whether or not it also sends Basic credentials.
* A session opened elsewhere (an OCS call) logs a GET in by its cookie, but any other
  method is refused, 401 "CSRF check not passed.", unless the User-Agent is one of
  Nextcloud's own clients (or the request carries ``OCS-APIRequest``).
* Without a session: HTTP Basic with the login name or user id and the account
  password (the expensive check) or an app password (cheap); success opens a
  DAV-authenticated session (Set-Cookie), failure is 401 with
  ``WWW-Authenticate: Basic realm="Nextcloud", charset="UTF-8"`` and a Sabre body.
* Before any of that (base.php): a request with a session cookie but without the
  ``nc_sameSiteCookielax``/``strict`` pair is refused, 412
  ``{"error":"Strict Cookie has not been found in request"}``.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tests.servers.nextcloud import ocs
from tests.servers.nextcloud.auth import Login
from tests.servers.nextcloud.dav import DavTree
from tests.servers.nextcloud.davxml import SabreError
from tests.servers.nextcloud.http import HttpError, JsonError, Request, Response, reason
from tests.servers.nextcloud.instance import VERSION, VERSION_STRING, Instance
from tests.servers.nextcloud.loginflow import LoginFlow, login_page, page

log = logging.getLogger("tests.servers.nextcloud")

#: IRequest::USER_AGENT_CLIENT_DESKTOP, _ANDROID and _IOS: exempt from DAV's CSRF check.
OFFICIAL_CLIENTS = (
    re.compile(r"^Mozilla/5\.0 \([A-Za-z ]+\) (mirall|csyncoC)/.*$"),
    re.compile(r"^Mozilla/5\.0 \(Android\) (ownCloud|Nextcloud)-android.*$"),
    re.compile(r"^Mozilla/5\.0 \(iOS\) (ownCloud|Nextcloud)-iOS.*$"),
)
CHALLENGE = ("WWW-Authenticate", 'Basic realm="Nextcloud", charset="UTF-8"')


@dataclass(frozen=True)
class RequestRecord:
    """One request the server answered: for tests that check what a client sent."""

    method: str
    path: str  # decoded, with the sub-path, without the query
    headers: dict[str, str]  # lower-cased names
    status: int


class RequestLog(list[RequestRecord]):
    """A list that request threads append to under a lock."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def record(self, entry: RequestRecord) -> None:
        with self._lock:
            self.append(entry)

    def reset(self) -> None:
        with self._lock:
            self.clear()


def not_authenticated(message: str, challenge: bool = True) -> SabreError:
    return SabreError(
        401,
        "Sabre\\DAV\\Exception\\NotAuthenticated",
        message,
        headers=[CHALLENGE] if challenge else [],
    )


class NextcloudApp:
    def __init__(self, instance: Instance, requests: RequestLog) -> None:
        self.instance = instance
        self.requests = requests
        self.dav = DavTree(instance, legacy=False)
        self.webdav = DavTree(instance, legacy=True)

    # -- WSGI -------------------------------------------------------------------------------------
    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request.from_environ(environ)
        try:
            response = self.dispatch(request)
        except HttpError as error:
            response = error.response()
        except (ConnectionError, TimeoutError) as error:
            log.debug("client went away: %s %s: %s", request.method, request.path, error)
            response = Response(400, [], b"")
        except Exception:
            log.exception("the fake Nextcloud failed on %s %s", request.method, request.path)
            response = SabreError(500, "Exception", "Internal error").response()
        self.requests.record(
            RequestRecord(request.method, request.path, dict(request.headers), response.status)
        )
        headers = list(response.headers)
        body: Iterable[bytes]
        if isinstance(response.body, bytes):
            body = [response.body]
            if not response.has_header("Content-Length") and response.status != 304:
                headers.append(("Content-Length", str(len(response.body))))
        else:
            body = response.body
            if response.length is not None:
                headers.append(("Content-Length", str(response.length)))
        if request.method == "HEAD":
            close = getattr(body, "close", None)
            if close is not None:
                close()
            body = [b""]
        start_response(
            f"{response.status} {reason(response.status)}",
            [(k, v.encode("utf-8").decode("latin-1")) for k, v in headers],
        )
        return body

    # -- routing ----------------------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        root = self.instance.webroot
        path = request.path
        if root:
            if path == root:
                path = root + "/"
            if not path.startswith(root + "/"):
                return page(404, "Not found", "<p>Page not found</p>")
            path = path[len(root) :]
        if path == "/status.php":
            return self.status()
        if path in (
            "/",
            "/index.php",
            "/index.php/",
            "/login",
            "/index.php/login",
        ) and request.method in ("GET", "HEAD"):
            return login_page(self.instance)
        for prefix in ("/index.php/login/v2", "/login/v2"):
            if path == prefix or path.startswith(prefix + "/"):
                host = request.header("host") or "127.0.0.1"
                return LoginFlow(self.instance, f"http://{host}").handle(
                    request, path[len(prefix) :]
                )
        for version in (1, 2):
            prefix = f"/ocs/v{version}.php"
            if path.startswith(prefix + "/"):
                return ocs.handle(self.instance, request, version, path[len(prefix) :])
        for prefix, tree in (("/remote.php/dav", self.dav), ("/remote.php/webdav", self.webdav)):
            if path == prefix or path.startswith(prefix + "/"):
                login, cookies = self.dav_login(request)
                response = tree.handle(request, login)
                response.headers.extend(cookies)
                return response
        return page(404, "Not found", "<p>Page not found</p>")

    def status(self) -> Response:
        version = ".".join(str(v) for v in VERSION)
        answer = Response.json(
            200,
            {
                "installed": True,
                "maintenance": False,
                "needsDbUpgrade": False,
                "version": version,
                "versionstring": VERSION_STRING,
                "edition": "",
                "productname": "Nextcloud",
                "extendedSupport": False,
            },
        )
        answer.headers[0] = ("Content-Type", "application/json")
        return answer.header("Access-Control-Allow-Origin", "*")

    # -- DAV logins -------------------------------------------------------------------------------
    def dav_login(self, request: Request) -> tuple[Login, list[tuple[str, str]]]:
        accounts = self.instance.accounts
        if not accounts.passes_strict_cookie_check(request):
            raise JsonError(
                412,
                {"error": "Strict Cookie has not been found in request"},
                accounts.same_site_cookies(),
            )
        session = accounts.session(request)
        if session is not None:
            if (
                not session.dav_session
                and request.method != "GET"
                and not any(p.match(request.user_agent) for p in OFFICIAL_CLIENTS)
                and not request.header("ocs-apirequest")
            ):
                raise not_authenticated("CSRF check not passed.", challenge=False)
            return session, []
        credentials = request.basic_credentials()
        if credentials is None:
            raise not_authenticated(
                "No public access to this resource., No 'Authorization: Basic' header found. "
                "Either the client didn't send one, or the server is misconfigured"
            )
        login = accounts.log_client_in(*credentials)
        if login is None:
            raise not_authenticated(
                "No public access to this resource., Username or password was incorrect"
            )
        return accounts.open_session(login, dav=True)
