"""A watched pair against wsgidav and Apache: both sides kept in step with nobody pressing a key."""

from __future__ import annotations

import os
from pathlib import Path

from tests.sync.background.conftest import wait_for


def server_file(dav_server, rel: str) -> Path:
    return dav_server.root / rel


def test_local_create_edit_rename_and_delete_reach_the_server(dav_server, local, watch, recorder):
    watch(dav_server.url, dav_server.user, dav_server.password, local)
    wait_for(recorder.idle, what="the first full run")
    (local / "notes.txt").write_text("first")
    wait_for(
        lambda: (
            server_file(dav_server, "notes.txt").exists()
            and server_file(dav_server, "notes.txt").read_text() == "first"
        ),
        what="create",
    )
    (local / "notes.txt").write_text("second, longer")
    wait_for(
        lambda: server_file(dav_server, "notes.txt").read_text() == "second, longer", what="edit"
    )
    (local / "notes.txt").rename(local / "renamed.txt")
    wait_for(
        lambda: (
            server_file(dav_server, "renamed.txt").exists()
            and not server_file(dav_server, "notes.txt").exists()
        ),
        what="rename",
    )
    (local / "sub").mkdir()
    (local / "sub" / "deep.txt").write_text("deep")
    wait_for(lambda: server_file(dav_server, "sub/deep.txt").exists(), what="new folder")
    (local / "renamed.txt").unlink()
    wait_for(lambda: not server_file(dav_server, "renamed.txt").exists(), what="delete")
    assert server_file(dav_server, "renamed.txt").exists() is False
    assert server_file(dav_server, "sub/deep.txt").read_text() == "deep"
    assert all(r.ok for r in recorder.results), [
        o for r in recorder.results for o in r.outcomes if not o.ok
    ]


def test_editor_temp_files_are_never_uploaded(dav_server, local, watch, recorder):
    watch(dav_server.url, dav_server.user, dav_server.password, local)
    wait_for(recorder.idle)
    for name in (
        ".~lock.report.odt#",
        "~$report.docx",
        ".report.txt.swp",
        ".#report.txt",
        "report.txt~",
        "download.part",
    ):
        (local / name).write_text("temp")
    (local / "report.txt").write_text("real")
    wait_for(lambda: server_file(dav_server, "report.txt").exists())
    names = sorted(p.name for p in dav_server.root.iterdir() if p.name != ".DAV")  # Apache's
    assert names == ["report.txt"]


def test_a_change_by_another_client_arrives(dav_server, local, watch, recorder):
    dav_server.make_file("there.txt", b"v1")
    watch(dav_server.url, dav_server.user, dav_server.password, local)
    wait_for(lambda: (local / "there.txt").exists(), what="first download")
    with dav_server.client() as other:
        assert other.put(dav_server.url_for("there.txt"), content=b"v2 from bob").is_success
        assert other.put(dav_server.url_for("new.txt"), content=b"new").is_success
    wait_for(
        lambda: (
            (local / "there.txt").read_bytes() == b"v2 from bob" and (local / "new.txt").exists()
        ),
        what="the server's change",
    )
    with dav_server.client() as other:
        assert other.delete(dav_server.url_for("new.txt")).is_success
    wait_for(lambda: not (local / "new.txt").exists(), what="the server's delete")


def test_both_sides_edited_keep_both_versions(dav_server, local, watch, recorder):
    (local / "shared.txt").write_text("base")
    engine = watch(dav_server.url, dav_server.user, dav_server.password, local)
    wait_for(lambda: server_file(dav_server, "shared.txt").exists())
    wait_for(recorder.idle)
    engine.pause("pair")
    wait_for(lambda: recorder.last.state.value == "paused")
    (local / "shared.txt").write_text("local edit")
    with dav_server.client() as other:
        assert other.put(dav_server.url_for("shared.txt"), content=b"server edit").is_success
    engine.resume("pair")
    wait_for(lambda: recorder.conflicts, what="a conflict")
    [found] = recorder.conflicts
    [copy] = found.paths
    wait_for(recorder.idle)
    assert (local / "shared.txt").read_text() == "local edit"
    assert (local / copy).read_text() == "server edit"
    wait_for(lambda: server_file(dav_server, copy).exists())
    assert server_file(dav_server, "shared.txt").read_text() == "local edit"
    assert server_file(dav_server, copy).read_text() == "server edit"
    assert recorder.last.conflicts == 1 and "1 conflict" in recorder.last.text


def test_a_run_with_nothing_to_do_starts_no_job(dav_server, local, watch, recorder):
    (local / "a.txt").write_text("a")
    watch(dav_server.url, dav_server.user, dav_server.password, local)
    wait_for(lambda: recorder.idle() and server_file(dav_server, "a.txt").exists())
    runs = len(recorder.runs)
    os.utime(local, None)  # the folder touched, nothing in it changed
    (local / "scratch.swp").write_text("x")
    engine_polls = recorder.said  # several polls and full scans pass by
    wait_for(
        lambda: len([s for s in recorder.statuses if s.text == "looking for changes"]) >= 3,
        timeout=30,
    )
    assert engine_polls("up to date")
    assert len(recorder.runs) == runs
