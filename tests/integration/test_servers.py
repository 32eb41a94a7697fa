"""The test servers themselves: both must be real, isolated WebDAV servers.

Plain httpx and the standard library only: these tests check the fixtures,
not Davdesk's own protocol code.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import httpx
import pytest

from tests.servers import ApacheServer, WsgiDavServer, require_apache
from tests.servers.apache_server import htdigest_line, htpasswd_line

AWKWARD_NAMES = [
    "a %#&+; é.txt",
    unicodedata.normalize("NFD", "décomposé.txt"),
    "100% sure; #1 & +more.txt",
    "日本語 ünïcödé.txt",
]

LOCKINFO = b"""<?xml version="1.0" encoding="utf-8"?>
<D:lockinfo xmlns:D="DAV:">
  <D:lockscope><D:exclusive/></D:lockscope>
  <D:locktype><D:write/></D:locktype>
  <D:owner>davdesk tests</D:owner>
</D:lockinfo>"""


def propfind(client: httpx.Client, url: str, depth: str = "1") -> httpx.Response:
    return client.request("PROPFIND", url, headers={"Depth": depth})


def hrefs(response: httpx.Response) -> list[str]:
    """Decoded paths of the hrefs in a 207 body (trusted test servers only)."""
    assert response.status_code == 207, response.text
    tree = ET.fromstring(response.content)
    return [unquote(urlsplit(h.text or "").path) for h in tree.iter("{DAV:}href")]


def member_names(handle, response: httpx.Response) -> set[str]:
    """Names of the members listed by a Depth 1 PROPFIND of ``handle.url``."""
    return {p[len(handle.path) :].rstrip("/") for p in hrefs(response) if p != handle.path}


# -- the basics, on both servers -----------------------------------------


def test_options_shows_dav_class_1_and_2(dav_server):
    with dav_server.client() as client:
        response = client.options(dav_server.url)
    assert response.status_code == 200
    classes = {c.strip() for c in response.headers["DAV"].split(",")}
    assert {"1", "2"} <= classes


@pytest.mark.parametrize("method", ["GET", "PROPFIND", "PUT", "OPTIONS"])
def test_unauthenticated_request_gets_401(dav_server, method):
    with httpx.Client(timeout=30) as client:
        response = client.request(
            method, dav_server.url_for("x.txt"), headers={"Depth": "0"}, content=b"x"
        )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].lower().startswith("basic")
    assert not (dav_server.root / "x.txt").exists()


def test_wrong_password_gets_401(dav_server):
    with httpx.Client(auth=(dav_server.user, "not-the-password"), timeout=30) as c:
        assert propfind(c, dav_server.url, "0").status_code == 401


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_put_propfind_delete_awkward_name(dav_server, name):
    url = dav_server.url_for(name)
    assert "#" not in url.split("//", 1)[1] and " " not in url
    with dav_server.client() as client:
        put = client.put(url, content=b"awkward\n")
        assert put.status_code == 201, put.text
        assert (dav_server.root / name).read_bytes() == b"awkward\n"

        assert client.get(url).content == b"awkward\n"
        assert member_names(dav_server, propfind(client, dav_server.url)) == {name}
        assert hrefs(propfind(client, url, "0")) == [dav_server.path + name]

        delete = client.delete(url)
        assert delete.status_code == 204, delete.text
        assert not (dav_server.root / name).exists()
        assert member_names(dav_server, propfind(client, dav_server.url)) == set()
        assert client.get(url).status_code == 404


def test_awkward_folder_name(dav_server):
    folder = "sub dir %#&+; é"
    with dav_server.client() as client:
        assert client.request("MKCOL", dav_server.url_for(folder + "/")).status_code == 201
        put = client.put(dav_server.url_for(f"{folder}/a %#&+; é.txt"), content=b"1")
        assert put.status_code == 201
        listing = propfind(client, dav_server.url_for(folder + "/"))
        assert hrefs(listing) == [
            f"{dav_server.path}{folder}/",
            f"{dav_server.path}{folder}/a %#&+; é.txt",
        ]
    assert (dav_server.root / folder / "a %#&+; é.txt").read_bytes() == b"1"


def test_files_made_by_the_test_are_served_and_deletable(dav_server):
    dav_server.make_dir("seeded/inner")
    dav_server.make_file("seeded/inner/f.txt", b"seed")
    with dav_server.client() as client:
        assert client.get(dav_server.url_for("seeded/inner/f.txt")).content == b"seed"
        assert client.delete(dav_server.url_for("seeded/")).status_code == 204
    assert not (dav_server.root / "seeded").exists()


def test_lock_then_put_without_token_is_refused(dav_server):
    url = dav_server.url_for("locked.txt")
    with dav_server.client() as client:
        assert client.put(url, content=b"v1").status_code == 201
        lock = client.request(
            "LOCK",
            url,
            content=LOCKINFO,
            headers={
                "Depth": "0",
                "Timeout": "Second-600",
                "Content-Type": 'application/xml; charset="utf-8"',
            },
        )
        assert lock.status_code == 200, lock.text
        token = lock.headers["Lock-Token"]
        assert token.startswith("<") and token.endswith(">")

        assert client.put(url, content=b"v2").status_code == 423
        put = client.put(url, content=b"v3", headers={"If": f"({token})"})
        assert put.status_code in (200, 201, 204), put.text
        assert client.request("UNLOCK", url, headers={"Lock-Token": token}).status_code == 204
    assert (dav_server.root / "locked.txt").read_bytes() == b"v3"


def test_dead_property_round_trip(dav_server):
    url = dav_server.url_for("props.txt")
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<D:propertyupdate xmlns:D="DAV:" xmlns:z="urn:davdesk:test">
  <D:set><D:prop><z:note>h\xc3\xa9llo</z:note></D:prop></D:set>
</D:propertyupdate>"""
    with dav_server.client() as client:
        assert client.put(url, content=b"p").status_code == 201
        patch = client.request("PROPPATCH", url, content=body)
        assert patch.status_code == 207, patch.text
        assert "200" in ET.fromstring(patch.content).findtext(".//{DAV:}status")
        found = client.request(
            "PROPFIND",
            url,
            headers={"Depth": "0"},
            content=b'<D:propfind xmlns:D="DAV:" xmlns:z="urn:davdesk:test">'
            b"<D:prop><z:note/></D:prop></D:propfind>",
        )
        assert ET.fromstring(found.content).findtext(".//{urn:davdesk:test}note") == "héllo"


