"""DavClient against real servers (wsgidav and Apache mod_dav): every method, awkward names."""

from __future__ import annotations

import os
import threading
import time
import unicodedata

import httpx
import pytest

from app.dav import DavClient, Source, errors
from tests.servers.fault_proxy import FaultProxy

# Names that break clients: URL-special characters, both Unicode forms, edge whitespace and dots.
AWKWARD_NAMES = [
    "with space.txt",
    unicodedata.normalize("NFC", "café-nfc.txt"),
    unicodedata.normalize("NFD", "café-nfd.txt"),
    "100% sure.txt",
    "hash#tag.txt",
    "this&that.txt",
    "one+one.txt",
    "semi;colon.txt",
    " leading space.txt",
    "trailing dot.",
    "日本語.txt",
]


def test_options_reports_dav_classes_and_methods(client, base):
    info = client.options(base)
    assert {"1", "2"} <= info.dav_classes
    assert info.supports_locking
    assert {"PROPFIND", "PROPPATCH", "COPY", "MOVE", "DELETE", "LOCK"} <= info.allow


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_put_list_stat_get_round_trip(client, base, dav_server, local, name):
    data = f"content of {name}\n".encode()
    outcome = client.put(base + name, data)
    assert outcome.ok and outcome.status in (200, 201, 204)
    assert (dav_server.root / name).read_bytes() == data

    listing = client.listdir(base)
    assert [(r.name, r.is_dir, r.size) for r in listing] == [(name, False, len(data))]
    resource = client.stat(base + name)
    assert resource.path == base + name and resource.etag and resource.modified

    downloaded = local / "download.bin"
    got = client.get(base + name, downloaded)
    assert got.ok and downloaded.read_bytes() == data
    assert downloaded.stat().st_mtime == pytest.approx(resource.modified.timestamp(), abs=1)
    assert [p.name for p in local.iterdir()] == ["download.bin"]


def test_put_streams_a_file_with_progress(client, base, dav_server, local):
    source = local / "big.bin"
    source.write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    seen: list[tuple[int, int | None]] = []
    client.put(base + "big.bin", source, progress=lambda done, total: seen.append((done, total)))
    assert (dav_server.root / "big.bin").read_bytes() == source.read_bytes()
    assert seen[-1] == (source.stat().st_size, source.stat().st_size)


def test_get_that_fails_leaves_no_file(client, base, local):
    with pytest.raises(errors.NotFoundError):
        client.get(base + "missing.txt", local / "missing.txt")
    assert list(local.iterdir()) == []


def test_get_aborted_by_progress_callback_leaves_no_partial_file(client, base, dav_server, local):
    dav_server.make_file("big.bin", os.urandom(2 * 1024 * 1024))

    def abort(done: int, total: int | None) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        client.get(base + "big.bin", local / "big.bin", progress=abort)
    assert list(local.iterdir()) == []


def test_conditional_put_guards_against_lost_updates(client, base, dav_server):
    client.put(base + "doc.txt", b"v1")
    with pytest.raises(errors.PreconditionFailedError):
        client.put(base + "doc.txt", b"v2", if_none_match=True)
    with pytest.raises(errors.PreconditionFailedError):
        client.put(base + "doc.txt", b"v2", if_match='"not-the-etag"')
    assert (dav_server.root / "doc.txt").read_bytes() == b"v1"
    etag = client.stat(base + "doc.txt").etag
    assert client.put(base + "doc.txt", b"v2", if_match=etag).ok
    assert (dav_server.root / "doc.txt").read_bytes() == b"v2"


def test_mkcol_creates_and_refuses_an_existing_folder(client, base, dav_server):
    outcome = client.mkcol(base + "new folder/")
    assert outcome.ok and outcome.status == 201
    assert (dav_server.root / "new folder").is_dir()
    with pytest.raises(errors.MethodNotAllowedError):
        client.mkcol(base + "new folder/")
    with pytest.raises(errors.ConflictError):
        client.mkcol(base + "no parent/child/")


def test_collection_without_trailing_slash_is_found(client, base, dav_server):
    dav_server.make_file("folder/inner.txt", b"x")
    listing = client.listdir(base + "folder")
    assert [r.name for r in listing] == ["inner.txt"]
    assert client.stat(base + "folder").is_dir


def test_delete_file_and_folder(client, base, dav_server):
    dav_server.make_file("a b/c d.txt", b"x")
    dav_server.make_file("single.txt", b"x")
    [file_outcome] = client.delete(base + "single.txt")
    assert file_outcome.ok and file_outcome.status in (200, 204)
    [folder_outcome] = client.delete(base + "a b/")
    assert folder_outcome.ok
    assert list(dav_server.root.iterdir()) == []
    with pytest.raises(errors.NotFoundError):
        client.delete(base + "single.txt")


