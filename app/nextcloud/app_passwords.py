"""App passwords: one per device, revocable by the user, cheap for the server to check.

An account password costs the server a slow password hash on every request
that carries it; an app password is a token lookup. So Davdesk keeps an app
password, never the account password: one typed by the user is exchanged for
an app password once (getapppassword), and signing out revokes it.
"""

from __future__ import annotations

import ssl
from typing import Any

from app.dav import DavClient, errors
from app.nextcloud import ocs
from app.nextcloud.account import NextcloudAccount
from app.nextcloud.login_flow import WHERE_TO_REVOKE, device_name


def exchange(client: DavClient, root_path: str) -> str | None:
    """An app password for the account the client signed in to; None if it already uses one.

    Nextcloud answers 403 when the request was authenticated with an app password.
    Although a GET, every call issues a new app password: it is sent again only after a
    failure that shows the server did not act (no connection, 408, 429, 503). One whose
    answer was lost may have issued a password nobody received, which only the web
    interface can revoke: the error says so instead of making another.
    """

    def once() -> Any:
        with client.retried_by_caller():  # the GET is not sent again as a read would be
            return ocs.call(
                client,
                "GET",
                f"{root_path}ocs/v2.php/core/getapppassword",
                headers={"User-Agent": device_name()},
            )

    def unknowable() -> Any:
        raise errors.CannotTell(
            f"the server may have issued an app password nobody received, so no other is asked "
            f'for; connect again, and revoke "{device_name()}" if the web interface lists it '
            f"twice ({WHERE_TO_REVOKE})"
        )

    try:
        data = client.retried(once, unknowable)
    except errors.ForbiddenError:
        return None
    password = data.get("apppassword") if isinstance(data, dict) else None
    if not isinstance(password, str) or not password:
        raise ocs.OcsError("the server returned no app password")
    return password


def revoke(client: DavClient, root_path: str) -> None:
    """Revoke the app password the client is signed in with (signing out of this device).

    Sent again after losing its answer it would be refused (the password is gone), so
    whether the password still signs in is asked first: refused means it was revoked.
    """

    def revoked() -> bool | None:
        try:
            ocs.call(client, "GET", f"{root_path}ocs/v2.php/cloud/user")
        except errors.AuthenticationError:
            return True
        return None

    client.retried(
        lambda: ocs.call(client, "DELETE", f"{root_path}ocs/v2.php/core/apppassword") or True,
        revoked,
    )


def working_login(
    account: NextcloudAccount,
    logins: tuple[str, ...],
    app_password: str,
    verify: bool | ssl.SSLContext = True,
) -> str:
    """The login name an exchanged app password works with, tried in order.

    Nextcloud binds an app password to the session's login name, and a user
    who signed in with their e-mail address has a session under their user
    id: the password then works only with the user id.
    """
    for login in dict.fromkeys(logins):
        with DavClient(
            account.files_url, user=login, password=app_password, verify=verify
        ) as client:
            try:
                client.stat(account.files_path)
            except errors.AuthenticationError:
                continue
        return login
    raise errors.AuthenticationError(
        "PROPFIND",
        account.files_url,
        401,
        description="the server refused the app password it issued",
    )
