"""UI state that should outlive a session: window geometry, splitter and column state.

A small JSON key-value file. Losing it costs nothing but a window's size, so a
damaged file is ignored (and replaced by the next save) instead of stopping the program. The
window keeps Qt's saveGeometry()/saveState() bytes in it as base64 text.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from app.config.jsonfile import read_json, write_json
from app.config.paths import AppPaths


class Settings:
    """Values are anything JSON can hold. load() and save() touch the disk: off the GUI thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._values: dict[str, Any] = {}
        self._lock = threading.Lock()

    @classmethod
    def in_config(cls, paths: AppPaths) -> Settings:
        return cls(paths.config / "settings.json")

    def load(self) -> Settings:
        try:
            document = read_json(self.path)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            document = None
        with self._lock:
            self._values = dict(document) if isinstance(document, dict) else {}
        return self

    def save(self) -> None:
        with self._lock:
            snapshot = dict(self._values)
        write_json(self.path, snapshot)

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            return self._values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        json.dumps(value)  # refuse now what save() could not write later
        with self._lock:
            self._values[key] = value
