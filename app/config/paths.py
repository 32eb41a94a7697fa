"""Where Davdesk keeps its files: the platform's usual places, or one folder for tests.

Nothing here touches the disk; the stores create their folders when they first write.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "davdesk"
#: Puts every Davdesk file under one folder: tests set it so nothing reaches the real home.
OVERRIDE_VARIABLE = "DAVDESK_CONFIG_HOME"


@dataclass(frozen=True, slots=True)
class AppPaths:
    config: Path
    data: Path
    log: Path
    cache: Path

    @classmethod
    def under(cls, base: Path) -> AppPaths:
        """Everything in sub-folders of one folder (tests, portable installs)."""
        return cls(base / "config", base / "data", base / "log", base / "cache")

    @classmethod
    def default(cls, environ: Mapping[str, str] = os.environ) -> AppPaths:
        """The platform's folders, unless DAVDESK_CONFIG_HOME names one folder for all."""
        override = environ.get(OVERRIDE_VARIABLE)
        if override:
            return cls.under(Path(override))
        dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
        return cls(
            dirs.user_config_path, dirs.user_data_path, dirs.user_log_path, dirs.user_cache_path
        )
