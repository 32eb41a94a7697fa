"""The window's Preferences as the CLI's defaults, so one choice holds in both front ends.

Parallel transfers and the bandwidth limits set in Edit ▸ Preferences apply to
a command no option overrides (`-j`, `--limit-rate` always win). The conflict
default stays the CLI's own: a script must not change behaviour because
someone clicked in the window.
"""

from __future__ import annotations

import argparse

from app.config.paths import AppPaths
from app.config.preferences import PREFERENCES, Preferences
from app.config.settings import Settings

#: Commands whose transfers go up, and down; the rest move no bytes through this computer.
_UPLOADS = frozenset({"put"})
_DOWNLOADS = frozenset({"get"})


def fill_job_options(args: argparse.Namespace, paths: AppPaths) -> None:
    """Set args.workers and args.limit_rate where no option gave them (None)."""
    window = Settings.in_config(paths).load().get("window", {})
    prefs = Preferences.from_mapping(window.get(PREFERENCES) if isinstance(window, dict) else None)
    if getattr(args, "workers", 0) is None:
        args.workers = prefs.parallel_transfers
    if hasattr(args, "limit_rate") and args.limit_rate is None:
        limit = _limit_kib(args, prefs)
        args.limit_rate = limit * 1024 if limit else None


def _limit_kib(args: argparse.Namespace, prefs: Preferences) -> int:
    """The limit for this command's direction; a two-way sync takes the tighter one."""
    if args.command in _UPLOADS:
        return prefs.upload_limit
    if args.command in _DOWNLOADS:
        return prefs.download_limit
    if args.command == "sync":
        direction = getattr(args, "direction", None)
        if direction == "up":
            return prefs.upload_limit
        if direction == "down":
            return prefs.download_limit
        limits = [limit for limit in (prefs.upload_limit, prefs.download_limit) if limit]
        return min(limits, default=0)
    return 0
