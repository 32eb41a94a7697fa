"""The CLI's argument grammar, kept apart so --help reads as the reference."""

from __future__ import annotations

import argparse

from app import __version__

_COMMANDS = {
    "ls": ("list folders (or describe files)", ["URL..."]),
    "stat": ("describe resources (PROPFIND Depth 0)", ["URL..."]),
    "mkdir": ("create folders", ["URL..."]),
    "rm": ("delete files and folders", ["URL..."]),
    "cp": ("copy on the server", ["SRC_URL...", "DEST_URL"]),
    "mv": ("move or rename on the server", ["SRC_URL...", "DEST_URL"]),
    "put": ("upload files and folders", ["LOCAL...", "URL"]),
    "get": ("download files and folders", ["URL...", "LOCAL"]),
    "props": ("show every property, live and dead", ["URL..."]),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="davdesk",
        description="Davdesk: a WebDAV client that reports what happened to every file. "
                    "With no command it opens the desktop window.",
        epilog="The password comes from the DAVDESK_PASSWORD environment variable, "
               "or a prompt; never from an argument.")
    parser.add_argument("--version", action="version", version=f"davdesk {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--user", "-u", help="user name (or put it in the URL: http://user@host/)")
    common.add_argument("--json", action="store_true",
                        help="one JSON object per line on stdout")
    common.add_argument("--insecure", action="store_true",
                        help="do not verify the server's TLS certificate")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, operands) in _COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text, parents=[common])
        if len(operands) == 1:
            command.add_argument("targets", nargs="+", metavar=operands[0].rstrip("."))
        else:
            command.add_argument("sources", nargs="+", metavar=operands[0].rstrip("."))
            command.add_argument("destination", metavar=operands[1])
        if name == "mkdir":
            command.add_argument("--parents", "-p", action="store_true",
                                 help="create missing parent folders too")
        if name in ("cp", "mv"):
            command.add_argument("--no-overwrite", "-n", action="store_true",
                                 help="fail (412) instead of replacing an existing destination")
    return parser
