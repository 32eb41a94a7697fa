"""What to do when a transfer's target already exists: the user's choice, kept in preferences.

Apart from the job model (app.jobs.model, which carries Outcomes and
exchanges of the protocol layer) so that app.config, which keeps the user's
default, loads nothing of app.dav.
"""

from __future__ import annotations

import enum


class Conflict(enum.StrEnum):
    """What to do when the target of a copy, move, upload or download already exists."""

    ASK = "ask"  # report a conflict Outcome (412) and let the user decide
    OVERWRITE = "overwrite"
    SKIP = "skip"
    RENAME = "rename"  # keep both: the new one becomes "name (2).ext"
    #: Overwrite where the source is newer than the target, else skip (decided when
    #: planned, from both sides' times: a task never carries these two).
    NEWER = "newer"
    #: Overwrite where size or date differ, else skip (WinSCP's "different").
    DIFFERENT = "different"
