"""Entry point: `davdesk` (or `python -m app`).

No arguments, a URL or --demo: the desktop window (--background: background sync
with no window, as start at login runs it). A command (ls, put, ...):
the headless CLI. `davdesk demo`: a demo WebDAV server in the terminal.
"""

from __future__ import annotations

import gc
import sys
from typing import NoReturn

#: The read-only commands (app/cli/commands.py's own).
_LISTINGS = frozenset({"ls", "stat", "props"})
_GUI_OPTIONS = frozenset({"--demo", "--user", "-u", "--verbose", "--smoke-test", "--background"})


def main(argv: list[str] | None = None) -> int:
    # httpx imports its own command-line tool when rich and click happen to be installed;
    # davdesk never uses it, and it would add ~35 ms to every command's start.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "demo":
        from app.demo import main as demo_main

        return demo_main(args[1:])
    _httpcore_without_h2()
    if not args or "://" in args[0] or args[0] in _GUI_OPTIONS:
        from app.display import missing_display

        if (problem := missing_display()) is not None:
            print(f"davdesk: {problem}", file=sys.stderr)
            return 2
        # The collector pauses while the window's modules and Qt's types load (objects that
        # live as long as the process); from the first turn of an event loop it runs in the
        # GUI thread only, with them frozen (app/ui/gui_collection.py).
        gc.disable()
        demo = early = None
        if "--demo" in args:  # its server starts while the window loads Qt
            from app.demo import spawn_for_window

            demo = spawn_for_window()
        else:  # an address's folder is asked for while the window loads Qt
            from app.config.secrets import PasswordStore
            from app.ui.early_listing import EarlyListing

            early = EarlyListing.start(args, PasswordStore())  # the keyring Home.default() opens
        from app.ui.app import run_gui

        return run_gui(args, demo=demo, early=early)
    from app.cli import main as cli_main

    return cli_main(args)


def _httpcore_without_h2() -> None:
    """Load httpcore without h2, HTTP/2's protocol library (6 ms of every start): httpcore
    imports it as it loads, yet only an HTTP/2 connection uses it, and httpcore imports it
    again for that one (httpx, for a client that may speak HTTP/2: https only). A command
    on a plain http server so never loads it."""
    if "httpcore" in sys.modules or "h2" in sys.modules:
        return
    sys.modules["h2"] = None  # type: ignore[assignment]  # its import fails: httpcore goes on
    try:
        import httpcore  # noqa: F401
    finally:
        del sys.modules["h2"]


def run() -> NoReturn:
    """The process's entry (the davdesk command, python -m app): main(), then its exit
    status; a listing's or a one-off sync's process ends without the interpreter's
    teardown (app/quick_exit.py)."""
    if sys.argv[1:2] and sys.argv[1] in _LISTINGS:
        # A listing makes no garbage that only the collector could free (its records are
        # flat tuples, its XML elements go as they are read) and its process ends with it
        # (quick_exit): the collector's passes over the modules it loads and the entries it
        # reads would free nothing (4 ms of a 10,000-entry ls --json; its peak memory stays).
        gc.disable()
    elif sys.argv[1:2] == ["sync"]:
        # Paused while the start loads modules (objects that live as long as the process);
        # the sync runs it again, with them frozen, once it has loaded what it runs with
        # (app.collector.resume_after_start).
        gc.disable()
    status = main()
    from app.quick_exit import exit_now_if_done

    exit_now_if_done(sys.argv[1:], status)
    sys.exit(status)


if __name__ == "__main__":
    run()
