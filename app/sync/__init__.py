"""Folder-pair sync: scan both sides, plan against a state database, run as an ordinary Job.

Plain Python, no Qt: the CLI and the GUI share every decision made here.
"""

from app.sync.model import Action, Direction, LocalFile, PlanItem, RemoteFile, SyncPlan
from app.sync.state import Record, StateDB, state_file

__all__ = ["Action", "Direction", "LocalFile", "PlanItem", "Record", "RemoteFile", "StateDB",
           "SyncPlan", "state_file"]
