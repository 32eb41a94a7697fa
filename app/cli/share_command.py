"""`davdesk share`: a Nextcloud public link for a file or folder; list and delete shares.

    davdesk share URL [--expire YYYY-MM-DD] [--password-env VAR] [--access read|upload|drop|edit]
    davdesk share ls URL
    davdesk share rm URL ID

The password comes from the environment variable named by --password-env, never
from an argument (other users can read the process list).
"""

from __future__ import annotations

import argparse
import json
import os
from urllib.parse import unquote, urlsplit

from app.cli.connect import Connections, UsageError
from app.cli.output import Printer
from app.logs import redact_value
from app.nextcloud import shares


def share_command(args: argparse.Namespace, connections: Connections, printer: Printer) -> None:
    words = list(args.words)
    action = words.pop(0) if words[0] in ("ls", "rm") and len(words) > 1 else "create"
    if action == "rm" and len(words) != 2:
        raise UsageError("usage: davdesk share rm URL ID")
    if action != "rm" and len(words) != 1:
        raise UsageError("usage: davdesk share [ls] URL")
    url = words[0]
    found = connections.nextcloud(url)
    path = unquote(urlsplit(url).path)
    if action == "ls":
        for share in shares.list_shares(found.client, found.account, path):
            _print(printer, share)
        return
    if action == "rm":
        shares.delete_share(found.client, found.account, words[1])
        if printer.json_lines:
            printer.out.write(json.dumps({"deleted": words[1]}) + "\n")
        else:
            printer.out.write(f"Deleted share {words[1]}\n")
        return
    password = _password(args.password_env)
    resource = found.client.stat(path)
    rules = shares.sharing_rules(found.client, found.account)
    shares.check_link(rules, resource, password=password, expire=args.expire, access=args.access)
    share = shares.create_link(
        found.client, found.account, path, password=password, expire=args.expire, access=args.access
    )
    _print(printer, share)


def _password(variable: str | None) -> str | None:
    if variable is None:
        return None
    value = os.environ.get(variable)
    if not value:
        raise UsageError(f"--password-env {variable}: the variable is not set or empty")
    redact_value(value)
    return value


def _print(printer: Printer, share: shares.Share) -> None:
    if printer.json_lines:
        printer.out.write(json.dumps(share.to_json(), ensure_ascii=False) + "\n")
        return
    details = [share.access]
    if share.expiration:
        details.append(f"expires {share.expiration.isoformat()}")
    if share.has_password:
        details.append("password protected")
    what = share.url or f"share type {share.share_type}"
    printer.out.write(f"{share.id}\t{what}\t{', '.join(details)}\n")
