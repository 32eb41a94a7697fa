"""Signing in: connect, or Login Flow v2 in the browser.

Plain functions that make network requests (the window runs them on its pool
through Background; `davdesk login` in its terminal). They turn what the
protocol layer reports into the few failures a user can act
on: a Nextcloud in maintenance mode (its WebDAV answers 503, its status.php
says why), and a browser sign-in that was never finished and expired.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable

from app.dav import DavClient, errors
from app.dav.paths import url_path
from app.nextcloud import discovery
from app.nextcloud.login_flow import FLOW_LIFETIME, Credentials, LoginFlow, LoginFlowError
from app.session.connection import open_connection
from app.session.spec import ConnectionSpec

#: How long a browser sign-in is waited for (read when one starts, so tests can shorten it).
SIGN_IN_LIFETIME = FLOW_LIFETIME

Verify = bool | ssl.SSLContext


class MaintenanceError(errors.DavError):
    """The Nextcloud is in maintenance mode: it refuses everything until its admin is done."""


class SignInExpired(LoginFlowError):
    """The browser sign-in was not finished while the server kept the flow open.

    It keeps the flow's own words (which say what to revoke when a poll's answer
    was lost): the CLI prints them; the window says it in a sentence of its own.
    """


def open_checked(
    url: str,
    user: str,
    password: str,
    verify: Verify,
    *,
    app_password: bool = False,
    exchange: bool = True,
) -> ConnectionSpec:
    """open_connection, with a 503 from a Nextcloud in maintenance mode said as such."""
    try:
        return open_connection(
            url, user, password, verify, app_password=app_password, exchange=exchange
        )
    except errors.StatusError as exc:
        if exc.status == 503 and _in_maintenance(url, verify):
            raise MaintenanceError("the Nextcloud is in maintenance mode") from exc
        raise


def _in_maintenance(url: str, verify: Verify) -> bool:
    try:
        return discovery.find_server(url, verify=verify).maintenance
    except errors.DavError:
        return False


def start_flow(url: str, verify: Verify) -> tuple[str, LoginFlow]:
    """The server's root and a started Login Flow v2 (anonymous: nothing secret is sent)."""
    status = discovery.find_server(url, verify=verify)
    if status.maintenance:
        raise MaintenanceError("the Nextcloud is in maintenance mode")
    return status.root_url, begin_flow(status.root_url, verify)


def begin_flow(root_url: str, verify: Verify) -> LoginFlow:
    """A Login Flow v2 started at a Nextcloud's root the caller found already (`davdesk
    login` asks status.php itself: it prints the server's version)."""
    with DavClient(root_url, verify=verify) as anonymous:
        return LoginFlow.start(anonymous, url_path(root_url))


def wait_for_browser(
    flow: LoginFlow, root_url: str, verify: Verify, stop: Callable[[float], bool]
) -> Credentials:
    """Poll until the user granted access in the browser; stop(seconds) waits and says
    whether to give up (LoginCancelled then)."""
    lifetime = SIGN_IN_LIFETIME
    started = time.monotonic()
    with DavClient(root_url, verify=verify) as anonymous:
        try:
            return flow.wait(anonymous, stop=stop, lifetime=lifetime)
        except LoginFlowError as exc:
            if time.monotonic() - started >= lifetime:
                raise SignInExpired(*exc.args) from exc
            raise