def test_delete_folder_with_locked_member_names_the_member(client, base, dav_server):
    dav_server.make_file("folder/locked.txt", b"keep me")
    dav_server.make_file("folder/free.txt", b"x")
    lock = client.lock(base + "folder/locked.txt")
    outcomes = client.delete(base + "folder/")

    by_path = {o.path: o for o in outcomes}
    member = by_path[base + "folder/locked.txt"]
    assert not member.ok and member.status == 423
    folder = by_path[base + "folder/"]
    assert not folder.ok
    assert (dav_server.root / "folder" / "locked.txt").read_bytes() == b"keep me"
    # Whatever the server did with the unlocked member, the Outcomes must say it truthfully:
    # wsgidav deletes it and answers 207 (unlisted members succeeded), Apache refuses the
    # whole DELETE with 424.
    assert base + "folder/free.txt" not in by_path
    free_kept = (dav_server.root / "folder" / "free.txt").exists()
    if free_kept:
        assert folder.status == 424 and "refused the whole delete" in folder.note
    else:
        assert folder.status == 207 and "not listed were deleted" in folder.note

    client.unlock(base + "folder/locked.txt", lock.token)
    assert all(o.ok for o in client.delete(base + "folder/"))
    assert not (dav_server.root / "folder").exists()


def test_lock_blocks_writes_without_the_token(client, base, dav_server):
    client.put(base + "doc.txt", b"v1")
    lock = client.lock(base + "doc.txt", owner="tester")
    assert lock.token
    with pytest.raises(errors.LockedError):
        client.put(base + "doc.txt", b"v2")
    assert client.put(base + "doc.txt", b"v3", lock_token=lock.token).ok
    assert client.unlock(base + "doc.txt", lock.token).ok
    assert client.put(base + "doc.txt", b"v4").ok
    assert (dav_server.root / "doc.txt").read_bytes() == b"v4"


@pytest.mark.parametrize("op", ["copy", "move"])
def test_copy_and_move_with_awkward_names(client, base, dav_server, op):
    dav_server.make_file("src & co/50% #1.txt", b"payload")
    method = getattr(client, op)
    [outcome] = method(base + "src & co/", base + "dst; é/")
    assert outcome.ok and outcome.status == 201
    assert outcome.destination == base + "dst; é/"
    assert (dav_server.root / "dst; é" / "50% #1.txt").read_bytes() == b"payload"
    assert (dav_server.root / "src & co").exists() == (op == "copy")


@pytest.mark.parametrize("op", ["copy", "move"])
def test_overwrite_false_onto_existing_gives_412(client, base, dav_server, op):
    dav_server.make_file("a.txt", b"new")
    dav_server.make_file("b.txt", b"old")
    with pytest.raises(errors.PreconditionFailedError) as raised:
        getattr(client, op)(base + "a.txt", base + "b.txt", overwrite=False)
    assert raised.value.status == 412
    assert (dav_server.root / "b.txt").read_bytes() == b"old"
    [outcome] = getattr(client, op)(base + "a.txt", base + "b.txt", overwrite=True)
    assert outcome.ok and outcome.status == 204
    assert (dav_server.root / "b.txt").read_bytes() == b"new"


def test_proppatch_sets_dead_properties_and_reports_refusals(client, base):
    client.put(base + "doc.txt", b"x")
    ok = client.proppatch(base + "doc.txt", {"{urn:davdesk-test}colour": "blue & <green>"})
    assert ok.ok and ok.source is Source.MULTISTATUS
    props = client.stat(base + "doc.txt", "allprop").props
    assert props["{urn:davdesk-test}colour"] == "blue & <green>"

    refused = client.proppatch(
        base + "doc.txt", {"{urn:davdesk-test}size": "L"}, remove=["{DAV:}getetag"]
    )
    assert not refused.ok and refused.status in (403, 409, 424)
    assert "{DAV:}getetag" in refused.note
    assert "{urn:davdesk-test}size" not in client.stat(base + "doc.txt", "allprop").props


def test_propfind_propname_and_named_properties(client, base, dav_server):
    client.put(base + "doc.txt", b"hello")
    names = client.stat(base + "doc.txt", "propname").props
    if dav_server.name == "wsgidav":
        # wsgidav 4 expects a non-standard <D:name/> and answers <D:propname/> with no propstat.
        assert names == {}
    else:
        assert {"{DAV:}getetag", "{DAV:}getcontentlength"} <= set(names)
        assert set(names.values()) == {""}
    named = client.stat(base + "doc.txt", ["{DAV:}getcontentlength"])
    assert named.size == 5


