"""The fake Nextcloud's SEARCH (tests/servers/nextcloud/search.py), checked with raw httpx."""

from __future__ import annotations

import httpx

from tests.integration.nextcloud.test_fake_server import client, parse_multistatus

BODY = """<?xml version="1.0"?>
<d:searchrequest xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns" xmlns:ns="http://nextcloud.com/ns">
 <d:basicsearch>
  <d:select><d:prop><d:displayname/><oc:fileid/><d:getcontentlength/></d:prop></d:select>
  <d:from><d:scope><d:href>{scope}</d:href><d:depth>infinity</d:depth></d:scope></d:from>
  <d:where>{where}</d:where>
  <d:orderby><d:order><d:prop><d:displayname/></d:prop><d:ascending/></d:order></d:orderby>
  {limit}
 </d:basicsearch>
</d:searchrequest>"""
LIKE = "<d:like><d:prop><d:displayname/></d:prop><d:literal>{}</d:literal></d:like>"


def search(http: httpx.Client, server, scope: str, where: str, limit: str = "") -> httpx.Response:
    return http.request(
        "SEARCH",
        server.root_url + "remote.php/dav/",
        content=BODY.format(scope=scope, where=where, limit=limit).encode(),
        headers={"Content-Type": "text/xml"},
    )


def test_like_is_case_insensitive_scoped_and_pages_by_100_by_default(nextcloud_server):
    root = nextcloud_server.files_root
    (root / "Docs" / "Sub").mkdir(parents=True)
    (root / "Docs" / "Sub" / "Report.PDF").write_bytes(b"1")
    (root / "Docs" / "a_b.txt").write_bytes(b"2")
    (root / "Docs" / "axb.txt").write_bytes(b"3")
    (root / "outside.pdf").write_bytes(b"4")
    for number in range(120):
        (root / f"many{number:03}.log").write_bytes(b"")
    with client(nextcloud_server) as http:
        answer = search(http, nextcloud_server, "/files/alice/Docs", LIKE.format("%.pdf"))
        assert answer.status_code == 207
        found = parse_multistatus(answer.content)
        assert list(found) == ["/remote.php/dav/files/alice/Docs/Sub/Report.PDF"]
        assert found["/remote.php/dav/files/alice/Docs/Sub/Report.PDF"][
            "{http://owncloud.org/ns}fileid"
        ]
        escaped = search(http, nextcloud_server, "/files/alice/Docs", LIKE.format("a\\_b%"))
        assert [p.rsplit("/", 1)[1] for p in parse_multistatus(escaped.content)] == ["a_b.txt"]
        many = search(http, nextcloud_server, "/files/alice", LIKE.format("many%"))
        assert len(parse_multistatus(many.content)) == 100
        page = search(
            http,
            nextcloud_server,
            "/files/alice",
            LIKE.format("many%"),
            "<d:limit><d:nresults>50</d:nresults><ns:firstresult>100</ns:firstresult></d:limit>",
        )
        assert [p.rsplit("/", 1)[1] for p in parse_multistatus(page.content)] == [
            f"many{n}.log" for n in range(100, 120)
        ]


def test_bad_scopes_and_other_places_are_refused(nextcloud_server):
    (nextcloud_server.files_root / "file.txt").write_bytes(b"x")
    with client(nextcloud_server) as http:
        assert (
            search(http, nextcloud_server, "/files/alice/file.txt", LIKE.format("%")).status_code
            == 400
        )
        assert search(http, nextcloud_server, "/files/bob", LIKE.format("%")).status_code == 400
        elsewhere = http.request("SEARCH", nextcloud_server.files_url, content=b"<x/>")
        assert elsewhere.status_code == 501