# -- isolation ------------------------------------------------------------

_seen: dict[str, list[tuple[str, Path]]] = {}


@pytest.mark.parametrize("round_", [1, 2])
def test_each_test_gets_a_fresh_empty_root(dav_server, round_):
    assert dav_server.url.endswith("/")
    assert list(dav_server.root.iterdir()) == []
    with dav_server.client() as client:
        assert member_names(dav_server, propfind(client, dav_server.url)) == set()
        assert client.put(dav_server.url_for("mine.txt"), content=b"x").status_code == 201
    assert (dav_server.root / "mine.txt").exists()
    earlier = _seen.setdefault(dav_server.name, [])
    for url, root in earlier:
        assert root != dav_server.root
        if dav_server.name == "apache":
            assert url != dav_server.url
            assert not root.exists(), "the earlier test's folder was not removed"
    earlier.append((dav_server.url, dav_server.root))


def test_handle_shape(dav_server):
    assert dav_server.name in ("wsgidav", "apache")
    assert dav_server.url.startswith("http://127.0.0.1:")
    assert (dav_server.user, dav_server.password) == ("alice", "wonderland-test")
    assert dav_server.root.is_dir()
    assert dav_server.url_for("a b/c#d") == dav_server.url + "a%20b/c%23d"
    if dav_server.name == "apache":
        assert dav_server.path.startswith("/t-")
        assert dav_server.error_log is not None and dav_server.error_log.exists()
    else:
        assert dav_server.path == "/"
        assert dav_server.error_log is None


# -- what each server does with a collection without its slash -------------


def test_apache_redirects_collection_without_slash(apache_server):
    with apache_server.client() as client:
        assert client.request("MKCOL", apache_server.url_for("sub dir/")).status_code == 201
        bare = apache_server.url_for("sub dir")
        for method in ("GET", "PROPFIND", "DELETE"):
            response = client.request(method, bare, headers={"Depth": "1"})
            assert response.status_code == 301, method
            assert response.headers["Location"] == bare + "/"
        assert (apache_server.root / "sub dir").is_dir()


