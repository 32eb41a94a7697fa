"""The conflict question: both sides' sizes and dates, overwrite if newer or if different,
per file or for all; what the user chose is what happens on the server."""

from __future__ import annotations

import os
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.jobs.model import Conflict
from app.ui.conflict_question import ConflictQuestion
from tests.ui.results.test_pane import wait_for_jobs

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def local_files(tmp_path, server):
    """old.txt older than the server's, new.txt newer, same.txt the same size and date."""
    for name in ("old.txt", "new.txt", "same.txt"):
        server.make_file(name, b"server")
    now = time.time()
    for name, when in (
        ("old.txt", now - 86400),
        ("new.txt", now + 86400),
        ("same.txt", (server.root / "same.txt").stat().st_mtime),
    ):
        path = tmp_path / name
        path.write_bytes(b"mine, longer" if name != "same.txt" else b"server")
        os.utime(path, (when, when))
    return [tmp_path / n for n in ("old.txt", "new.txt", "same.txt")]


def answer_when_asked(qtbot, act) -> list[ConflictQuestion]:
    """Answer the question once it shows (it is modal: answered from the event loop)."""
    seen: list[ConflictQuestion] = []

    def find() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, ConflictQuestion) and widget.isVisible():
                seen.append(widget)
                act(widget)
                return
        QTimer.singleShot(20, find)

    QTimer.singleShot(20, find)
    return seen


def test_the_question_shows_both_sides_and_overwrite_if_newer_replaces_only_older(
    wsgidav_server, open_window, qtbot, tmp_path
):
    files = local_files(tmp_path, wsgidav_server)
    window = open_window(wsgidav_server)
    rows: list[list[str]] = []

    def newer_for_all(question: ConflictQuestion) -> None:
        for row in range(question.list.topLevelItemCount()):
            item = question.list.topLevelItem(row)
            rows.append([item.text(column) for column in range(3)])
        assert question.apply_all.isChecked()
        question.answer_buttons[Conflict.NEWER].click()

    seen = answer_when_asked(qtbot, newer_for_all)
    window.operations.upload(files, window.current_path)
    record = wait_for_jobs(qtbot, window, 1)
    assert seen
    by_name = {row[0]: row for row in rows}
    assert by_name["new.txt"][1].endswith("(newer)") and "12 B" in by_name["new.txt"][1]
    assert by_name["old.txt"][2].endswith("(newer)") and "6 B" in by_name["old.txt"][2]
    root = wsgidav_server.root
    assert (root / "new.txt").read_bytes() == b"mine, longer"  # newer: replaced
    assert (root / "old.txt").read_bytes() == b"server"  # older: skipped
    assert (root / "same.txt").read_bytes() == b"server"
    assert record.tally.done == 1 and record.tally.skipped == 2


def test_each_file_can_have_its_own_answer(wsgidav_server, open_window, qtbot, tmp_path):
    files = local_files(tmp_path, wsgidav_server)
    window = open_window(wsgidav_server)

    def one_by_one(question: ConflictQuestion) -> None:
        question.apply_all.setChecked(False)
        answers = {
            "old.txt": Conflict.OVERWRITE,
            "new.txt": Conflict.SKIP,
            "same.txt": Conflict.RENAME,
        }
        for _ in range(3):
            name = question.list.currentItem().text(0)
            question.answer_buttons[answers[name]].click()

    answer_when_asked(qtbot, one_by_one)
    window.operations.upload(files, window.current_path)
    wait_for_jobs(qtbot, window, 1)
    root = wsgidav_server.root
    assert (root / "old.txt").read_bytes() == b"mine, longer"
    assert (root / "new.txt").read_bytes() == b"server"
    assert (root / "same (2).txt").read_bytes() == b"server"


def test_the_default_from_the_preferences_asks_nothing(
    wsgidav_server, open_window, qtbot, tmp_path
):
    files = local_files(tmp_path, wsgidav_server)
    window = open_window(wsgidav_server)
    window.operations.default_conflict = Conflict.DIFFERENT
    window.operations.upload(files, window.current_path)
    record = wait_for_jobs(qtbot, window, 1)
    root = wsgidav_server.root
    assert (root / "old.txt").read_bytes() == b"mine, longer"
    assert (root / "new.txt").read_bytes() == b"mine, longer"
    assert (root / "same.txt").read_bytes() == b"server"
    assert record.tally.skipped == 1
