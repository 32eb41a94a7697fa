"""The CLI's argument grammar, kept apart so --help reads as the reference."""

from __future__ import annotations

import argparse
import datetime
import re
from pathlib import Path
from typing import Any, cast

from app import __version__
from app.jobs.conflict import Conflict

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


class _Unbuilt:
    """Stands for a sub-command's parser that is not built: takes every option (and group,
    and sub-command of its own) and adds none."""

    def __getattr__(self, name: str) -> Any:
        return self._ignore

    def _ignore(self, *args: Any, **kwargs: Any) -> Any:
        return self


class _OneCommand:
    """The sub-commands where only the one a command line names gets its options: every
    command is still listed (in --help, and as the choices a mistyped name is told), and
    the others' options, which only their own command lines read, are not built."""

    def __init__(self, sub: argparse._SubParsersAction[argparse.ArgumentParser], only: str) -> None:
        self._sub = sub
        self._only = only

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        if name == self._only:
            return self._sub.add_parser(name, **kwargs)
        self._sub.add_parser(name, help=kwargs.get("help"), add_help=False)
        return cast(argparse.ArgumentParser, _Unbuilt())


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole grammar; or, given the command a command line starts with (only), the
    grammar with that command's options alone: building every command's options costs
    each start about 2 ms (tests/cli/test_parser.py holds the two alike for every command)."""
    parser = argparse.ArgumentParser(
        prog="davdesk",
        description="Davdesk: a WebDAV client that reports what happened to every file. "
        "Without a command it opens the desktop window: `davdesk [URL]`, or "
        "`davdesk --demo` on a built-in demo server; `davdesk demo` runs that "
        "server in the terminal.",
        epilog="The password comes from the DAVDESK_PASSWORD environment variable, "
        "or a prompt; never from an argument.",
    )
    parser.add_argument("--version", action="version", version=f"davdesk {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--user", "-u", help="user name (or put it in the URL: http://user@host/)")
    common.add_argument("--json", action="store_true", help="one JSON object per line on stdout")
    trust = common.add_mutually_exclusive_group()
    trust.add_argument(
        "--insecure", action="store_true", help="do not verify the server's TLS certificate"
    )
    trust.add_argument(
        "--trust",
        type=_fingerprint,
        metavar="SHA256:AB:CD:...",
        help="trust exactly the certificate with this SHA-256 fingerprint (a "
        'self-signed one too, as the window\'s "Trust always" does); any '
        "other certificate, such as a changed one, is refused",
    )
    common.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="print debug lines and one line per HTTP request on stderr "
        "(and in the log file); passwords and tokens are blanked",
    )
    sub: Any = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    if only is not None:
        sub = _OneCommand(sub, only)
    for name, (help_text, operands) in _COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text, parents=[common])
        if len(operands) == 1:
            command.add_argument("targets", nargs="+", metavar=operands[0].rstrip("."))
        else:
            command.add_argument("sources", nargs="+", metavar=operands[0].rstrip("."))
            command.add_argument("destination", metavar=operands[1])
        if name == "mkdir":
            command.add_argument(
                "--parents", "-p", action="store_true", help="create missing parent folders too"
            )
        if name in _JOB_COMMANDS:
            _add_job_options(command, conflicts=name in ("cp", "mv", "put", "get"))
        if name == "put":
            _add_keep_mtime(command)
    _add_sync(sub, common)
    _add_pair(sub, common)
    _add_nextcloud(sub, common)
    _add_in_place(sub, common)
    return parser


def _add_in_place(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Commands on one file where it lives: edit it, find files by name."""
    edit = sub.add_parser(
        "edit",
        parents=[common],
        help="edit a server file with $VISUAL/$EDITOR (or --open)",
        description="Download a file, edit it with $VISUAL or $EDITOR (or the default "
        "application with --open), and upload every save with If-Match: a file "
        "changed on the server meanwhile is a conflict (exit status 1), never "
        "overwritten, and the edited copy is kept.",
    )
    edit.add_argument("url", metavar="URL")
    find = sub.add_parser(
        "find",
        parents=[common],
        help="find files and folders by name below a folder",
        description="Find names below a folder: PATTERN is shell-style (*.pdf, report-202?) and "
        "case-insensitive; without wildcards it finds names containing it. One "
        "SEARCH request on a Nextcloud, else a walk of the folders (at most 20,000 "
        "folders and 10,000 results). With --json: one ls --json entry per line.",
    )
    share = sub.add_parser(
        "share",
        parents=[common],
        help="a Nextcloud public link: create, list (ls), delete (rm)",
        usage="davdesk share [options] URL | share ls URL | share rm URL ID",
        description="Create a public link to a file or folder on a Nextcloud and print it; "
        "`share ls URL` lists the item's shares, `share rm URL ID` deletes one. "
        "The link's password comes from the environment variable --password-env "
        "names, never from an argument.",
    )
    share.add_argument("words", nargs="+", metavar="[ls|rm] URL [ID]")
    share.add_argument(
        "--expire", type=_expire, metavar="YYYY-MM-DD", help="the link stops working after this day"
    )
    share.add_argument(
        "--password-env",
        metavar="VAR",
        help="protect the link with the password in environment variable VAR",
    )
    share.add_argument(
        "--access",
        choices=["read", "upload", "drop", "edit"],
        default="read",
        help="read only (default); a folder's link may take uploads (upload: "
        "and edits; drop: uploads only), a file's may allow editing (edit)",
    )
    versions = sub.add_parser(
        "versions",
        parents=[common],
        help="a Nextcloud file's earlier versions",
        usage="davdesk versions ls URL | versions get URL VERSION LOCAL | "
        "versions restore URL VERSION",
        description="List a file's earlier versions (newest first), download one, or restore "
        "one (the server keeps the current content as a version, so nothing is "
        "lost). VERSION is a name as `versions ls` prints it.",
    )
    versions.add_argument("action", choices=["ls", "get", "restore"])
    versions.add_argument("operands", nargs="+", metavar="URL [VERSION [LOCAL]]")
    find.add_argument("url", metavar="URL")
    find.add_argument("pattern", metavar="PATTERN")
    find.add_argument(
        "--workers",
        "-j",
        type=_workers,
        default=4,
        metavar="N",
        help="folders listed at once by a walk, 1 to 16 (default 4)",
    )
    edit.add_argument(
        "--open",
        action="store_true",
        help="edit with the desktop's default application (xdg-open); press Enter when done",
    )


