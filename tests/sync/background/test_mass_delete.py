"""The mass-delete guard in a watched pair (wsgidav and Apache): an emptied side is never
carried over by a background run; the pair needs attention, says why once, and does what
the user decides (PairWorker.decide): delete on the other side too, or restore the files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.sync.background.engine import BackgroundSync
from app.sync.background.status import PairState, PairStatus
from app.sync.guard import MassDelete
from tests.integration.test_sync import tree
from tests.sync.background.conftest import Recorder, wait_for
from tests.sync.background.test_watch_nextcloud import nextcloud_pair  # noqa: F401 - fixture

FILES = {"a.txt": b"alpha", "b.txt": b"bravo" * 100, "sub/c.txt": b"charlie"}


def empty(root: Path) -> None:
    for path in root.iterdir():
        shutil.rmtree(path) if path.is_dir() else path.unlink()


def empty_between_looks(engine: BackgroundSync, recorder: Recorder, root: Path, name: str) -> None:
    """Empties root at once, as far as the pair can tell: paused meanwhile. empty() deletes
    one entry after another, and a look between two of them (a full scan every second, more
    of the time under load) sees a partial delete, which syncs as ever and leaves fewer than
    every synced file to hold back; an unmounted disk or a server answering an empty folder
    goes all at once."""
    engine.pause(name)
    wait_for(
        lambda: recorder.last is not None and recorder.last.state is PairState.PAUSED,
        what="the pair paused",
    )
    empty(root)
    engine.resume(name)


def held(recorder: Recorder) -> PairStatus | None:
    last = recorder.last
    return last if last is not None and last.state is PairState.ATTENTION else None


def held_rows(recorder: Recorder) -> list[str]:
    with recorder.lock:
        return [o.note or "" for r in recorder.results for o in r.outcomes if not o.ok]


def looks(recorder: Recorder) -> int:
    with recorder.lock:
        return sum(s.text == "looking for changes" for s in recorder.statuses)


def _synced(dav_server, local, watch, recorder):
    for rel, data in FILES.items():
        (local / rel).parent.mkdir(parents=True, exist_ok=True)
        (local / rel).write_bytes(data)
    engine = watch(dav_server.url, dav_server.user, dav_server.password, local)
    wait_for(
        lambda: recorder.idle() and tree(dav_server.root) == tree(local),
        what="the first sync",
    )
    return engine


def test_an_emptied_server_deletes_nothing_here_until_the_user_says(
    dav_server, local, watch, recorder
):
    engine = _synced(dav_server, local, watch, recorder)
    (dav_server.root / "a.txt").unlink()  # a partial delete syncs as ever
    wait_for(lambda: not (local / "a.txt").exists() and recorder.idle(), what="a.txt deleted")

    empty_between_looks(engine, recorder, dav_server.root, "pair")
    wait_for(lambda: held(recorder), what="the pair to need attention")
    status = held(recorder)
    assert status is not None and status.held == "local"
    assert status.text == (
        "held back: all 2 synced files were deleted on the server (or it shows an empty folder)"
    )
    assert tree(local) == {"b.txt": FILES["b.txt"], "sub": None, "sub/c.txt": FILES["sub/c.txt"]}
    # Said once, as one row: look after look it is not shown again, nothing is deleted.
    seen = looks(recorder)
    wait_for(lambda: looks(recorder) >= seen + 3, what="three more full looks")
    [row] = held_rows(recorder)
    assert row.startswith("held back: all 2 synced files") and recorder.stopped == []
    wait_for(lambda: held(recorder), what="attention between looks")
    assert (local / "b.txt").exists()

    engine.decide("pair", MassDelete.ALLOW)
    wait_for(lambda: tree(local) == {} and recorder.idle(), what="the deletes carried out")
    assert tree(dav_server.root) == {} and recorder.last is not None
    assert recorder.last.held is None and recorder.last.refused == ()


@pytest.mark.parametrize("side", ["server", "local"])
def test_restore_files_copies_every_file_back(dav_server, local, watch, recorder, side):
    """Emptied on the server (the files go back up) or here (an unmounted disk: they come
    back down); nothing is deleted on the side that kept them meanwhile."""
    engine = _synced(dav_server, local, watch, recorder)
    emptied, kept = (dav_server.root, local) if side == "server" else (local, dav_server.root)
    empty_between_looks(engine, recorder, emptied, "pair")
    wait_for(lambda: held(recorder), what="the pair to need attention")
    status = held(recorder)
    assert status is not None and status.held == ("local" if side == "server" else "server")
    assert tree(kept) == {"sub": None, **FILES}

    engine.decide("pair", MassDelete.RESTORE)
    wait_for(
        lambda: tree(emptied) == tree(kept) == {"sub": None, **FILES} and recorder.idle(),
        what="the files restored",
    )
    assert recorder.last is not None and recorder.last.held is None


def test_over_nextcloud_polls_a_folder_emptied_is_not_the_pair_emptied(
    nextcloud_server,
    nextcloud_pair,  # noqa: F811 - the fixture imported above
    local,
):
    """Polls plan only the folders whose ETag changed, with their records: a folder whose
    every file went is an ordinary delete; the whole server folder emptied is held back."""
    engine, recorder, found, root = nextcloud_pair
    for rel, data in {**FILES, "sub/d.txt": b"delta"}.items():
        (local / rel).parent.mkdir(parents=True, exist_ok=True)
        (local / rel).write_bytes(data)
    engine.start()
    synced = nextcloud_server.files_root / "Sync"
    wait_for(lambda: (synced / "sub/d.txt").exists() and recorder.idle(), what="the first sync")

    for rel in ("sub/c.txt", "sub/d.txt"):  # every file of one folder, by another client
        found.client.delete(root + rel)
    wait_for(
        lambda: not (local / "sub/c.txt").exists() and not (local / "sub/d.txt").exists(),
        what="the folder's files deleted here",
    )
    wait_for(recorder.idle, what="up to date")

    engine.pause("nc")  # all at once between two polls (see empty_between_looks)
    wait_for(lambda: recorder.last.state is PairState.PAUSED, what="the pair paused")
    for rel in ("a.txt", "b.txt", "sub"):
        found.client.delete(root + rel)
    engine.resume("nc")
    wait_for(lambda: held(recorder), what="the pair to need attention")
    assert recorder.last is not None and recorder.last.held == "local"
    assert tree(local) == {"a.txt": FILES["a.txt"], "b.txt": FILES["b.txt"], "sub": None}
    engine.decide("nc", MassDelete.RESTORE)
    wait_for(
        lambda: (synced / "b.txt").exists() and (synced / "a.txt").exists() and recorder.idle(),
        what="the files restored",
    )
    assert (synced / "b.txt").read_bytes() == FILES["b.txt"] and (synced / "sub").is_dir()
