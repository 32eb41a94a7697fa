"""Which way a pair syncs: a word of its own, because the saved pairs (app.config) keep it.

It imports nothing from the protocol layer, so the configuration can name a
pair's direction without loading a client (the config-is-data contract in
pyproject.toml forbids app.config reaching app.dav, even indirectly).
"""

from __future__ import annotations

import enum


class Direction(enum.StrEnum):
    """Which side's changes a pair carries over: the other side's are never overwritten."""

    UP = "up"  # local changes to the server
    DOWN = "down"  # server changes to the local folder
    BOTH = "both"

    @property
    def uploads(self) -> bool:
        return self is not Direction.DOWN

    @property
    def downloads(self) -> bool:
        return self is not Direction.UP
