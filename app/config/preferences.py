"""The user's preferences: how jobs run and what the window shows, as plain data.

Kept in settings.json with the window's state (the "window" section, under
"preferences"), read when a window opens and written when Davdesk closes; the
CLI reads the same values where they make sense (parallel transfers and the
bandwidth limits are its defaults when no option says otherwise).
Start at login is not here: the desktop's autostart entry is its truth
(app.config.autostart).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from app.jobs.conflict import Conflict

#: The key of the preferences in the window's state mapping.
PREFERENCES = "preferences"
MAX_PARALLEL = 16


@dataclass(frozen=True, slots=True)
class Preferences:
    parallel_transfers: int = 4
    #: Kibibytes a second; 0: no limit.
    upload_limit: int = 0
    download_limit: int = 0
    #: What happens to targets that exist: ask, or one of the other Conflict values.
    conflict: Conflict = Conflict.ASK
    show_hidden: bool = False
    confirm_delete: bool = True
    #: Finished jobs the results pane keeps; older ones are cleared as new ones end.
    results_kept: int = 50
    #: Background sync: how often a pair's server folder is looked at (seconds), and a full
    #: scan where the server's folder ETags do not change with their contents (minutes).
    sync_poll_seconds: int = 30
    sync_full_scan_minutes: int = 5

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> Preferences:
        """What was saved, each value checked: a bad or unknown one falls back to its default
        (a hand-edited settings file never stops the window from opening)."""
        defaults = cls()
        chosen: dict[str, Any] = {}
        for field in fields(cls):
            value = (values or {}).get(field.name)
            default = getattr(defaults, field.name)
            if field.name == "conflict":
                if value in {c.value for c in Conflict}:
                    chosen[field.name] = Conflict(value)
            elif isinstance(default, bool):
                if isinstance(value, bool):
                    chosen[field.name] = value
            elif isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                chosen[field.name] = value
        prefs = replace(defaults, **chosen)
        return replace(
            prefs, parallel_transfers=min(MAX_PARALLEL, max(1, prefs.parallel_transfers))
        )

    def to_mapping(self) -> dict[str, Any]:
        data = asdict(self)
        data["conflict"] = self.conflict.value
        return data
