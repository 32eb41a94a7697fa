"""Login Flow v2 (developer_manual/client_apis/LoginFlow/index.rst) and the instance's HTML pages.

1. An anonymous ``POST index.php/login/v2`` starts a flow named after its User-Agent
   and answers ``{"poll": {"token", "endpoint"}, "login"}``.
2. ``login`` is a page for the user's browser. Nextcloud walks the browser through
   its auth picker, login page and grant page; here the one page at ``login`` asks for
   the login name (or user id) and the account password and grants access when the
   form is sent (ClientFlowLoginV2Controller's grant step). The flow then holds a
   new app password for that login name, named after the client.
3. ``POST <endpoint>`` with the form field ``token`` answers 404 until then, and
   ``{"server", "loginName", "appPassword"}`` once (LoginFlowV2Service::poll deletes the
   flow), then 404 again.

Flows expire :data:`LOGIN_FLOW_LIFETIME` seconds after they start (LoginFlowV2Mapper's
lifetime, 20 minutes); tests may patch the constant.

URLs are answered with and without ``index.php/`` (an instance with pretty URLs), and
the flow hands out the pretty ones, as the documentation's example does. ``server`` in
the poll answer is the instance's base URL, no trailing slash, taken from the grant
request as ClientFlowLoginV2Controller::getServerPath does.
"""

from __future__ import annotations

import html
import secrets
import time
from typing import TYPE_CHECKING

from tests.servers.nextcloud.auth import random_token
from tests.servers.nextcloud.http import Request, Response

if TYPE_CHECKING:
    from tests.servers.nextcloud.instance import Instance

LOGIN_FLOW_LIFETIME = 20 * 60


def page(status: int, title: str, body: str) -> Response:
    text = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)} - Nextcloud</title>\n</head>\n"
        f'<body id="body-login">\n<main>\n{body}\n</main>\n</body>\n</html>\n'
    )
    return Response(status, [("Content-Type", "text/html; charset=UTF-8")], text.encode("utf-8"))


def login_page(instance: Instance) -> Response:
    """What a browser gets at the instance's address: the login page."""
    action = html.escape(f"{instance.webroot}/index.php/login")
    return page(
        200,
        "Login",
        (
            "<h2>Log in to Nextcloud</h2>\n"
            f'<form method="post" name="login" action="{action}">\n'
            '<input type="text" name="user" autocomplete="username">\n'
            '<input type="password" name="password" autocomplete="current-password">\n'
            '<button type="submit">Log in</button>\n</form>'
        ),
    )


def _alive(created: float) -> bool:
    return created >= time.time() - LOGIN_FLOW_LIFETIME


class LoginFlow:
    def __init__(self, instance: Instance, origin: str) -> None:
        self.instance = instance
        self.origin = origin  # scheme://host:port of the server

    @property
    def store(self):
        return self.instance.store

    def handle(self, request: Request, route: str) -> Response:
        """``route`` is what follows ``[index.php/]login/v2``."""
        if route == "":
            if request.method != "POST":
                return page(405, "Method not allowed", "<p>Method not allowed</p>")
            return self.init(request)
        if route == "/poll":
            if request.method != "POST":
                return page(405, "Method not allowed", "<p>Method not allowed</p>")
            return self.poll(request)
        if route.startswith("/flow/") and request.method == "GET":
            return self.landing(route[len("/flow/") :])
        if route == "/grant" and request.method == "POST":
            return self.grant(request)
        return page(404, "Not found", "<p>Page not found</p>")

    def init(self, request: Request) -> Response:
        poll_token = random_token(128)
        login_token = random_token(128)
        self.store.execute(
            "INSERT INTO flows (poll_token, login_token, state_token, client, created) "
            "VALUES (?, ?, ?, ?, ?)",
            (poll_token, login_token, random_token(64), request.user_agent, time.time()),
        )
        base = f"{self.origin}{self.instance.webroot}"
        return Response.json(
            200,
            {
                "poll": {"token": poll_token, "endpoint": f"{base}/login/v2/poll"},
                "login": f"{base}/login/v2/flow/{login_token}",
            },
        )

    def poll(self, request: Request) -> Response:
        token = request.params().get("token", "")
        with self.store.lock:
            row = self.store.one("SELECT * FROM flows WHERE poll_token = ?", (token,))
            if row is None or not _alive(row["created"]) or row["app_password"] is None:
                return Response.json(404, [])
            self.store.execute("DELETE FROM flows WHERE poll_token = ?", (token,))
        return Response.json(
            200,
            {
                "server": row["server"],
                "loginName": row["login_name"],
                "appPassword": row["app_password"],
            },
        )

    def landing(self, login_token: str) -> Response:
        row = self.store.one("SELECT * FROM flows WHERE login_token = ?", (login_token,))
        if row is None or not _alive(row["created"]) or row["app_password"] is not None:
            return page(
                403, "Access forbidden", "<p>Your login token is invalid or has expired</p>"
            )
        client = html.escape(row["client"] or "an unknown client")
        action = html.escape(f"{self.instance.webroot}/login/v2/grant")
        state_token = html.escape(row["state_token"])
        return page(
            200,
            "Connect to your account",
            (
                "<h2>Connect to your account</h2>\n"
                f"<p>Please log in before granting <strong>{client}</strong> access to your "
                "Nextcloud account.</p>\n"
                f'<form method="post" action="{action}">\n'
                f'<input type="hidden" name="stateToken" value="{state_token}">\n'
                '<label>Login or email <input type="text" name="user"></label>\n'
                '<label>Password <input type="password" name="password"></label>\n'
                '<button type="submit">Grant access</button>\n</form>'
            ),
        )

    def grant(self, request: Request) -> Response:
        params = request.params()
        state = params.get("stateToken", "")
        if not state:
            return page(403, "Access forbidden", "<p>State token missing</p>")
        row = self.store.one("SELECT * FROM flows WHERE state_token = ?", (state,))
        if row is None or not _alive(row["created"]) or row["app_password"] is not None:
            return page(
                403, "Access forbidden", "<p>Your login token is invalid or has expired</p>"
            )
        login_name = self.instance.accounts.check_web_login(
            params.get("user", ""), params.get("password", "")
        )
        if login_name is None:
            return page(403, "Access forbidden", "<p>Wrong login or password.</p>")
        app_password = self.instance.accounts.issue_app_password(row["client"], login_name)
        self.store.execute(
            "UPDATE flows SET login_name = ?, server = ?, app_password = ?, state_token = ? "
            "WHERE poll_token = ?",
            (
                login_name,
                self.server_path(request),
                app_password,
                secrets.token_hex(32),
                row["poll_token"],
            ),
        )
        return page(
            200,
            "Account connected",
            "<h2>Account connected</h2>\n<p>Your client should now be connected.<br>"
            "You can close this window.</p>",
        )

    def server_path(self, request: Request) -> str:
        """getServerPath: scheme and host, and the part of the URI before /index.php or
        /login/v2."""
        uri = request.raw_path
        prefix = ""
        for marker in ("/index.php", "/login/v2"):
            if marker in uri:
                prefix = uri[: uri.index(marker)]
                break
        return f"{self.origin}{prefix}"
