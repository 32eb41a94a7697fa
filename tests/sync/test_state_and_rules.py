"""The state database, ignore rules and names of app.sync."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from app.sync.ignore import Ignored, IgnoreRules
from app.sync.names import conflict_name, refused_by_server
from app.sync.state import Pending, Record, StateDB, state_file


def test_records_survive_reopening_and_forget_takes_a_folders_contents(tmp_path):
    path = tmp_path / "state.sqlite"
    with StateDB(path) as db:
        db.put_many(
            [
                ("f", Record(True, 0, 0, 0, None, None)),
                ("f/a", Record(False, 1, 2, 1, 2.0, "e")),
                ("fa", Record(False, 1, 2, 1, 2.0, None)),
            ]
        )
        db.start_pending([("fa", Pending(True, 1, 2, None))])
    with StateDB(path) as db:
        assert db.load()["f/a"] == Record(False, 1, 2, 1, 2.0, "e")
        assert db.load_pending() == {"fa": Pending(True, 1, 2, None)}
        db.forget(["f"], below=True)
        db.put_many([], settled=["fa"])
        assert set(db.load()) == {"fa"} and db.load_pending() == {}


def test_each_pair_has_its_own_database(tmp_path):
    one = state_file(tmp_path, Path("/a"), "http://h/x/")
    assert one != state_file(tmp_path, Path("/a"), "http://h/y/")
    assert one.parent == tmp_path / "sync"


def test_default_patterns_and_gitignore_semantics(tmp_path):
    (tmp_path / ".davdeskignore").write_text("*.log\n!keep.log\n/build/\n", encoding="utf-8")
    rules = IgnoreRules.for_folder(tmp_path, ["secret*"])
    for rel, is_dir in [
        (".DS_Store", False),
        ("sub/Thumbs.db", False),
        ("desktop.ini", False),
        ("x.part", False),
        ("~$doc.docx", False),
        ("a/b.log", False),
        ("build", True),
        ("secret.txt", False),
        (".x.txt.1234.davdesk-part", False),
    ]:
        assert rules.ignored(rel, is_dir), rel
    for rel, is_dir in [
        ("keep.log", False),
        ("sub/build", True),
        ("build", False),
        ("notes.txt", False),
    ]:
        assert not rules.ignored(rel, is_dir), rel


def test_default_patterns_match_any_case_as_the_platforms_do():
    rules = IgnoreRules()
    for rel in [
        "thumbs.db",
        "sub/THUMBS.DB",
        ".ds_store",
        "a/.DS_STORE",
        "Desktop.INI",
        "x.PART",
        "~$Report.DOCX",
        ".x.txt.1234.DAVDESK-PART",
    ]:
        assert rules.check(rel, False) is Ignored.JUNK, rel
    assert rules.check("photos.part", True) is Ignored.KEPT  # a folder may hold anything
    for rel in ["thumbs.db.txt", "my.ds_store.txt", "part", "a~$b"]:
        assert rules.check(rel, False) is None, rel


def test_the_users_patterns_override_the_defaults_and_keep_what_they_name():
    rules = IgnoreRules(["*.log", "!Thumbs.db", "build/"])
    assert rules.check("Thumbs.db", False) is None  # synced after all
    assert rules.check("thumbs.db", False) is Ignored.JUNK  # the negation is case-sensitive
    assert rules.check("a/b.log", False) is Ignored.KEPT
    assert rules.check("build", True) is Ignored.KEPT
    assert rules.check("notes.txt", False) is None


def test_conflict_names():
    when = datetime(2024, 5, 1, 9, 5)
    assert conflict_name("a.tar.gz", when) == "a.tar (conflict 2024-05-01 0905).gz"
    assert conflict_name(".bashrc", when) == ".bashrc (conflict 2024-05-01 0905)"
    assert (
        conflict_name("README", when, {"README (conflict 2024-05-01 0905)"})
        == "README (conflict 2024-05-01 0905 2)"
    )


def test_names_a_server_refuses():
    assert refused_by_server("ok name #1 & 50%.txt") is None
    assert refused_by_server("tab\there") == "contains a control character"
    assert refused_by_server("x" * 256) == "is longer than 255 bytes"
    assert refused_by_server("bad\udcff.txt") == "is not valid UTF-8"
