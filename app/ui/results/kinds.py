"""Which one-click fix an Outcome calls for: overwrite, unlock, or sign in again.

Its own module because the model indexes results by these kinds as they
arrive (so the pane can enable its actions without looking at every row)
and the fixer acts on them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from app.dav import Outcome


class Fix(enum.Enum):
    OVERWRITE = "overwrite"
    UNLOCK = "unlock"
    SIGN_IN = "sign in"


def is_locked(outcome: Outcome) -> bool:
    return outcome.status == 423 or outcome.error in {"lock-token-submitted",
                                                      "no-conflicting-lock"}


def needs_sign_in(outcome: Outcome) -> bool:
    return outcome.status == 401


def is_taken(outcome: Outcome) -> bool:
    """A conflict the user can settle by overwriting: a 412, or Overwrite: F refused."""
    return outcome.status == 412 or outcome.error == "target-exists"


NEEDS: dict[Fix, Callable[[Outcome], bool]] = {
    Fix.OVERWRITE: is_taken,
    Fix.UNLOCK: is_locked,
    Fix.SIGN_IN: needs_sign_in,
}


def fixes_of(outcomes: tuple[Outcome, ...]) -> list[Fix]:
    """The fixes any of a result's Outcomes calls for."""
    return [fix for fix, needs in NEEDS.items() if any(needs(o) for o in outcomes)]
