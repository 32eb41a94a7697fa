"""Signing in: connect, or Login Flow v2 in the browser.

Plain functions that make network requests (the window runs them on its pool
through Background). They
turn what the protocol layer reports into the few failures a user can act
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


class SignInExpired(errors.DavError):
    """The browser sign-in was not finished while the server kept the flow open."""


def open_checked(url: str, user: str, password: str, verify: Verify, *,
                 app_password: bool = False, exchange: bool = True) -> ConnectionSpec:
    """open_connection, with a 503 from a Nextcloud in maintenance mode said as such."""
    try:
        return open_connection(url, user, password, verify, app_password=app_password,
                               exchange=exchange)
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
    with DavClient(status.root_url, verify=verify) as anonymous:
        return status.root_url, LoginFlow.start(anonymous, url_path(status.root_url))


def wait_for_browser(flow: LoginFlow, root_url: str, verify: Verify,
                     stop: Callable[[float], bool]) -> Credentials:
    """Poll until the user granted access in the browser; stop(seconds) waits and says
    whether to give up (LoginCancelled then)."""
    lifetime = SIGN_IN_LIFETIME
    started = time.monotonic()
    with DavClient(root_url, verify=verify) as anonymous:
        try:
            return flow.wait(anonymous, stop=stop, lifetime=lifetime)
        except LoginFlowError as exc:
            if time.monotonic() - started >= lifetime:
                raise SignInExpired(f"the sign-in was not finished within "
                                    f"{lifetime / 60:.0f} minutes") from exc
            raise
