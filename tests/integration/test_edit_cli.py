"""`davdesk edit` against Apache and wsgidav: saves reach the server; a changed server file
is a conflict that overwrites nothing and keeps the edited copy."""

from __future__ import annotations

import io
import json
import stat
import sys
from pathlib import Path

import pytest

from app.__main__ import main


def script(folder: Path, name: str, body: str) -> Path:
    """An executable shell script standing in for an editor or for xdg-open."""
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def edit(dav_server, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DAVDESK_PASSWORD", dav_server.password)
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("VISUAL", raising=False)

    def run(*args: str) -> tuple[int, list[dict], str]:
        code = main(["edit", "--user", dav_server.user, "--json", *args])
        out, err = capsys.readouterr()
        return code, [json.loads(line) for line in out.splitlines()], err

    return run


def test_every_save_is_uploaded_while_the_editor_runs_and_on_exit(
    edit, dav_server, tmp_path, monkeypatch
):
    served = dav_server.make_file("notes/todo.txt", b"milk\n")
    # The editor saves once, waits until that save is on the server, then saves again.
    editor = script(
        tmp_path,
        "editor",
        f"""
printf 'milk\\neggs\\n' > "$1"
i=0
while [ "$(cat '{served}')" != "$(printf 'milk\\neggs')" ]; do
  i=$((i+1)); [ $i -gt 600 ] && exit 3; sleep 0.05
done
printf 'milk\\neggs\\nbread\\n' > "$1"
""",
    )
    monkeypatch.setenv("EDITOR", str(editor))
    code, lines, err = edit(dav_server.url_for("notes/todo.txt"))
    assert code == 0, err
    assert served.read_bytes() == b"milk\neggs\nbread\n"
    assert [(line["op"], line["ok"]) for line in lines] == [
        ("get", True),
        ("put", True),
        ("put", True),
    ]


def test_opening_again_reuses_the_copy_while_the_etag_is_unchanged(
    edit, dav_server, tmp_path, monkeypatch
):
    dav_server.make_file("a.txt", b"one\n")
    monkeypatch.setenv("EDITOR", "true")
    code, lines, _ = edit(dav_server.url_for("a.txt"))
    assert code == 0 and [line["op"] for line in lines] == ["get"]
    code, lines, _ = edit(dav_server.url_for("a.txt"))
    assert code == 0 and lines == []  # nothing downloaded, nothing to upload


def test_a_file_changed_on_the_server_is_a_conflict_and_the_edit_is_kept(
    edit, dav_server, tmp_path, monkeypatch
):
    served = dav_server.make_file("report.txt", b"first draft\n")
    # Someone else saves the server's file (a longer body: every server's ETag changes), then
    # the editor saves.
    editor = script(
        tmp_path,
        "editor",
        f"""
printf 'their much longer version\\n' > '{served}'
printf 'my edit\\n' > "$1"
""",
    )
    monkeypatch.setenv("VISUAL", str(editor))
    code, lines, err = edit(dav_server.url_for("report.txt"))
    assert code == 1
    assert served.read_bytes() == b"their much longer version\n"
    conflict = lines[-1]
    assert conflict["op"] == "put" and conflict["class"] == "conflict" and conflict["status"] == 412
    kept = Path(err.split("kept at ")[-1].strip())
    assert kept.read_bytes() == b"my edit\n" and str(kept) in conflict["note"]


def test_open_uses_the_default_application(edit, dav_server, tmp_path, monkeypatch):
    served = dav_server.make_file("Docs/plan.md", b"# plan\n")
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    script(bin_folder, "xdg-open", 'printf "# plan\\n- ship it\\n" > "$1"\n')
    monkeypatch.setenv("PATH", f"{bin_folder}:/usr/bin:/bin")
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n"))
    code, lines, err = edit("--open", dav_server.url_for("Docs/plan.md"))
    assert code == 0, err
    assert served.read_bytes() == b"# plan\n- ship it\n"
    assert [line["op"] for line in lines] == ["get", "put"]


def test_an_editor_that_fails_uploads_nothing(edit, dav_server, tmp_path, monkeypatch):
    served = dav_server.make_file("a.txt", b"one\n")
    monkeypatch.setenv("EDITOR", str(script(tmp_path, "editor", 'echo two > "$1"; exit 4\n')))
    code, _, err = edit(dav_server.url_for("a.txt"))
    assert code == 1 and "status 4" in err
    assert served.read_bytes() == b"one\n"


def test_no_editor_is_a_usage_error(edit, dav_server, monkeypatch):
    dav_server.make_file("a.txt", b"one\n")
    monkeypatch.delenv("EDITOR", raising=False)
    code, _, err = edit(dav_server.url_for("a.txt"))
    assert code == 2 and "VISUAL or EDITOR" in err


def test_a_copy_the_index_lost_is_kept_beside_the_fresh_download(dav_server, tmp_path):
    from app.dav import DavClient
    from app.jobs.local_copies import LocalCopies, plan_open

    dav_server.make_file("a.txt", b"server\n")
    copies = LocalCopies(tmp_path / "cache")
    with DavClient(dav_server.url, user=dav_server.user, password=dav_server.password) as client:
        path = client.root + "a.txt"
        stray = copies.place(path)
        stray.parent.mkdir(parents=True)
        stray.write_bytes(b"edits nobody recorded\n")
        plan = plan_open(client, copies, path)
    assert plan.job is not None and plan.local == stray and not stray.exists()
    assert (stray.parent / "a (2).txt").read_bytes() == b"edits nobody recorded\n"