def test_wrong_password_is_an_authentication_error(dav_server, base):
    with (
        DavClient(dav_server.url, user=dav_server.user, password="wrong") as bad,
        pytest.raises(errors.AuthenticationError),
    ):
        bad.listdir(base)
    with DavClient(dav_server.url) as anonymous, pytest.raises(errors.AuthenticationError):
        anonymous.listdir(base)


def test_unreachable_server_is_a_connect_error():
    with DavClient("http://127.0.0.1:9/") as client, pytest.raises(errors.ConnectError):
        client.listdir("/")


def test_digest_auth_is_negotiated(tmp_path):
    from tests.servers import WsgiDavServer

    served = tmp_path / "served"
    served.mkdir()
    upload = tmp_path / "upload.txt"
    upload.write_bytes(b"abc")
    with (
        WsgiDavServer(served, auth="digest") as server,
        DavClient(server.url, user=server.user, password=server.password) as client,
    ):
        assert client.put("/digest.txt", upload).ok
        assert client.auth.scheme == "digest"
        assert [r.name for r in client.listdir("/")] == ["digest.txt"]
    assert (served / "digest.txt").read_bytes() == b"abc"


class _Counting(httpx.HTTPTransport):
    """httpx's own transport, noting each request that went out: method, auth scheme, status."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, str, int]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        scheme = request.headers.get("authorization", "").partition(" ")[0]
        self.sent.append((request.method, scheme, response.status_code))
        return response


def test_a_digest_challenge_is_answered_at_once(tmp_path):
    from tests.servers import WsgiDavServer

    counting = _Counting()
    with (
        WsgiDavServer(tmp_path, auth="digest") as server,
        DavClient(server.url, user=server.user, password=server.password, transport=counting) as c,
    ):
        assert c.listdir("/") == [] and c.listdir("/") == []
    assert counting.sent == [
        ("PROPFIND", "", 401),
        ("PROPFIND", "Digest", 207),
        ("PROPFIND", "Digest", 207),
    ]


def test_basic_sent_first_gives_way_to_a_digest_challenge(tmp_path):
    """basic_first is for servers known to take Basic; one that challenges for Digest gets it."""
    from tests.servers import WsgiDavServer

    counting = _Counting()
    with (
        WsgiDavServer(tmp_path, auth="digest") as server,
        DavClient(
            server.url,
            user=server.user,
            password=server.password,
            transport=counting,
            basic_first=True,
        ) as client,
    ):
        assert client.listdir("/") == [] and client.listdir("/") == []
        assert client.auth.scheme == "digest"
    assert counting.sent == [
        ("PROPFIND", "Basic", 401),
        ("PROPFIND", "Digest", 207),
        ("PROPFIND", "Digest", 207),
    ]


def test_basic_sent_first_with_a_wrong_password_is_refused_once(dav_server):
    counting = _Counting()
    with (
        DavClient(
            dav_server.url,
            user=dav_server.user,
            password="not the password",
            transport=counting,
            basic_first=True,
        ) as client,
        pytest.raises(errors.AuthenticationError),
    ):
        client.listdir("/")
    assert counting.sent == [("PROPFIND", "Basic", 401)]


def test_a_listing_waits_for_its_turn_to_parse_but_not_to_ask(base, dav_server):
    """With a turn held elsewhere, the PROPFIND is sent at once; its responses come only when
    the turn is free (threads listing many folders parse one at a time)."""
    for name in ("a.txt", "b c.txt"):
        dav_server.make_file(f"turn/{name}", b"x")
    turn = threading.Lock()
    listed: list[str] = []
    with (
        FaultProxy(dav_server.url, share=0.0) as proxy,
        DavClient(
            proxy.url_for(dav_server.url), user=dav_server.user, password=dav_server.password
        ) as client,
    ):
        with turn:
            reader = threading.Thread(
                target=lambda: listed.extend(
                    r.href for r in client.iter_propfind(base + "turn/", 1, turn=turn)
                )
            )
            reader.start()
            deadline = time.monotonic() + 10
            while not proxy.seen("PROPFIND") and time.monotonic() < deadline:
                time.sleep(0.01)
            assert proxy.seen("PROPFIND")  # asked without waiting for the turn
            time.sleep(0.2)
            assert listed == []  # but nothing parsed while the turn is taken
        reader.join(10)
    assert sorted(h.rstrip("/").rsplit("/", 1)[-1] for h in listed) == ["a.txt", "b c.txt", "turn"]
