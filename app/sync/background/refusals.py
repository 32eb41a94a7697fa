"""What the planner will not sync for a watched pair, kept between looks and shown once.

The planner refuses some paths outright (planner.py, folders.py): a name the
server would reject, a server name unsafe here, a file on one side and a
folder on the other, a deleted folder kept for the ignored files it holds,
the deletes of every synced file of one side (guard.py: one refusal of the
pair's folder itself, path "", until the user decides: PairWorker.decide).
A one-off `davdesk sync` prints them; a watched pair meets the same ones on
every look, so it keeps them here: a full look replaces them, a look at some
folders replaces those in the folders it examined. Each is shown (as a row
of a run's job, the Outcome the planner made) the first time this process
meets it; the pair's state lists them all while they last.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.dav import Outcome
from app.jobs.model import Op, Task, TaskResult
from app.jobs.naming import name_key
from app.sync.direction import Direction
from app.sync.guard import HELD

_OPS = {op.value: op for op in Op}


class Refusals:
    """One pair's refusals; used on the pair's thread only."""

    def __init__(self, remote_root: str = "/") -> None:
        self.remote_root = remote_root
        self._current: dict[str, Outcome] = {}  # key of the relative path -> the refusal
        self._shown: set[tuple[str, str]] = set()  # (key, why) this process has shown

    def rooted(self, remote_root: str) -> None:
        """The pair's server folder (known once connected): refusals' paths start with it."""
        self.remote_root = remote_root.rstrip("/") + "/"

    def replace(self, refused: Iterable[Outcome]) -> None:
        """A full look: what it refused is all there is."""
        self._current = {self._key(o): o for o in refused}
        self._prune()

    def update(self, refused: Iterable[Outcome], examined: Iterable[str]) -> None:
        """A look at some folders: their members' refusals are replaced, the rest kept."""
        folders = {name_key(folder) for folder in examined}
        self._current = {
            key: o for key, o in self._current.items() if key.rpartition("/")[0] not in folders
        }
        self._current.update((self._key(o), o) for o in refused)
        self._prune()

    def _prune(self) -> None:
        """What was shown and is gone is forgotten: should it come back, it is shown again."""
        self._shown = {
            (key, why)
            for key, why in self._shown
            if key in self._current and _why(self._current[key]) == why
        }

    def unshown(self) -> list[Outcome]:
        """The refusals not shown yet in this process."""
        return [o for key, o in sorted(self._current.items()) if (key, _why(o)) not in self._shown]

    def shown(self, outcomes: Iterable[Outcome]) -> None:
        """These were shown (a run announced them): not again while they last."""
        self._shown.update((self._key(o), _why(o)) for o in outcomes)

    def held(self) -> str | None:
        """Which side's files the mass-delete guard holds deletes of, if it does: "local"
        (every synced file went from the server) or "server" (every one went from here)."""
        found = self._current.get("")  # the guard's refusal is the pair's folder itself
        if found is None or found.reason != HELD:
            return None
        return "local" if found.op == "delete-local" else "server"

    def listed(self) -> tuple[tuple[str, str], ...]:
        """Every refusal that lasts, as the pair's status keeps them: (path, why)."""
        return tuple((self._rel(o), _why(o)) for _, o in sorted(self._current.items()))

    def _rel(self, outcome: Outcome) -> str:
        path = outcome.path
        if path.startswith(self.remote_root):
            path = path[len(self.remote_root) :]
        return path.rstrip("/")

    def _key(self, outcome: Outcome) -> str:
        return name_key(self._rel(outcome))


def _why(outcome: Outcome) -> str:
    return outcome.note or outcome.reason


def refusal_result(job_id: int, outcome: Outcome, direction: Direction) -> TaskResult:
    """A refusal as a row of a run's job. Its task is held back with the reason: retried
    from the results pane it sends nothing and says why again (only the user's rename,
    move or delete changes what the planner decides)."""
    op = _OPS.get(outcome.op) or (Op.UPLOAD if direction.uploads else Op.DOWNLOAD)
    task = Task(op, outcome.path, is_dir=outcome.path.endswith("/"), blocked=_why(outcome))
    return TaskResult(job_id, task, (outcome,))
