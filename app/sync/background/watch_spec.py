"""One saved pair as the background engine needs it: plain data, built from the pairs file.

Apart from the rest of the engine's types (app.sync.background.types, which
name clients and jobs) so that app.config, which builds it, loads nothing of
the protocol layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.sync.direction import Direction


@dataclass(frozen=True, slots=True)
class WatchSpec:
    """One pair as the engine needs it (the front end builds it from its saved pair)."""

    name: str
    local: Path
    url: str  # the server folder's full URL: with local, the pair's identity (PairFiles)
    direction: Direction
    ignore: tuple[str, ...] = ()
    paused: bool = False
