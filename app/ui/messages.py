"""Errors and results in words a user can act on, never a traceback."""

from __future__ import annotations

from app.dav import Outcome, words
from app.jobs.model import JobEnded


def readable(error: BaseException) -> str:
    """One line for an exception from background work (app.dav.words says it)."""
    return words.explain(error)


def outcome_line(outcome: Outcome) -> str:
    """One failed (or skipped) resource, in the words the results pane and the CLI use."""
    return words.outcome_line(outcome)


def summary(name: str, ended: JobEnded) -> str:
    """The status-bar line of a finished job, counted as its results row and the CLI count:
    "Copy 3 items: 2 done · 1 skipped"."""
    line = f"{name}: {words.tally_words(ended.tally)}"
    return f"{line} – {ended.error}" if ended.error else line
