"""Deleting a local file for a sync (app/jobs/ops/delete_local.py): never sent twice blindly, a
file already gone is what shows an earlier attempt took effect, and a deleted file goes to the
desktop's trash (the test run's own: tests/conftest.py sets XDG_DATA_HOME), where it can be
restored from."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote

import pytest

from app.dav import DavClient, Outcome
from app.jobs.context import TaskContext
from app.jobs.model import Op, Task
from app.jobs.operations import DONE_EARLIER, already_done, execute, is_idempotent

CTX = TaskContext(progress=lambda done, total: None)


def trash() -> Path:
    """The home trash of the freedesktop trash spec, as the test run sets it."""
    return Path(os.environ["XDG_DATA_HOME"]) / "Trash"


def trashed(path: Path) -> bytes | None:
    """The bytes of the file the trash holds for this original path (its .trashinfo says it)."""
    info = trash() / "info"
    for entry in info.glob("*.trashinfo") if info.is_dir() else ():
        lines = entry.read_text(encoding="utf-8").splitlines()
        if f"Path={path}" in [f"Path={unquote(line[5:])}" for line in lines if line[:5] == "Path="]:
            return (trash() / "files" / entry.name.removesuffix(".trashinfo")).read_bytes()
    return None


def _task(path: Path) -> Task:
    seen = path.stat()
    return Task(
        Op.DELETE_LOCAL, "/x/" + path.name, local=path, size=seen.st_size, mtime=seen.st_mtime
    )


def test_a_local_delete_that_took_effect_is_seen_to_have(local):
    kept = local / "kept.txt"
    kept.write_bytes(b"as synced")
    task = _task(kept)

    assert not is_idempotent(task)  # a second unlink would fail: the file is gone
    with DavClient("http://127.0.0.1:9/") as nowhere:  # only the disk is looked at
        assert already_done(nowhere, task) is None
        [deleted] = execute(nowhere, task, CTX)
        [done] = already_done(nowhere, task)

    assert deleted.ok and not kept.exists()
    assert done.ok and done.note == DONE_EARLIER


def test_a_deleted_file_is_in_the_trash_with_its_bytes_and_where_it_was(local):
    doomed = local / "report 50% done.txt"
    doomed.write_bytes(b"the last version")
    with DavClient("http://127.0.0.1:9/") as nowhere:
        [deleted] = execute(nowhere, _task(doomed), CTX)
    assert deleted.ok and deleted.note == f"moved to the trash: {doomed}"
    assert not doomed.exists() and trashed(doomed) == b"the last version"


@pytest.fixture
def no_trash() -> Iterator[None]:
    """A home trash that cannot be made: its files folder is a file."""
    saved = trash().with_name("Trash.saved")
    if trash().exists():
        trash().rename(saved)
    trash().mkdir(parents=True)
    (trash() / "files").write_bytes(b"not a folder")
    yield
    shutil.rmtree(trash())
    if saved.exists():
        saved.rename(trash())


@pytest.mark.usefixtures("no_trash")
def test_a_file_that_cannot_go_to_the_trash_is_kept_and_says_why(local):
    kept = local / "kept.txt"
    kept.write_bytes(b"as synced")
    with DavClient("http://127.0.0.1:9/") as nowhere:
        [outcome] = execute(nowhere, _task(kept), CTX)
    assert not outcome.ok and outcome.reason == "not moved to the trash"
    assert "cannot move it to the trash" in (outcome.note or "") and "kept" in (outcome.note or "")
    assert kept.read_bytes() == b"as synced"


@pytest.fixture
def fresh_trash() -> Iterator[None]:
    """A home trash not made yet, as on a new account or a disk never trashed to."""
    saved = trash().with_name("Trash.saved")
    if trash().exists():
        trash().rename(saved)
    yield
    shutil.rmtree(trash(), ignore_errors=True)
    if saved.exists():
        saved.rename(trash())


@pytest.mark.usefixtures("fresh_trash")
def test_files_of_one_name_trashed_at_once_are_all_kept_in_the_trash(local):
    """A sync's workers delete at once: each file reaches the trash with its own bytes, under
    a name of its own, though the trash's folders are made by the first of them."""
    doomed = []
    for n in range(8):
        (local / f"d{n}").mkdir()
        (path := local / f"d{n}" / "same name.txt").write_bytes(f"version {n}".encode())
        doomed.append(path)
    start = threading.Barrier(len(doomed))

    def delete(path: Path) -> list[Outcome]:
        task = _task(path)
        with DavClient("http://127.0.0.1:9/") as nowhere:
            start.wait()
            return execute(nowhere, task, CTX)

    with ThreadPoolExecutor(len(doomed)) as pool:
        outcomes = [o for found in pool.map(delete, doomed) for o in found]
    assert [o.reason for o in outcomes] == ["deleted"] * len(doomed), outcomes
    assert [trashed(path) for path in doomed] == [f"version {n}".encode() for n in range(8)]
    assert len(list((trash() / "files").iterdir())) == len(doomed)