def test_apache_refuses_depth_infinity(apache_server):
    with apache_server.client() as client:
        assert propfind(client, apache_server.url, "infinity").status_code == 403


def test_wsgidav_collection_without_slash(wsgidav_server):
    """wsgidav redirects a GET (relative Location) but answers PROPFIND."""
    with wsgidav_server.client() as client:
        assert client.request("MKCOL", wsgidav_server.url_for("sub dir")).status_code == 201
        bare = wsgidav_server.url_for("sub dir")
        get = client.get(bare)
        assert get.status_code == 301
        assert get.headers["Location"] == "/sub%20dir/"
        assert hrefs(propfind(client, bare, "0")) == ["/sub dir/"]


# -- the server classes on their own ----------------------------------------


def test_wsgidav_stop_then_restart_on_same_port(tmp_path):
    with WsgiDavServer(tmp_path) as first:
        port = first.port
        with httpx.Client(auth=(first.user, first.password)) as client:
            assert client.put(first.url + "keep.txt", content=b"k").status_code == 201
    assert not first.running
    with pytest.raises(httpx.ConnectError), httpx.Client() as client:
        client.get(first.url)
    with WsgiDavServer(tmp_path, port=port) as second:
        assert second.url == first.url
        with httpx.Client(auth=(second.user, second.password)) as client:
            assert client.get(second.url + "keep.txt").content == b"k"


@pytest.mark.apache
def test_apache_stop_then_restart_on_same_port():
    require_apache()
    first = ApacheServer()
    try:
        with httpx.Client(auth=(first.user, first.password)) as client:
            assert client.put(first.url + "keep.txt", content=b"k").status_code == 201
        first.stop()
        assert not first.running
        with pytest.raises(httpx.ConnectError), httpx.Client() as client:
            client.get(first.url)
        with ApacheServer(first.root, port=first.port) as second:
            assert second.url == first.url
            with httpx.Client(auth=(second.user, second.password)) as client:
                assert client.get(second.url + "keep.txt").content == b"k"
    finally:
        first.cleanup()
    assert not first.dir.exists()


@pytest.mark.parametrize("kind", ["wsgidav", pytest.param("apache", marks=pytest.mark.apache)])
def test_digest_auth(kind, tmp_path):
    if kind == "apache":
        require_apache()
        server = ApacheServer(auth="digest")
    else:
        server = WsgiDavServer(tmp_path, auth="digest")
    name = "a %#&+; é.txt"
    with server:
        url = server.url + quote(name, safe="")
        with httpx.Client(timeout=30) as anonymous:
            challenge = anonymous.get(server.url)
        assert challenge.status_code == 401
        assert challenge.headers["WWW-Authenticate"].lower().startswith("digest")
        with httpx.Client(auth=(server.user, server.password), timeout=30) as basic:
            assert basic.get(server.url).status_code == 401
        with httpx.Client(auth=httpx.DigestAuth(server.user, server.password)) as client:
            assert client.put(url, content=b"d").status_code == 201
            assert client.get(url).content == b"d"
            assert propfind(client, url, "0").status_code == 207
            assert client.delete(url).status_code == 204


@pytest.mark.apache
def test_apache_refuses_a_root_its_children_cannot_reach(tmp_path):
    require_apache()
    if os.geteuid() != 0:
        # Under CI a skipped test is a failing test: CI runs as root (see .ci/run).
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                "not root (CI=true: this test must run, as root, where Apache's "
                "children drop to www-data)",
                pytrace=False,
            )
        pytest.skip("only matters when Apache's children drop to www-data")
    with pytest.raises(PermissionError, match="not traversable"):
        ApacheServer(tmp_path / "root")  # pytest's tmp dirs are 0700


def test_password_file_formats():
    assert htpasswd_line("alice", "wonderland-test").startswith("alice:{SHA}")
    line = htdigest_line("alice", "realm", "pw")
    assert line == "alice:realm:" + hashlib.md5(b"alice:realm:pw").hexdigest() + "\n"