def _add_nextcloud(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    login = sub.add_parser(
        "login",
        parents=[common],
        help="sign in to a Nextcloud in the browser (Login Flow v2)",
        description="Sign in to a Nextcloud: the sign-in happens in your browser, and the app "
        "password the server issues is kept in the keyring for later commands. With "
        "--user and DAVDESK_PASSWORD set, the account password is exchanged for an "
        "app password instead (no browser needed).",
    )
    login.add_argument("server", metavar="SERVER", help="the Nextcloud's address, as in a browser")
    logout = sub.add_parser(
        "logout",
        parents=[common],
        help="revoke this device's app password and forget it",
        description="Revoke the app password on the server and remove it from the keyring.",
    )
    logout.add_argument("server", metavar="SERVER")
    trash = sub.add_parser(
        "trash",
        parents=[common],
        help="a Nextcloud's trash bin",
        description="List the trash bin, restore or delete items for good, "
        "or empty it. Items are named as `trash ls` lists them, "
        "or by where they were (Inbox/a.txt).",
    )
    trash.add_argument("action", choices=["ls", "restore", "rm", "empty"])
    trash.add_argument("server", metavar="SERVER")
    trash.add_argument("names", nargs="*", metavar="NAME")
    trash.add_argument(
        "--workers",
        "-j",
        type=_workers,
        default=4,
        metavar="N",
        help="parallel requests, 1 to 16 (default 4)",
    )
    trash.add_argument("--dry-run", action="store_true", help="print what would be done")


def _add_sync(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    help_text = "sync a local folder with a server folder (see docs/sync.md)"
    command = sub.add_parser(
        "sync",
        help=help_text,
        parents=[common],
        usage="davdesk sync LOCAL URL --direction up|down|both [--watch] [options]\n"
        "       davdesk sync --watch [--interval SECONDS] [NAME ...]",
        description="Sync a local folder with a server folder once; with --watch, keep it in "
        "step until stopped (Ctrl-C or SIGTERM). `sync --watch` without LOCAL URL "
        "keeps the saved pairs in step (`davdesk pair add`): every one not "
        "paused, or the ones named.",
    )
    command.add_argument("operands", nargs="*", metavar="LOCAL URL | NAME")
    command.add_argument(
        "--direction",
        choices=["up", "down", "both"],
        help="carry over local changes (up), the server's (down), or both",
    )
    command.add_argument(
        "--watch",
        action="store_true",
        help="keep syncing: local changes within seconds, the server's at "
        "each poll; one line per synced file, until Ctrl-C or SIGTERM",
    )
    command.add_argument(
        "--interval",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="with --watch: seconds between looks at the server (default 30; "
        "on a server whose folder ETags do not show changes below them, "
        "each look is a full scan: default 300)",
    )
    command.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="PATTERN",
        help="gitignore-style pattern of paths to leave alone (repeatable)",
    )
    word = command.add_mutually_exclusive_group()
    word.add_argument(
        "--allow-mass-delete",
        action="store_true",
        help="when every synced file was deleted on one side (the sync holds such deletes "
        "back: an emptied server folder or an unmounted disk looks the same), delete them "
        "on the other side too, this once",
    )
    word.add_argument(
        "--restore-mass-delete",
        action="store_true",
        help="when every synced file was deleted on one side, copy them back from the "
        "other instead (their sync records are forgotten; a one-way pair that cannot "
        "copy them back keeps them, unsynced)",
    )
    _add_job_options(command, conflicts=False)
    _add_keep_mtime(command)


def _add_keep_mtime(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--keep-mtime",
        action="store_true",
        help="keep each uploaded file's modification time also on servers that "
        "need a PROPPATCH for it (one more request per file); Nextcloud "
        "and ownCloud keep it anyway, from the upload itself",
    )


def _add_pair(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    help_text = "saved folder pairs, kept in step in the background (see docs/sync.md)"
    command = sub.add_parser("pair", help=help_text, description=help_text)
    actions = command.add_subparsers(dest="pair_command", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add",
        parents=[common],
        help="save a pair (both folders must exist)",
        description="Save a local folder and a server folder as a pair. Both must exist, and "
        "neither may be inside (or hold) another pair's folder.",
    )
    add.add_argument("local", metavar="LOCAL")
    add.add_argument("url", metavar="URL")
    add.add_argument(
        "--direction",
        required=True,
        choices=["up", "down", "both"],
        help="carry over local changes (up), the server's (down), or both",
    )
    add.add_argument("--name", help="what to call it (default: the local folder's name)")
    add.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="PATTERN",
        help="gitignore-style pattern of paths to leave alone (repeatable)",
    )
    actions.add_parser(
        "list",
        parents=[common],
        help="the saved pairs and how they are doing",
        description="Each pair with its direction, whether it is paused, its "
        "last sync, last result and conflicts pending.",
    )
    for name, text in (
        ("remove", "forget a pair and its state (its files stay)"),
        ("pause", "stop syncing a pair until resumed"),
        ("resume", "sync a paused pair again"),
    ):
        action = actions.add_parser(name, parents=[common], help=text, description=text)
        action.add_argument("name", metavar="NAME")


_JOB_COMMANDS = ("mkdir", "rm", "cp", "mv", "put", "get")


def _add_job_options(command: argparse.ArgumentParser, conflicts: bool) -> None:
    command.add_argument(
        "--workers",
        "-j",
        type=_workers,
        default=None,
        metavar="N",
        help="parallel requests, 1 to 16 (default: the window's Preferences, else 4)",
    )
    command.add_argument(
        "--dry-run", action="store_true", help="print what would be done; change nothing"
    )
    command.add_argument(
        "--limit-rate",
        type=_rate,
        default=None,
        metavar="RATE",
        help="bandwidth limit in bytes per second; suffixes K, M, G (e.g. "
        "500K); default: the window's Preferences for put, get and sync",
    )
    command.add_argument(
        "--report",
        type=_report,
        default=None,
        metavar="FILE",
        help="also write every file's Outcome to FILE, as CSV or JSON by its "
        "extension (.csv, .json)",
    )
    if conflicts:
        command.add_argument(
            "--conflict",
            choices=[c.value for c in Conflict],
            default="overwrite",
            help="when the target exists: overwrite it (the version you saw: "
            "a file changed since is a conflict), newer (overwrite if the "
            "source is newer, else skip), different (overwrite if size or "
            "date differ), skip, rename (keep both), or ask (report a "
            "conflict to retry later); default overwrite",
        )
        command.add_argument(
            "--no-overwrite",
            "-n",
            action="store_true",
            help="same as --conflict ask: an existing target is a 412 conflict",
        )
    else:
        command.set_defaults(conflict="ask", no_overwrite=False)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0.1 <= value <= 86400:
        raise argparse.ArgumentTypeError("must be between 0.1 and 86400 seconds")
    return value


def _fingerprint(text: str) -> str:
    """A pinned certificate's fingerprint, "SHA256:" in front or not, in the form compared."""
    from app.dav.tls import normalize_fingerprint  # for --trust alone: TLS's own module

    digits = re.sub(r"(?i)^sha-?256:", "", text.strip())
    try:
        return normalize_fingerprint(digits)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a SHA-256 fingerprint: {text!r} (32 hex byte pairs, e.g. SHA256:AB:CD:...)"
        ) from None


def _report(text: str) -> Path:
    from app.jobs.report import ReportError, report_format  # a job command's option: loaded then

    path = Path(text)
    try:
        report_format(path)
    except ReportError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return path


def _expire(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (YYYY-MM-DD)") from None


def _workers(text: str) -> int:
    from app.jobs.runner import MAX_WORKERS  # a job command's option: the engine is loaded then

    value = int(text)
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_WORKERS}")
    return value


_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def _rate(text: str) -> int:
    number, unit = text.rstrip("KMGkmgBb"), text[len(text.rstrip("KMGkmgBb")) :].upper().rstrip("B")
    try:
        value = int(float(number) * _UNITS[unit])
    except (ValueError, KeyError):
        raise argparse.ArgumentTypeError(f"not a rate: {text!r} (e.g. 500K, 2M)") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("a rate must be positive")
    return value
