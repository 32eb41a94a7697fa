"""The headless front end: `davdesk ls|stat|mkdir|rm|cp|mv|put|get|props|sync|login|logout|trash`,
`edit`, `find`, `share` and `versions`.

Exit status: 0 when every Outcome is ok, 1 when some failed, 2 on a usage or
connection error (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.commands import command
from app.cli.connect import Connections, UsageError, certificate_hint, verify_of
from app.cli.output import Printer, say
from app.cli.parser import build_parser
from app.config.paths import AppPaths
from app.dav import Outcome, errors
from app.logs import logging_to

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


def main(argv: list[str]) -> int:
    """Run one CLI command; returns the process exit status."""
    # Only the options of the command named are built (an option first: all of them).
    parser = build_parser(argv[0] if argv and not argv[0].startswith("-") else None)
    args = parser.parse_args(argv)
    report = getattr(args, "report", None)
    printer = Printer(json_lines=args.json, keep_outcomes=report is not None)
    paths = AppPaths.default()
    if getattr(args, "workers", 0) is None or getattr(args, "limit_rate", 0) is None:
        from app.cli.preferences import fill_job_options  # only commands that run jobs

        fill_job_options(args, paths)
    with logging_to(paths.log, verbose=args.verbose):
        return _run(args, printer, report)


def _run(args: argparse.Namespace, printer: Printer, report: Path | None) -> int:
    connections: Connections | None = None
    try:
        try:
            with Connections(
                user=args.user, workers=getattr(args, "workers", 1), verify=verify_of(args)
            ) as connections:
                command(args.command)(args, connections, printer)
                printer.summary(f"davdesk {args.command}")
        finally:
            if report is not None and printer.outcomes is not None:
                _write_report(report, f"davdesk {args.command}", printer.outcomes)
    except UsageError as exc:
        say(str(exc))
        return EXIT_ERROR
    except errors.CertificateError as exc:
        say(str(exc))
        hint = certificate_hint(exc, args.trust)
        if hint:
            say(hint)
        return EXIT_ERROR
    except errors.DavError as exc:
        if _is_nextcloud_sign_in(exc):
            say(str(exc))
        else:
            _explain(exc, connections)
        return EXIT_ERROR if _connection_failed(exc) else EXIT_FAILED
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    except OSError as exc:  # the report could not be written
        say(f"cannot write the report: {exc}")
        return EXIT_ERROR
    return EXIT_FAILED if printer.failures else EXIT_OK


def _connection_failed(exc: errors.DavError) -> bool:
    """Whether the server could not be reached or signed in to (exit status 2).

    Nextcloud's classes are imported on the way out, rather than at the top: a command
    that never touched Nextcloud then does not load its sign-in code.
    """
    return isinstance(
        exc, (errors.TransportError, errors.AuthenticationError, errors.UnsafeRedirectError)
    ) or _is_nextcloud_sign_in(exc)


def _is_nextcloud_sign_in(exc: errors.DavError) -> bool:
    """A Nextcloud sign-in that failed: its own message says it (no protocol words needed)."""
    from app.nextcloud.discovery import NotNextcloudError
    from app.nextcloud.login_flow import LoginCancelled, LoginFlowError

    return isinstance(exc, (NotNextcloudError, LoginFlowError, LoginCancelled))


def _write_report(path: Path, job: str, outcomes: list[Outcome]) -> None:
    """Written also when the command failed half-way: the report holds what happened."""
    from app.jobs.report import write_report  # only the job commands write reports

    write_report(path, ((job, outcome) for outcome in outcomes))


def _explain(error: errors.DavError, connections: Connections | None) -> None:
    """What went wrong in words and the way forward (app.dav.words, as the window says it),
    then the request that failed, for a bug report or a script's log."""
    from app.dav import words

    explained = words.explain_connect(
        error,
        user=connections.user if connections else None,
        guessed_https=connections.guessed_https if connections else False,
    )
    say(f"{explained.text} ({error})")
    hints = list(explained.hints)
    if isinstance(error, errors.AuthenticationError) and not (connections and connections.user):
        hints = ["give --user NAME, or put it in the address (https://alice@host/)"]
    for hint in hints:
        say(hint)
