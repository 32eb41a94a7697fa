"""`davdesk` commands end to end against real servers: output, server state, exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from urllib.parse import quote, urlsplit

import pytest

from app.__main__ import main
from app.jobs.report import read_report

NFD_NAME = unicodedata.normalize("NFD", "résumé 50% #1 & co+; .txt")
ODD_NAMES = [
    "plain.txt",
    " leading.txt",
    "trailing.",
    NFD_NAME,
    unicodedata.normalize("NFC", "naïve.txt"),
]


@pytest.fixture
def run(dav_server, monkeypatch, capsys):
    """Run a davdesk command in-process as the fixture user; returns (exit, json lines, stderr)."""
    monkeypatch.setenv("DAVDESK_PASSWORD", dav_server.password)

    def run_command(*args: str, as_json: bool = True) -> tuple[int, list, str]:
        argv = [args[0], "--user", dav_server.user, *(["--json"] if as_json else []), *args[1:]]
        code = main(argv)
        out, err = capsys.readouterr()
        lines = [json.loads(line) for line in out.splitlines()] if as_json else out
        return code, lines, err

    return run_command


def url(dav_server, relpath: str) -> str:
    return dav_server.url_for(relpath)


def test_ls_lists_entries_as_json(run, dav_server):
    for name in ODD_NAMES:
        dav_server.make_file(name, name.encode())
    dav_server.make_dir("sub folder")
    code, lines, _ = run("ls", dav_server.url)
    assert code == 0
    by_name = {line["name"]: line for line in lines}
    assert set(by_name) == {*ODD_NAMES, "sub folder"}
    assert by_name["sub folder"]["is_dir"] is True
    entry = by_name[NFD_NAME]
    assert entry["size"] == len(NFD_NAME.encode()) and entry["etag"]
    assert entry["path"].endswith(NFD_NAME) and entry["modified"][4] == "-"
    assert set(entry) == {"name", "path", "is_dir", "size", "modified", "etag", "content_type"}


def test_ls_human_output_and_stat(run, dav_server):
    dav_server.make_file("a b.txt", b"12345")
    code, out, _ = run("ls", dav_server.url, as_json=False)
    assert code == 0 and "a b.txt" in out and "5 B" in out
    code, [entry], _ = run("stat", url(dav_server, "a b.txt"))
    assert code == 0 and entry["size"] == 5 and entry["name"] == "a b.txt"


def test_ls_lines_escape_control_characters_as_ls_b_does(run, dav_server):
    """A newline in a name must not split its line, nor an escape sequence reach the
    terminal: ls -b's escapes, whether stdout is a terminal or a pipe; --json keeps them."""
    names = {
        "two\nlines.txt": "two\\nlines.txt",
        "tab\tcr\r.txt": "tab\\tcr\\r.txt",
        "red\x1b[31m.txt": "red\\033[31m.txt",
        "back\\slash.txt": "back\\\\slash.txt",
        "a b.txt": "a b.txt",
    }
    for name in names:
        dav_server.make_file(name, b"x")
    dav_server.make_dir("new\nfolder")
    code, out, _ = run("ls", dav_server.url, as_json=False)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(names) + 1
    shown = sorted(line.split("  ")[-1] for line in lines)
    assert shown == sorted([*names.values(), "new\\nfolder/"])
    code, entries, _ = run("ls", dav_server.url)
    assert sorted(entry["name"] for entry in entries) == sorted([*names, "new\nfolder"])


def test_mkdir_with_parents_and_rm(run, dav_server):
    code, lines, _ = run("mkdir", "--parents", url(dav_server, "x #1/y & z/"))
    assert code == 0 and all(line["ok"] and line["op"] == "mkcol" for line in lines)
    assert [line["path"][len(dav_server.path) :] for line in lines[-2:]] == ["x #1/", "x #1/y & z/"]
    assert (dav_server.root / "x #1" / "y & z").is_dir()
    code, lines, _ = run("mkdir", url(dav_server, "x #1/"))
    assert code == 1 and lines[0]["status"] == 405 and lines[0]["ok"] is False
    code, lines, _ = run("rm", url(dav_server, "x #1"))
    assert code == 0 and lines[-1]["ok"] and lines[-1]["op"] == "delete"
    assert not (dav_server.root / "x #1").exists()


