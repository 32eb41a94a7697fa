"""Start a test WebDAV server by hand and poke at it from a Python prompt.

    python -m tests.server [--apache] [--digest] [ROOT]
    python -m tests.server --nextcloud [--subpath /nextcloud] [DATA]

Serves ROOT (default: a new temporary folder, deleted on exit) with wsgidav,
or with Apache httpd + mod_dav given ``--apache``, on a free port of
127.0.0.1; ``--digest`` asks for Digest instead of Basic authentication.
Prints the URL, user and password, then opens an interactive Python prompt
with ``server`` and ``client`` (an ``httpx.Client`` already authenticated
against ``server.url``), for example::

    >>> client.request("PROPFIND", server.url, headers={"Depth": "1"}).text

``--nextcloud`` starts the fake Nextcloud (tests/servers/nextcloud) over the data
folder DATA (default: a new temporary one), at ``--subpath`` if given; ``client``
then has ``base_url=server.root_url`` and the account's user id and password::

    >>> client.get("status.php").json()
    >>> client.get("ocs/v2.php/cloud/capabilities", headers={"OCS-APIRequest": "true"}).text
    >>> client.request("PROPFIND", server.files_url, headers={"Depth": "1"}).text

Leave the prompt (Ctrl-D, or ``exit()``) to stop the server. Running as root
with ``--apache``, a ROOT you give is handed over to www-data (chown -R).
"""

from __future__ import annotations

import argparse
import code
import shutil
import sys
import tempfile
from pathlib import Path

import httpx

from tests.servers import ApacheServer, WsgiDavServer, find_apache
from tests.servers.nextcloud import NextcloudServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.server",
        description="Start a WebDAV test server and open a Python prompt.",
    )
    parser.add_argument("root", nargs="?", type=Path, help="folder to serve")
    parser.add_argument("--apache", action="store_true", help="Apache + mod_dav")
    parser.add_argument("--digest", action="store_true", help="Digest auth")
    parser.add_argument("--nextcloud", action="store_true", help="the fake Nextcloud")
    parser.add_argument("--subpath", default="", help="with --nextcloud: e.g. /nextcloud")
    parser.add_argument("--port", type=int, default=0, help="port (default: free)")
    args = parser.parse_args(argv)
    auth = "digest" if args.digest else "basic"
    if args.nextcloud:
        if args.apache or args.digest:
            parser.error("--nextcloud goes with neither --apache nor --digest")
        return _nextcloud(args.root, args.subpath, args.port)
    if args.subpath:
        parser.error("--subpath needs --nextcloud")

    made_root: Path | None = None
    if args.apache:
        if find_apache() is None:
            parser.error("apache2 is not installed")
        # Without ROOT, Apache serves a folder inside its own private dir.
        server: WsgiDavServer | ApacheServer = ApacheServer(args.root, auth=auth, port=args.port)
    else:
        root = args.root
        if root is None:
            root = made_root = Path(tempfile.mkdtemp(prefix="davdesk-wsgidav-"))
        server = WsgiDavServer(root, auth=auth, port=args.port)

    client_auth: httpx.Auth = (
        httpx.DigestAuth(server.user, server.password)
        if args.digest
        else httpx.BasicAuth(server.user, server.password)
    )
    client = httpx.Client(auth=client_auth, base_url=server.url, timeout=30)
    lines = [
        f"{server.name} serving {server.root}",
        f"  URL:      {server.url}",
        f"  user:     {server.user}",
        f"  password: {server.password}",
        f"  auth:     {auth}",
    ]
    if isinstance(server, ApacheServer):
        lines.append(f"  errors:   {server.error_log}")
    lines.append("`server` and `client` (httpx.Client, base_url=server.url) are ready;")
    lines.append("Ctrl-D stops the server.")
    try:
        code.interact(
            banner="\n".join(lines),
            local={"server": server, "client": client, "httpx": httpx},
            exitmsg="stopping the server",
        )
    except SystemExit:  # exit() inside the prompt
        pass
    finally:
        client.close()
        if isinstance(server, ApacheServer):
            server.cleanup()
        else:
            server.stop()
        if made_root is not None:
            shutil.rmtree(made_root, ignore_errors=True)
    return 0


def _nextcloud(data: Path | None, subpath: str, port: int) -> int:
    made: Path | None = None
    if data is None:
        data = made = Path(tempfile.mkdtemp(prefix="davdesk-nextcloud-"))
    server = NextcloudServer(data, subpath=subpath, port=port).start()
    client = httpx.Client(
        auth=(server.user_id, server.password), base_url=server.root_url, timeout=30
    )
    banner = "\n".join(
        [
            f"fake Nextcloud over {server.data_dir}",
            f"  address:    {server.root_url}",
            f"  files:      {server.files_url}   (on disk: {server.files_root})",
            f"  user id:    {server.user_id}   login name: {server.login_name}",
            f"  password:   {server.password}",
            "`server` and `client` (httpx.Client, base_url=server.root_url) are ready;",
            "OCS wants headers={'OCS-APIRequest': 'true'}. Ctrl-D stops the server.",
        ]
    )
    try:
        code.interact(
            banner=banner,
            local={"server": server, "client": client, "httpx": httpx},
            exitmsg="stopping the server",
        )
    except SystemExit:  # exit() inside the prompt
        pass
    finally:
        client.close()
        server.stop()
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
