"""One request per file where one is enough: what the CLI sends, counted from --verbose.

`--verbose` prints one line per HTTP request; these tests count them by method
on real servers, and check what a user would: each file's Outcome and the
server's state afterwards.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter

import pytest

from app.__main__ import main

#: A request line of --verbose; a 401 is the sign-in handshake, not a request for a file.
_REQUEST = re.compile(r'HTTP Request: ([A-Z]+) \S+ "HTTP/[\d.]+ (?!401)')
FEB_3_2001 = 981_158_400


@pytest.fixture
def run(dav_server, monkeypatch, capsys):
    """Run a davdesk command with --verbose --json; returns (exit, JSON lines, requests by
    method)."""
    monkeypatch.setenv("DAVDESK_PASSWORD", dav_server.password)

    def run_command(*args: str) -> tuple[int, list[dict], Counter[str]]:
        code = main([args[0], "--user", dav_server.user, "--json", "--verbose", *args[1:]])
        out, err = capsys.readouterr()
        return code, [json.loads(line) for line in out.splitlines()], Counter(_REQUEST.findall(err))

    return run_command


def test_rm_of_many_urls_lists_their_folder_once(run, dav_server):
    names = [f"f{i}.txt" for i in range(6)]
    for name in names:
        dav_server.make_file(f"box/{name}", b"x")
    urls = [dav_server.url_for(f"box/{name}") for name in names]
    code, lines, requests = run("rm", *urls, dav_server.url_for("box/missing.txt"))
    assert code == 1
    assert [(line["ok"], line["status"]) for line in lines if line.get("op")] == [(False, 404)] + [
        (True, 204)
    ] * 6
    # One listing of box/, one Depth 0 for the name it did not show, one DELETE per file.
    assert requests["PROPFIND"] == 2 and requests["DELETE"] == 6
    assert sorted(p.name for p in (dav_server.root / "box").iterdir()) == []


def test_stat_and_get_of_many_urls_list_their_folder_once(run, dav_server, tmp_path):
    for i in range(4):
        dav_server.make_file(f"docs/d{i}.txt", f"doc {i}".encode())
    urls = [dav_server.url_for(f"docs/d{i}.txt") for i in range(4)]
    code, lines, requests = run("stat", *urls)
    assert code == 0 and [line["name"] for line in lines] == [f"d{i}.txt" for i in range(4)]
    assert requests == {"PROPFIND": 1}

    code, lines, requests = run("get", *urls, str(tmp_path))
    assert code == 0
    assert requests["PROPFIND"] == 1 and requests["GET"] == 4
    assert [(tmp_path / f"d{i}.txt").read_bytes() for i in range(4)] == [
        f"doc {i}".encode() for i in range(4)
    ]


def test_stat_stops_at_the_first_that_is_not_there(run, dav_server):
    dav_server.make_file("a.txt", b"a")
    dav_server.make_file("c.txt", b"c")
    code, lines, _ = run(
        "stat",
        dav_server.url_for("a.txt"),
        dav_server.url_for("b.txt"),
        dav_server.url_for("c.txt"),
    )
    assert code == 1 and [line["name"] for line in lines] == ["a.txt"]


def _dated_files(folder, count: int) -> list[str]:
    folder.mkdir()
    for i in range(count):
        path = folder / f"u{i}.txt"
        path.write_bytes(b"up %d" % i)
        os.utime(path, (FEB_3_2001, FEB_3_2001))
    return [str(folder / f"u{i}.txt") for i in range(count)]


def test_put_sends_one_request_per_file_and_keep_mtime_adds_the_proppatch(
    run, dav_server, tmp_path
):
    dav_server.make_dir("in")
    code, lines, requests = run("put", *_dated_files(tmp_path / "a", 3), dav_server.url_for("in/"))
    assert code == 0 and all(line["ok"] for line in lines if line.get("op"))
    assert requests["PUT"] == 3 and requests["PROPPATCH"] == 0
    assert requests["PROPFIND"] <= 2  # the destination, looked at and listed once

    dav_server.make_dir("kept")
    code, _, requests = run(
        "put", "--keep-mtime", *_dated_files(tmp_path / "b", 3), dav_server.url_for("kept/")
    )
    assert code == 0 and requests["PUT"] == 3 and requests["PROPPATCH"] == 3
    code, lines, _ = run("stat", dav_server.url_for("kept/u0.txt"))
    assert code == 0 and lines[0]["size"] == len(b"up 0")
    assert [(dav_server.root / "kept" / f"u{i}.txt").read_bytes() for i in range(3)] == [
        b"up %d" % i for i in range(3)
    ]