def test_rm_missing_reports_404_and_exits_1(run, dav_server):
    dav_server.make_file("here.txt", b"x")
    code, lines, _ = run("rm", url(dav_server, "gone.txt"), url(dav_server, "here.txt"))
    assert code == 1
    assert [(line["status"], line["ok"]) for line in lines] == [(404, False), (204, True)]
    assert set(lines[0]) >= {
        "op",
        "path",
        "status",
        "reason",
        "ok",
        "error",
        "description",
        "source",
    }
    assert lines[0]["source"] == "response"


def test_rm_folder_with_locked_member_reports_the_member(run, dav_server):
    dav_server.make_file("folder/locked.txt", b"keep")
    with dav_server.client() as http:
        response = http.request(
            "LOCK",
            url(dav_server, "folder/locked.txt"),
            headers={"Depth": "0", "Content-Type": "application/xml"},
            content=b'<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/>'
            b"</D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>",
        )
        assert response.status_code == 200, response.text
    code, lines, _ = run("rm", url(dav_server, "folder/"))
    assert code == 1
    member = next(line for line in lines if line["path"].endswith("/folder/locked.txt"))
    assert member["status"] == 423 and member["ok"] is False
    assert (dav_server.root / "folder" / "locked.txt").read_bytes() == b"keep"


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_report_holds_every_outcome_printed(run, dav_server, tmp_path, suffix):
    dav_server.make_file("here.txt", b"x")
    dav_server.make_file('odd, "quoted" ü.txt', b"x")
    report = tmp_path / f"report.{suffix}"
    code, lines, _ = run(
        "rm",
        "--report",
        str(report),
        url(dav_server, "gone.txt"),
        url(dav_server, "here.txt"),
        url(dav_server, 'odd, "quoted" ü.txt'),
    )
    assert code == 1
    rows = read_report(report)
    assert [(r["job"], r["path"], str(r["status"]), r["class"]) for r in rows] == [
        ("davdesk rm", line["path"], str(line["status"]), line["class"]) for line in lines
    ]
    assert len(rows) == 3 and rows[0]["reason"] == "Not Found"
    assert dav_server.password not in report.read_text(encoding="utf-8")


