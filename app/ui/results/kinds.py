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


#: What each fix settles, in the Outcome's own vocabulary.
NEEDS: dict[Fix, Callable[[Outcome], bool]] = {
    Fix.OVERWRITE: lambda outcome: outcome.is_conflict,
    Fix.UNLOCK: lambda outcome: outcome.is_locked,
    Fix.SIGN_IN: lambda outcome: outcome.needs_sign_in,
}


def fixes_of(outcomes: tuple[Outcome, ...]) -> list[Fix]:
    """The fixes any of a result's Outcomes calls for."""
    return [fix for fix, needs in NEEDS.items() if any(needs(o) for o in outcomes)]
