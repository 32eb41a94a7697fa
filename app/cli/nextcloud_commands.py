"""`davdesk login`, `logout` and `trash`: a Nextcloud account from the terminal.

login runs Login Flow v2: the user signs in in a browser (the address is
printed, and opened where a browser is at hand) and the app password the
server issues goes to the keyring, never to the screen. With --user and
DAVDESK_PASSWORD set it instead exchanges the account password for an app
password, for machines without a browser. Later commands on that server find
the app password in the keyring.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import ssl
import sys
import threading
import webbrowser

from app.cli.accounts import keep_account
from app.cli.connect import Connections, UsageError, verify_of
from app.cli.output import Printer
from app.cli.run import run_job
from app.config.bookmarks import BookmarkFileError
from app.config.secrets import PasswordStore, SecretsUnavailableError
from app.dav import DavClient, errors
from app.dav.paths import basename
from app.jobs.model import Job, Op, Task
from app.jobs.runner import JobOptions
from app.logs import redact_value
from app.nextcloud import app_passwords, discovery, trash
from app.nextcloud.account import NextcloudAccount
from app.nextcloud.connect import NextcloudConnection
from app.nextcloud.login_flow import Credentials, LoginCancelled
from app.session import PASSWORD_VARIABLE
from app.session.connection import app_password_for, open_connection
from app.session.sign_in import begin_flow, wait_for_browser


def login(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    """Sign in and keep the app password (keyring) and the account (as the window's bookmark).

    An app password this login made that cannot be kept is revoked before the command
    ends: nobody would hold it, and it would stay valid on the server.
    """
    status = discovery.find_server(args.server, verify=verify_of(args))
    if args.user and PASSWORD_VARIABLE in os.environ:
        found = connections.nextcloud(status.root_url, root_url=status.root_url)
        account, exchanged = app_password_for(found, args.user, verify_of(args))
        issued = exchanged is not None
        password = exchanged or os.environ[PASSWORD_VARIABLE]
    else:
        credentials = _browser_sign_in(status.root_url, verify_of(args))
        issued, password = True, credentials.app_password
        redact_value(password)
        account = _signed_in_account(status.root_url, credentials, verify_of(args))
    redact_value(password)
    try:
        PasswordStore().set(status.root_url, account.login_name, password)
    except SecretsUnavailableError as exc:
        if not issued:
            raise UsageError(f"signed in, but the password cannot be kept: {exc}") from exc
        raise UsageError(
            f"signed in, but the app password cannot be kept: {exc}; "
            + _undo(account, password, verify_of(args))
        ) from exc
    try:
        keep_account(account)
    except (BookmarkFileError, OSError) as exc:
        print(f"davdesk: the account is not among the window's bookmarks: {exc}", file=sys.stderr)
    printer.signed_in(account, status.version)


def _undo(account: NextcloudAccount, app_password: str, verify: bool | ssl.SSLContext) -> str:
    """Revoke an app password nobody will hold; what became of it, in words."""
    try:
        with DavClient(
            account.files_url, user=account.login_name, password=app_password, verify=verify
        ) as client:
            app_passwords.revoke(client, account.root_path)
    except errors.DavError as exc:
        return (
            f"revoking it on the server failed too ({exc}): revoke it in the web "
            "interface, Settings > Security > Devices & sessions"
        )
    return "it was revoked on the server, so nothing is left behind"


def _browser_sign_in(root_url: str, verify: bool | ssl.SSLContext) -> Credentials:
    """Login Flow v2 in the terminal, as the window runs it (app.session.sign_in): Ctrl-C
    stops waiting."""
    try:
        flow = begin_flow(root_url, verify)
        print(f"Sign in in your browser: {flow.login_url}", file=sys.stderr)
        webbrowser.open(flow.login_url)
        print("Waiting for the sign-in to finish (Ctrl-C to stop)...", file=sys.stderr)
        return wait_for_browser(flow, root_url, verify, stop=threading.Event().wait)
    except KeyboardInterrupt:
        raise LoginCancelled("sign-in cancelled") from None


def _signed_in_account(
    root_url: str, credentials: Credentials, verify: bool | ssl.SSLContext
) -> NextcloudAccount:
    """The account a browser sign-in granted (its user id, hence its files address), opened
    with the app password as the window opens it after the browser."""
    opened = open_connection(
        root_url, credentials.login_name, credentials.app_password, verify, app_password=True
    )
    if opened.account is None:  # status.php said otherwise a moment ago
        raise discovery.NotNextcloudError(f"no Nextcloud at {root_url}")
    return opened.account


def logout(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    """Revoke the app password kept here, signed in with it (Nextcloud revokes an app
    password only for a request made with that password), then forget it.

    A password the server would not revoke and still accepts is not forgotten: it would
    be a live credential nobody holds. Forgotten only once the server refuses it too.
    """
    try:
        found = connections.nextcloud(args.server, kept_password=True)
    except errors.AuthenticationError:
        if connections.signing_in is None:
            raise
        root, login_name = connections.signing_in  # the server refuses it: nothing is live
        _forget(root, login_name)
        printer.signed_out(NextcloudAccount(root, login_name, login_name), revoked=False)
        return
    try:
        app_passwords.revoke(found.client, found.account.root_path)
        revoked = True
    except errors.DavError as exc:
        if _still_accepted(found.account, verify_of(args)) is not False:
            raise UsageError(
                f"the server did not revoke the app password ({exc}), and may still accept "
                f"it, so it is still kept here: run `davdesk logout` again later, or revoke "
                f"it in the web interface (Settings > Security > Devices & sessions), then "
                f"run `davdesk logout` to forget it here"
            ) from exc
        revoked = False
    _forget(found.account.root_url, found.account.login_name)
    printer.signed_out(found.account, revoked)


def _forget(root_url: str, login_name: str) -> None:
    with contextlib.suppress(SecretsUnavailableError):  # no keyring: nothing was kept in it
        PasswordStore().delete(root_url, login_name)


def _still_accepted(account: NextcloudAccount, verify: bool | ssl.SSLContext) -> bool | None:
    """Whether the server accepts the app password kept for the account (a fresh sign-in,
    not the session's cookie); None when it would not say."""
    try:
        password = PasswordStore().get(account.root_url, account.login_name)
    except SecretsUnavailableError:
        return None
    if password is None:
        return False
    try:
        with DavClient(
            account.files_url, user=account.login_name, password=password, verify=verify
        ) as client:
            client.stat(account.files_path)
    except errors.AuthenticationError:
        return False
    except errors.DavError:
        return None
    return True


def trash_command(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    found = connections.nextcloud(args.server)
    items = trash.list_items(found.client, found.account)
    if args.action == "ls":
        for item in items:
            printer.trash_item(item)
        return
    if args.action == "empty":
        tasks = [Task(Op.EMPTY, found.account.trash_path, is_dir=True)]
    else:
        chosen = _chosen(items, args.names)
        if args.action == "restore":
            tasks = [
                Task(
                    Op.RESTORE,
                    item.path,
                    destination=trash.restore_path(found.account, item),
                    is_dir=item.is_dir,
                )
                for item in chosen
            ]
        else:
            tasks = [Task(Op.DELETE, item.path, is_dir=item.is_dir) for item in chosen]
    _run(args, found, Job(f"trash {args.action}", (tuple(tasks),)), printer)


def _chosen(items: list[trash.TrashItem], names: list[str]) -> list[trash.TrashItem]:
    """Items by their name in the trash bin ("a.txt.d1767225600") or where they were
    ("Inbox/a.txt").

    A place several deleted versions came from is ambiguous: their trash names are listed.
    """
    if not names:
        raise UsageError("name the items (as `davdesk trash ls` lists them)")
    chosen = []
    for name in names:
        exact = [i for i in items if basename(i.path) == name]
        matches = exact or [i for i in items if i.original_location.strip("/") == name.strip("/")]
        if not matches:
            raise UsageError(f"{name}: not in the trash bin")
        if len(matches) > 1:
            raise UsageError(
                f"{name}: deleted {len(matches)} times; name one of "
                + ", ".join(basename(i.path) for i in matches)
            )
        chosen.append(matches[0])
    return chosen


def _run(args: argparse.Namespace, found: NextcloudConnection, job: Job, printer: Printer) -> None:
    run_job(
        found.client,
        job,
        JobOptions(workers=args.workers),
        printer,
        dry_run=args.dry_run,
        progress_to=None,
    )