def test_report_needs_a_known_extension(run, dav_server, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run("rm", "--report", str(tmp_path / "report.txt"), url(dav_server, "x"))
    assert exit_info.value.code == 2
    assert "a report is .csv or .json" in capsys.readouterr().err


def test_put_and_get_folders_recursively(run, dav_server, tmp_path):
    source = tmp_path / "up load"
    (source / "deep #2" / "deeper").mkdir(parents=True)
    files = {
        "top.txt": b"top",
        f"deep #2/{NFD_NAME}": b"nfd",
        "deep #2/deeper/50%.bin": b"\0" * 1000,
    }
    for rel, data in files.items():
        (source / rel).write_bytes(data)
    code, lines, err = run("put", str(source), dav_server.url)
    assert code == 0, err
    assert sum(line["op"] == "put" for line in lines) == 3 and all(line["ok"] for line in lines)
    for rel, data in files.items():
        assert (dav_server.root / "up load" / rel).read_bytes() == data

    target = tmp_path / "down"
    target.mkdir()
    code, lines, err = run("get", url(dav_server, "up load/"), str(target))
    assert code == 0, err
    for rel, data in files.items():
        assert (target / "up load" / rel).read_bytes() == data
    assert not list(target.rglob("*.davdesk-part"))


def test_put_single_file_to_exact_name_and_get_it_back(run, dav_server, tmp_path):
    source = tmp_path / "local.txt"
    source.write_bytes(b"hello")
    code, [line], _ = run("put", str(source), url(dav_server, "remote & name.txt"))
    assert code == 0 and line["path"].endswith("/remote & name.txt") and line["status"] == 201
    code, [line], _ = run("get", url(dav_server, "remote & name.txt"), str(tmp_path / "back.txt"))
    assert code == 0 and (tmp_path / "back.txt").read_bytes() == b"hello"


@pytest.mark.parametrize("command", ["cp", "mv"])
def test_cp_and_mv(run, dav_server, command):
    dav_server.make_file("a.txt", b"a")
    dav_server.make_file("b.txt", b"b")
    dav_server.make_dir("into")
    code, lines, _ = run(
        command, url(dav_server, "a.txt"), url(dav_server, "b.txt"), url(dav_server, "into/")
    )
    assert code == 0 and [line["status"] for line in lines] == [201, 201]
    assert (dav_server.root / "into" / "a.txt").read_bytes() == b"a"
    assert (dav_server.root / "a.txt").exists() == (command == "cp")


def test_cp_no_overwrite_gives_412(run, dav_server):
    dav_server.make_file("a.txt", b"new")
    dav_server.make_file("b.txt", b"old")
    code, [line], _ = run(
        "cp", "--no-overwrite", url(dav_server, "a.txt"), url(dav_server, "b.txt")
    )
    assert code == 1 and line["status"] == 412 and line["class"] == "conflict"
    assert (dav_server.root / "b.txt").read_bytes() == b"old"


def test_props_shows_live_and_dead_properties(run, dav_server):
    dav_server.make_file("doc.txt", b"x")
    with dav_server.client() as http:
        response = http.request(
            "PROPPATCH",
            url(dav_server, "doc.txt"),
            headers={"Content-Type": "application/xml"},
            content=b'<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:t="urn:t">'
            b"<D:set><D:prop><t:tag>red</t:tag></D:prop></D:set></D:propertyupdate>",
        )
        assert response.status_code == 207
    code, [line], _ = run("props", url(dav_server, "doc.txt"))
    assert code == 0
    assert line["props"]["{urn:t}tag"] == "red"
    assert "{DAV:}getetag" in line["props"] and "{DAV:}getlastmodified" in line["props"]


def test_password_never_taken_from_arguments_and_errors_are_one_line(dav_server, tmp_path):
    env = {**os.environ, "DAVDESK_PASSWORD": "wrong password"}
    result = subprocess.run(
        [sys.executable, "-m", "app", "ls", "--user", dav_server.user, dav_server.url],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "401" in result.stderr
    assert "Traceback" not in result.stderr and "wrong password" not in result.stderr

    env.pop("DAVDESK_PASSWORD")
    result = subprocess.run(
        [sys.executable, "-m", "app", "ls", "--user", dav_server.user, dav_server.url],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode == 2 and "DAVDESK_PASSWORD" in result.stderr


def test_connection_refused_exits_2_without_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "app", "ls", "http://127.0.0.1:9/"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "cannot connect" in result.stderr


def test_usage_errors_exit_2():
    result = subprocess.run(
        [sys.executable, "-m", "app", "ls", "ftp://example.invalid/"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "not an http(s) URL" in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "app", "frobnicate"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2


def test_quoted_url_and_user_in_url(dav_server, monkeypatch, capsys):
    dav_server.make_file("100% #1.txt", b"x")
    monkeypatch.setenv("DAVDESK_PASSWORD", dav_server.password)
    with_user = dav_server.url.replace("://", f"://{dav_server.user}@")
    code = main(["stat", "--json", with_user + quote("100% #1.txt")])
    out = capsys.readouterr().out
    assert code == 0 and json.loads(out)["name"] == "100% #1.txt"


def test_dry_run_describes_and_changes_nothing(run, dav_server, tmp_path):
    dav_server.make_file("old.txt", b"old")
    source = tmp_path / "new folder"
    source.mkdir()
    (source / "a.txt").write_bytes(b"a")
    code, lines, _ = run("put", "--dry-run", str(source), dav_server.url)
    assert code == 0
    assert {(line["reason"], line["source"]) for line in lines} == {
        ("would create", "dry-run"),
        ("would upload", "dry-run"),
    }
    code, lines, _ = run("rm", "--dry-run", url(dav_server, "old.txt"))
    assert code == 0 and [line["reason"] for line in lines] == ["would delete"]
    assert sorted(p.name for p in dav_server.root.iterdir()) == ["old.txt"]


def test_put_no_overwrite_is_a_conflict_and_skip_leaves_files_alone(run, dav_server, tmp_path):
    dav_server.make_file("same.txt", b"server")
    local = tmp_path / "same.txt"
    local.write_bytes(b"local")
    code, [line], _ = run("put", "-n", str(local), dav_server.url)
    assert code == 1 and line["status"] == 412 and line["class"] == "conflict"
    code, [line], _ = run("put", "--conflict", "skip", str(local), dav_server.url)
    assert code == 0 and line["reason"] == "skipped"
    assert (dav_server.root / "same.txt").read_bytes() == b"server"
    code, [line], _ = run("put", str(local), dav_server.url, "--workers", "2", "--limit-rate", "1M")
    assert code == 0 and line["ok"] and (dav_server.root / "same.txt").read_bytes() == b"local"


def test_get_into_existing_file_with_ask_keeps_the_local_file(run, dav_server, tmp_path):
    dav_server.make_file("doc.txt", b"remote")
    target = tmp_path / "here"
    target.mkdir()
    (target / "doc.txt").write_bytes(b"mine")
    code, [line], _ = run("get", "-n", url(dav_server, "doc.txt"), str(target))
    assert code == 1 and line["error"] == "target-exists" and line["class"] == "conflict"
    assert (target / "doc.txt").read_bytes() == b"mine"
    code, [line], _ = run("get", "--conflict", "rename", url(dav_server, "doc.txt"), str(target))
    assert code == 0 and (target / "doc (2).txt").read_bytes() == b"remote"


@pytest.mark.parametrize("bad", [["--workers", "0"], ["--workers", "17"], ["--limit-rate", "fast"]])
def test_bad_job_options_exit_2(bad):
    result = subprocess.run(
        [sys.executable, "-m", "app", "rm", *bad, "http://127.0.0.1:9/x"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_mv_renames_to_an_exact_name(run, dav_server):
    dav_server.make_file("before & after.txt", b"x")
    code, [line], _ = run("mv", url(dav_server, "before & after.txt"), url(dav_server, "é #2.txt"))
    assert code == 0 and line["status"] == 201
    assert sorted(p.name for p in dav_server.root.iterdir() if p.name != ".DAV") == ["é #2.txt"]


def test_human_lines_and_the_summary_speak_the_window_s_words(run, dav_server, tmp_path):
    """The same words as the results pane: the operation, the problem, then the status; a
    summary whose counts add up, skipped counted apart."""
    dav_server.make_file("taken.txt", b"server")
    for name in ("taken.txt", "new.txt"):
        (tmp_path / name).write_bytes(b"local")
    code, out, err = run(
        "put",
        "--conflict",
        "skip",
        str(tmp_path / "taken.txt"),
        str(tmp_path / "new.txt"),
        dav_server.url,
        as_json=False,
    )
    base = urlsplit(dav_server.url).path
    assert code == 0
    assert sorted(out.splitlines()) == sorted(
        [
            f"ok        Uploaded {base}new.txt",
            f"skipped   Skipped {base}taken.txt – exists on the server",
        ]
    )
    assert err == "davdesk put: 1 done · 1 skipped\n"
    code, out, err = run("put", "-n", str(tmp_path / "taken.txt"), dav_server.url, as_json=False)
    assert code == 1 and out.startswith(f"CONFLICT  Upload {base}taken.txt: ")
    assert "(412 Precondition Failed)" in out and err == "davdesk put: 0 done · 1 conflict\n"
