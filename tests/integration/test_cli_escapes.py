"""Names with control characters in the CLI's lines, against real servers: a newline in a
name must not split an Outcome's line, nor an escape sequence reach the terminal. The
lines escape them as `ls -b` does (as `ls` and `find` do); --json keeps every name exact."""

from __future__ import annotations

import json

import pytest

from app.__main__ import main

NEWLINE = "two\nlines.txt"
ESCAPE = "red\x1b[31m.txt"  # would turn the rest of the terminal red


@pytest.fixture
def davdesk(dav_server, tmp_path, monkeypatch, capsys):
    """Run a davdesk command in-process as the fixture user; returns (exit, stdout, stderr)."""
    monkeypatch.setenv("DAVDESK_PASSWORD", dav_server.password)
    monkeypatch.setenv("DAVDESK_CONFIG_HOME", str(tmp_path / "config-home"))

    def run(*args: str) -> tuple[int, str, str]:
        words = 2 if args[0] == "pair" else 1  # `pair add`: the options after the sub-command
        code = main([*args[:words], "--user", dav_server.user, *args[words:]])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_job_outcome_lines_escape_names_and_json_keeps_them(davdesk, dav_server):
    top = dav_server.path
    dav_server.make_file(NEWLINE, b"one")
    dav_server.make_file(ESCAPE, b"two")

    code, out, err = davdesk("mv", dav_server.url_for(NEWLINE), dav_server.url_for("bell\x07.txt"))
    assert (code, err) == (0, "")
    assert out == f"ok        Renamed {top}two\\nlines.txt → {top}bell\\a.txt\n"
    assert (dav_server.root / "bell\x07.txt").read_bytes() == b"one"

    code, out, _ = davdesk("rm", dav_server.url_for(ESCAPE), dav_server.url_for("gone\n.txt"))
    assert code == 1
    assert sorted(out.splitlines()) == [
        f"FAILED    Delete {top}gone\\n.txt: Not on the server (404 Not Found)",
        f"ok        Deleted {top}red\\033[31m.txt",
    ]
    assert not (dav_server.root / ESCAPE).exists()

    code, out, _ = davdesk("rm", "--json", dav_server.url_for("bell\x07.txt"))
    [line] = [json.loads(text) for text in out.splitlines()]
    assert code == 0 and line["ok"] and line["path"] == f"{top}bell\x07.txt"


def test_sync_lines_escape_the_names_it_will_not_sync(davdesk, dav_server, local):
    top = dav_server.path
    (local / NEWLINE).write_bytes(b"here")
    (local / ESCAPE).write_bytes(b"here")
    (local / "fine.txt").write_bytes(b"fine")
    dav_server.make_file("bell\x07.txt", b"there")

    code, out, err = davdesk("sync", str(local), dav_server.url, "--direction", "both")
    assert code == 1, err
    lines = out.splitlines()
    assert len(lines) == 5, out  # three refused, one planned and uploaded: a line each
    refused = sorted(line for line in lines if line.startswith("FAILED"))
    unsafe = "contains a control character"
    assert refused == [
        (
            f"FAILED    Download {top}bell\\a.txt: Refused (refused) – "
            f"not downloaded: unsafe name from server: 'bell\\x07.txt' {unsafe}"
        ),
        (
            f"FAILED    Upload {top}red\\033[31m.txt: Refused (refused) – "
            f"not uploaded: the name 'red\\x1b[31m.txt' {unsafe}"
        ),
        (
            f"FAILED    Upload {top}two\\nlines.txt: Refused (refused) – "
            f"not uploaded: the name 'two\\nlines.txt' {unsafe}"
        ),
    ]
    assert lines[3:] == [
        f"ok        Would upload {top}fine.txt – new",
        f"ok        Uploaded {top}fine.txt",
    ]
    assert (dav_server.root / "fine.txt").read_bytes() == b"fine"

    code, out, _ = davdesk("sync", "--json", str(local), dav_server.url, "--direction", "both")
    paths = {json.loads(text)["path"] for text in out.splitlines()}
    assert code == 1 and paths == {f"{top}{NEWLINE}", f"{top}{ESCAPE}", f"{top}bell\x07.txt"}


def test_an_error_naming_a_file_is_one_line(davdesk, dav_server, local):
    missing = local / "no\nsuch\x1b[2J.txt"
    code, out, err = davdesk("put", str(missing), dav_server.url)
    assert (code, out) == (2, "")
    assert err == f"davdesk: put: {local}/no\\nsuch\\033[2J.txt: no such file or folder\n"


def test_pair_list_escapes_the_pair_s_name_and_folders(davdesk, dav_server, tmp_path):
    local = tmp_path / "new\nfolder"
    local.mkdir()
    (dav_server.root / "docs").mkdir(exist_ok=True)
    code, out, err = davdesk(
        "pair", "add", str(local), dav_server.url_for("docs/"), "--direction", "both"
    )
    assert code == 0, err
    assert out.count("\n") == 1 and "new\\nfolder" in out
    code, out, _ = davdesk("pair", "list")
    first = out.splitlines()[0]
    assert code == 0
    code, out, _ = davdesk("pair", "list", "--json")
    [listed] = [json.loads(text) for text in out.splitlines()]
    assert (listed["name"], listed["local"]) == ("new\nfolder", str(local))
    assert first == f"new\\nfolder: {tmp_path}/new\\nfolder <-> {listed['url']} (both)"
