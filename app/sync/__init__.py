"""Folder-pair sync: scan both sides, plan against a state database, run as an ordinary Job.

Plain Python, no Qt: the CLI and the GUI share every decision made here.

The names below are loaded on first use (PEP 562): app.config imports this
package's small data modules (a pair's direction, its files, its status) and
must not load the planner, the state database or the protocol layer with them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.sync.direction import Direction
    from app.sync.model import Action, LocalFile, PlanItem, RemoteFile, SyncPlan
    from app.sync.state import Record, StateDB, state_file

#: Where each name lives.
_HOMES = {
    "Action": "model",
    "Direction": "direction",
    "LocalFile": "model",
    "PlanItem": "model",
    "Record": "state",
    "RemoteFile": "model",
    "StateDB": "state",
    "SyncPlan": "model",
    "state_file": "state",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)


__all__ = [
    "Action",
    "Direction",
    "LocalFile",
    "PlanItem",
    "Record",
    "RemoteFile",
    "StateDB",
    "SyncPlan",
    "state_file",
]
