"""`davdesk find` and app.dav.search: a walk on Apache and wsgidav, one SEARCH on the fake
Nextcloud; the same names found either way."""

from __future__ import annotations

import json
import threading

import pytest

from app.__main__ import main
from app.dav import DavClient
from app.dav.search import NamePattern, find

TREE = {
    "Report 2024.pdf": b"r",
    "notes.txt": b"n",
    "Documents/report-draft.PDF": b"d",
    "Documents/budget.xlsx": b"b",
    "Documents/Old/REPORT final.pdf": b"f",
    "Documents/Old/100%_sure.txt": b"s",
    "Photos/beach.jpg": b"p",
}
EXPECTED_PDF = {"Report 2024.pdf", "Documents/report-draft.PDF", "Documents/Old/REPORT final.pdf"}


def test_pattern_matching_and_like():
    assert NamePattern("*.pdf").matches("Report.PDF")
    assert NamePattern("report").matches("my REPORT final.txt")  # no wildcards: contains
    assert not NamePattern("report?").matches("report")
    assert NamePattern("[ab]*").matches("Beach.jpg") and not NamePattern("[ab]*").matches("c")
    assert NamePattern("*.pdf").like() == "%.pdf"
    assert NamePattern("100%_").like() == "%100\\%\\_%"
    assert NamePattern("[ab]*.txt").like() == "%.txt"


def _cli(monkeypatch, capsys, user: str, password: str, *args: str) -> tuple[int, list, str]:
    monkeypatch.setenv("DAVDESK_PASSWORD", password)
    code = main(["find", "--user", user, "--json", *args])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_find_walks_plain_servers(dav_server, monkeypatch, capsys):
    for relpath, data in TREE.items():
        dav_server.make_file(relpath, data)
    code, lines, _ = _cli(
        monkeypatch, capsys, dav_server.user, dav_server.password, dav_server.url, "*.pdf"
    )
    assert code == 0
    assert {line["path"][len(dav_server.path) :] for line in lines} == EXPECTED_PDF
    assert all(line["name"] and "size" in line for line in lines)
    code, lines, _ = _cli(
        monkeypatch,
        capsys,
        dav_server.user,
        dav_server.password,
        dav_server.url_for("Documents/"),
        "old",
    )
    assert [line["path"][len(dav_server.path) :] for line in lines] == ["Documents/Old/"]
    code, lines, err = _cli(
        monkeypatch, capsys, dav_server.user, dav_server.password, dav_server.url, "nothing*"
    )
    assert code == 0 and lines == [] and "no names match" in err


def test_find_on_nextcloud_is_one_search_request(nextcloud_server, monkeypatch, capsys):
    for relpath, data in TREE.items():
        path = nextcloud_server.files_root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    nextcloud_server.clear_requests()
    code, lines, _ = _cli(
        monkeypatch, capsys, "alice", nextcloud_server.password, nextcloud_server.files_url, "*.pdf"
    )
    assert code == 0
    root = nextcloud_server.files_url.split("://", 1)[1].split("/", 1)[1]
    assert {line["path"].split(root, 1)[1] for line in lines} == EXPECTED_PDF
    assert all(line["fileid"] for line in lines)
    methods = [r.method for r in nextcloud_server.requests]
    assert methods.count("SEARCH") == 1 and "PROPFIND" not in methods  # no walk
    # Scoped: only what is below the folder.
    code, lines, _ = _cli(
        monkeypatch,
        capsys,
        "alice",
        nextcloud_server.password,
        nextcloud_server.files_url + "Documents/Old/",
        "%",
    )
    assert [line["name"] for line in lines] == ["100%_sure.txt"]


@pytest.mark.parametrize("count", [0, 3])
def test_a_walk_stops_when_told_and_at_its_bounds(wsgidav_server, count):
    for number in range(30):
        wsgidav_server.make_file(f"f{number}/x{number}.txt", b"x")
    with DavClient(
        wsgidav_server.url, user=wsgidav_server.user, password=wsgidav_server.password
    ) as client:
        stop = threading.Event()
        batches = []

        def on_found(batch):
            batches.append(batch)
            if len(batches) >= count:
                stop.set()

        summary = find(client, client.root, NamePattern("x*"), on_found, stop, workers=2)
        if count:
            assert summary.stopped == "cancelled" and summary.found < 30
        bounded = find(client, client.root, NamePattern("x*"), lambda b: None, max_folders=5)
        assert bounded.stopped == "the first 5 folders" and bounded.folders == 5
        limited = find(client, client.root, NamePattern("x*"), lambda b: None, max_results=4)
        assert limited.found == 4 and limited.stopped == "the first 4 found"
