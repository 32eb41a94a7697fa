"""`davdesk edit` on the fake Nextcloud: saves go up with If-Match on its quoted ETags, and
the file id stays; a file changed meanwhile is a conflict that keeps the edit."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from app.cli import main


def editor(folder: Path, body: str) -> str:
    path = folder / "editor"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_edit_on_nextcloud_keeps_the_file_id_and_makes_a_version(
    nextcloud_server, monkeypatch, capsys, tmp_path
):
    served = nextcloud_server.files_root / "notes.txt"
    served.write_bytes(b"one\n")
    monkeypatch.setenv("DAVDESK_PASSWORD", nextcloud_server.password)
    monkeypatch.setenv("EDITOR", editor(tmp_path, 'printf "one\\ntwo\\n" > "$1"\n'))
    url = nextcloud_server.files_url + "notes.txt"
    assert main(["stat", "--user", "alice", "--json", url]) == 0
    before = json.loads(capsys.readouterr().out)
    assert main(["edit", "--user", "alice", "--json", url]) == 0
    ops = [json.loads(line)["op"] for line in capsys.readouterr().out.splitlines()]
    assert ops == ["get", "put"] and served.read_bytes() == b"one\ntwo\n"
    assert main(["stat", "--user", "alice", "--json", url]) == 0
    after = json.loads(capsys.readouterr().out)
    assert after["fileid"] == before["fileid"] and after["etag"] != before["etag"]
    assert main(["versions", "ls", "--user", "alice", "--json", url]) == 0
    assert [json.loads(line)["size"] for line in capsys.readouterr().out.splitlines()] == [4]


def test_a_changed_nextcloud_file_is_a_conflict(nextcloud_server, monkeypatch, capsys, tmp_path):
    served = nextcloud_server.files_root / "plan.txt"
    served.write_bytes(b"plan\n")
    monkeypatch.setenv("DAVDESK_PASSWORD", nextcloud_server.password)
    monkeypatch.setenv(
        "EDITOR", editor(tmp_path, f'printf "theirs\\n" > "{served}"\nprintf "mine\\n" > "$1"\n')
    )
    assert main(["edit", "--user", "alice", "--json", nextcloud_server.files_url + "plan.txt"]) == 1
    out, err = capsys.readouterr()
    conflict = json.loads(out.splitlines()[-1])
    assert conflict["status"] == 412 and conflict["class"] == "conflict"
    assert served.read_bytes() == b"theirs\n"
    assert Path(err.split("kept at ")[-1].strip()).read_bytes() == b"mine\n"
