"""A bulk upload's JSON answer made into Outcomes (members.batch_outcomes).

The whole round trip runs against the fake Nextcloud in
tests/integration/nextcloud/test_bulk_upload.py; these are the answers no
server gives on request.
"""

from __future__ import annotations

import json

import httpx
import pytest

from app.dav.bodies import Reply
from app.dav.members import batch_outcomes
from app.dav.outcome import Source

FILES = {
    "/a.txt": "/remote.php/dav/files/alice/a.txt",
    "/b.txt": "/remote.php/dav/files/alice/b.txt",
}


def reply(body: bytes) -> Reply:
    return Reply(200, "OK", httpx.Headers(), body, "http://nc.test/remote.php/dav/bulk")


def test_each_named_file_gets_its_outcome_and_a_bare_etag_its_quotes():
    answer = {
        "/a.txt": {"error": False, "etag": "6f1d2c3b4a596", "fileid": 7},
        "/b.txt": {"error": True, "message": "Computed md5 hash is incorrect."},
    }
    outcomes = batch_outcomes(reply(json.dumps(answer).encode()), FILES, 2)
    a, b = outcomes[FILES["/a.txt"]], outcomes[FILES["/b.txt"]]
    assert a.ok and a.etag == '"6f1d2c3b4a596"' and a.source is Source.JSON_BATCH
    assert a.note == "uploaded in a batch of 2"
    assert not b.ok and b.description == "Computed md5 hash is incorrect."
    assert b.error == "bulk-upload-failed" and b.note == "refused in a batch of 2"


@pytest.mark.parametrize("body", [b"", b"<html>busy</html>", b"[1, 2]", b'"text"'])
def test_an_answer_that_is_no_json_map_names_nothing(body: bytes):
    assert batch_outcomes(reply(body), FILES, 2) == {}


def test_entries_for_files_not_sent_or_not_maps_are_left_out():
    answer = {"/elsewhere.txt": {"error": False}, "/a.txt": "done", "/b.txt": {"error": False}}
    outcomes = batch_outcomes(reply(json.dumps(answer).encode()), FILES, 2)
    assert list(outcomes) == [FILES["/b.txt"]]
    assert outcomes[FILES["/b.txt"]].ok and outcomes[FILES["/b.txt"]].etag is None
