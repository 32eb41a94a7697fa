"""The headless front end: `davdesk ls|stat|mkdir|rm|cp|mv|put|get|props|sync ...`.

Exit status: 0 when every Outcome is ok, 1 when some failed, 2 on a usage or
connection error (one line on stderr, never a traceback).
"""

from __future__ import annotations

import sys

from app.cli.commands import COMMANDS
from app.cli.connect import Connections, UsageError
from app.cli.output import Printer
from app.cli.parser import build_parser
from app.dav import errors

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


def main(argv: list[str]) -> int:
    """Run one CLI command; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    printer = Printer(json_lines=args.json)
    try:
        with Connections(user=args.user, workers=getattr(args, "workers", 1),
                         verify=not args.insecure) as connections:
            COMMANDS[args.command](args, connections, printer)
    except UsageError as exc:
        print(f"davdesk: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except (errors.TransportError, errors.AuthenticationError, errors.UnsafeRedirectError) as exc:
        print(f"davdesk: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except errors.DavError as exc:
        print(f"davdesk: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("davdesk: interrupted", file=sys.stderr)
        return 130
    return EXIT_FAILED if printer.failures else EXIT_OK
