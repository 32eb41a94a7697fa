"""Whether the window has a screen to open on, asked before Qt is loaded.

Without a display Qt's xcb plugin aborts the process (SIGABRT, exit 134)
with a paragraph about plugins. On a server or over plain ssh a user who
typed `davdesk` is better told in one line, with the way forward: the same
commands work in the terminal.
"""

from __future__ import annotations

import os
import sys

#: Qt platforms that draw without a display server (QT_QPA_PLATFORM, before any ':options').
_HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal", "vnc", "eglfs", "linuxfb", "vkkhrdisplay"})


def missing_display(
    environ: dict[str, str] | None = None, platform: str = sys.platform
) -> str | None:
    """Why the window cannot open here, in one line; None when it can (or Qt will find out)."""
    env = os.environ if environ is None else environ
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None  # Windows and macOS always have their own screen
    chosen = env.get("QT_QPA_PLATFORM", "").split(":", 1)[0].strip().lower()
    if chosen in _HEADLESS_PLATFORMS:
        return None
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    return (
        "no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set); "
        "run it in a desktop session, or use the commands here: davdesk --help"
    )
