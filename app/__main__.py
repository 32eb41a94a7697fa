"""Entry point: `davdesk` (or `python -m app`).

A sub-command runs the headless CLI; `demo` serves sample files over WebDAV
on loopback to try Davdesk against.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    # httpx imports its own command-line tool when rich and click happen to be installed;
    # davdesk never uses it, and it would add ~35 ms to every command's start.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "demo":
        from app.demo import main as demo_main

        return demo_main(args[1:])
    if not args:
        print("davdesk: the desktop window is not available in this build; "
              "use a command (davdesk --help) or try `davdesk demo`.", file=sys.stderr)
        return 2
    from app.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
