"""LocalWatcher: which events count as changes, and what a lost event means."""

from __future__ import annotations

import os
from pathlib import Path

from watchdog.events import (
    DirModifiedEvent,
    EventsLostEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileMovedEvent,
    FileOpenedEvent,
)

from app.sync.background.watcher import LocalWatcher
from app.sync.ignore import IgnoreRules


def watcher(root: Path) -> tuple[LocalWatcher, list[int]]:
    woken: list[int] = []
    clock = iter(range(100, 1000))
    return LocalWatcher(
        root, IgnoreRules(["build/"]), lambda: woken.append(1), lambda: float(next(clock))
    ), woken


def test_changes_are_noted_relative_to_the_root_and_wake_the_pair(tmp_path):
    seen, woken = watcher(tmp_path)
    seen.dispatch(FileCreatedEvent(os.path.join(tmp_path, "a", "b.txt")))
    seen.dispatch(
        FileMovedEvent(os.path.join(tmp_path, "old.txt"), os.path.join(tmp_path, "sub", "new.txt"))
    )
    assert sorted(seen.waiting()) == ["a/b.txt", "old.txt", "sub/new.txt"]
    assert len(woken) == 2
    assert seen.take(older_than=100.0) == ["a/b.txt"]  # noted at 100; the move at 101
    assert sorted(seen.waiting()) == ["old.txt", "sub/new.txt"]


def test_reads_folder_mtimes_temp_files_and_ignored_folders_are_not_changes(tmp_path):
    seen, woken = watcher(tmp_path)
    for event in (
        FileOpenedEvent(os.path.join(tmp_path, "a.txt")),
        FileClosedNoWriteEvent(os.path.join(tmp_path, "a.txt")),
        DirModifiedEvent(os.path.join(tmp_path, "sub")),
        FileCreatedEvent(os.path.join(tmp_path, ".~lock.report.odt#")),
        FileCreatedEvent(os.path.join(tmp_path, "~$report.docx")),
        FileCreatedEvent(os.path.join(tmp_path, "build", "out.o")),
        FileCreatedEvent(str(tmp_path)),
        FileCreatedEvent("/elsewhere/x.txt"),
    ):
        seen.dispatch(event)
    assert seen.waiting() == [] and woken == []


def test_lost_events_are_said_once(tmp_path):
    seen, woken = watcher(tmp_path)
    seen.dispatch(EventsLostEvent(str(tmp_path), is_directory=True))
    assert woken == [1]
    assert seen.take_lost() is True
    assert seen.take_lost() is False
