"""When Python's garbage collector runs, for a process whose start loads much (no Qt here).

A start loads modules and builds types that live as long as the process; the collector
would walk them again and again as they are made. `app/__main__.py` pauses it for the
start, and `resume_after_start` runs it again with those objects frozen (gc.freeze), so
no later pass walks them. `collect_due` is the collector's own rule (a generation is
collected once its count passes its threshold), for a caller that runs it by hand on a
thread of its choosing: the window does, in its GUI thread (app/ui/gui_collection.py).
"""

from __future__ import annotations

import gc


def resume_after_start() -> None:
    """The collector runs again, with what the start loaded frozen: nothing made after
    this is frozen, so it is collected as usual. Does nothing if it was not paused."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def collect_due() -> None:
    """Collect the generations whose counts passed their thresholds, as the automatic
    collector would have at the allocation that passed them: the youngest first, an older
    one only when it is due too."""
    counts = gc.get_count()
    for generation, threshold in enumerate(gc.get_threshold()):
        if not threshold or counts[generation] <= threshold:
            return
        gc.collect(generation)
