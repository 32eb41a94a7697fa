"""Opening a connection: plain WebDAV, or the Nextcloud found at the address.

One call, run on a pool thread, that proves the address and the credentials
before a window opens. A Nextcloud is recognised by its files address or by
status.php at the address; for one, the account's WebDAV extensions are
learnt, and an account password is exchanged for an app password, which is
what the session uses and what may be remembered: cheaper for the server to
check on every request, and revocable on its own.
"""

from __future__ import annotations

import ssl
from dataclasses import replace
from urllib.parse import quote, urlsplit, urlunsplit

from app.dav import DavClient, errors
from app.dav.paths import parent
from app.nextcloud import app_passwords
from app.nextcloud.account import NextcloudAccount, files_address
from app.nextcloud.connect import NextcloudConnection, connect
from app.session.probe import nextcloud_root
from app.session.spec import ConnectionSpec


def open_connection(
    url: str,
    user: str,
    password: str,
    verify: bool | ssl.SSLContext = True,
    *,
    app_password: bool = False,
    exchange: bool = True,
) -> ConnectionSpec:
    """The ConnectionSpec for an address, once a request has proved it works.

    app_password: the password is known to be an app password (from Login
    Flow), so there is nothing to exchange. exchange=False keeps an account
    password as it is: for a password that will not be remembered, an app
    password would outlive the session on the server, revoked by nobody (the
    session cookie spares the server the password checks all the same).
    """
    is_files_address = files_address(url) is not None
    root_url = None if is_files_address else nextcloud_root(url, verify)
    if root_url is None and not is_files_address:
        spec = ConnectionSpec(url, user, password, verify)
        with spec.client(workers=1) as client:
            client.stat("")
            top = share_top(client)
        if top == client.root:
            return spec
        # The folder the address named opens first; Up and the tree reach the share's top.
        # The address stays what was typed: the bookmark and the keyring keep it.
        parts = urlsplit(url)
        return replace(
            spec,
            top_url=urlunsplit((parts.scheme, parts.netloc, quote(top), "", "")),
            start_path=client.root,
        )
    found = connect(url, login=user, password=password, verify=verify, workers=1, root_url=root_url)
    with found.client:
        if app_password or not exchange:
            account, exchanged = replace(found.account, login_name=user), None
        else:
            account, exchanged = app_password_for(found, user, verify)
    return ConnectionSpec(
        account.files_url,
        account.login_name,
        exchanged or password,
        verify,
        extensions=found.client.extensions,
        account=account,
        start_path=found.start_path,
    )


def app_password_for(
    found: NextcloudConnection,
    user: str,
    verify: bool | ssl.SSLContext,
) -> tuple[NextcloudAccount, str | None]:
    """The account password a connection signed in with, traded for an app password, and the
    account with the login name that app password works with.

    Nextcloud binds an app password to the session's login name: a user who
    typed an e-mail address has a session under their user id. None: the
    connection already used an app password, and user stays the login.
    """
    exchanged = app_passwords.exchange(found.client, found.account.root_path)
    login = (
        user
        if exchanged is None
        else app_passwords.working_login(
            found.account, (user, found.account.user_id), exchanged, verify
        )
    )
    return replace(found.account, login_name=login), exchanged


def share_top(client: DavClient) -> str:
    """The highest folder above the client's root that the server lets this user list (a
    Depth 0 PROPFIND each, upwards): the root of the share an address deep inside it names.
    The first refusal (outside the share: 401, 403, 404, 405, 501, or not a folder) stops."""
    top = client.root
    path = top
    while path.rstrip("/"):
        path = parent(path.rstrip("/"))
        try:
            if not client.stat(path).is_dir:
                break
        except errors.DavError:
            break
        top = path
    return top
