"""DavClient on answers no test server gives on request: hostile redirects, lies, broken bodies.

httpx.MockTransport stands in for the server only here, for the edge cases;
every feature also has an integration test against real servers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from app.dav import DavClient, errors
from app.dav.outcome import Source
from app.dav.retry import RetryPolicy

BASE = "https://dav.example.test/files/"


def client_for(handler: Callable[[httpx.Request], httpx.Response], **kwargs) -> DavClient:
    return DavClient(
        BASE, user="alice", password="pw", transport=httpx.MockTransport(handler), **kwargs
    )


def multistatus(*responses: str) -> httpx.Response:
    body = (
        '<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">'
        + "".join(responses)
        + "</d:multistatus>"
    )
    return httpx.Response(207, content=body.encode(), headers={"Content-Type": "application/xml"})


def test_put_sends_content_length_never_chunked_nor_expect(tmp_path: Path):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        request.read()
        return httpx.Response(201, headers={"ETag": '"abc"'})

    source = tmp_path / "f.bin"
    source.write_bytes(b"x" * 700_000)
    with client_for(handler) as client:
        client.auth._scheme = "basic"
        outcome = client.put("/files/f.bin", source)
    put = seen[-1]
    assert put.method == "PUT"
    assert put.headers["Content-Length"] == "700000"
    assert "Transfer-Encoding" not in put.headers and "Expect" not in put.headers
    assert put.content == source.read_bytes()
    assert outcome.ok and outcome.etag == '"abc"'


@pytest.mark.parametrize(
    "target", ["https://evil.example.test/files/x", "http://dav.example.test/files/x"]
)
def test_redirect_to_another_origin_is_refused(target: str):
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(f"{request.url.scheme}://{request.url.host}")
        return httpx.Response(301, headers={"Location": target})

    with client_for(handler) as client, pytest.raises(errors.UnsafeRedirectError):
        client.stat("/files/x")
    assert hosts == ["https://dav.example.test"]


def test_same_origin_redirect_is_followed_with_credentials():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/files/folder":
            return httpx.Response(301, headers={"Location": "/files/folder/"})
        return multistatus(
            "<d:response><d:href>/files/folder/</d:href><d:propstat><d:prop>"
            "<d:resourcetype><d:collection/></d:resourcetype></d:prop>"
            "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
        )

    with client_for(handler) as client:
        client.auth._scheme = "basic"
        assert client.stat("/files/folder").is_dir
    assert [r.url.path for r in seen] == ["/files/folder", "/files/folder/"]
    assert all(r.headers["Authorization"].startswith("Basic ") for r in seen)


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (httpx.ConnectError("refused"), errors.ConnectError),
        (httpx.ReadTimeout("slow"), errors.TimeoutError),
        (httpx.RemoteProtocolError("peer closed"), errors.ProtocolError),
        (httpx.ReadError("reset"), errors.ProtocolError),
    ],
)
def test_transport_errors_map_into_one_tree(raised: Exception, expected: type):
    def handler(request: httpx.Request) -> httpx.Response:
        raise raised

    with client_for(handler) as client, pytest.raises(expected) as caught:
        client.delete("/files/x")
    assert caught.value.retryable and isinstance(caught.value, errors.DavError)


@pytest.mark.parametrize(
    ("status", "expected", "retryable"),
    [
        (401, errors.AuthenticationError, False),
        (403, errors.ForbiddenError, False),
        (404, errors.NotFoundError, False),
        (409, errors.ConflictError, False),
        (412, errors.PreconditionFailedError, False),
        (423, errors.LockedError, False),  # a bare 423 (Apache's for a WebDAV lock): someone's
        (429, errors.RetryableStatusError, True),
        (500, errors.RetryableStatusError, True),
        (501, errors.ServerError, False),
        (503, errors.RetryableStatusError, True),
        (507, errors.InsufficientStorageError, False),
    ],
)
def test_statuses_map_to_exception_classes(status: int, expected: type, retryable: bool):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers={"Retry-After": "7"})

    with client_for(handler) as client, pytest.raises(expected) as caught:
        client.mkcol("/files/new/")
    assert caught.value.status == status and caught.value.retryable is retryable
    assert caught.value.retry_after == 7


def test_nextclouds_transient_file_lock_is_retried_and_a_webdav_lock_is_not():
    """Nextcloud names its own short-lived lock (another request is writing the file) as a
    FileLocked exception: the PUT is sent again and succeeds."""
    answers = iter(
        [
            httpx.Response(423, content=FILE_LOCKED, headers={"Content-Type": "application/xml"}),
            httpx.Response(201),
        ]
    )
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.method)
        return next(answers)

    with client_for(handler) as client:
        assert RetryPolicy(base_delay=0).run(lambda: client.put("/files/a.txt", b"x")).ok
    assert sent == ["PUT", "PUT"]
    named = "OCA\\DAV\\Connector\\Sabre\\Exception\\FileLocked"
    assert errors.LockedError("PUT", "u", 423, server_exception=named).retryable
    # Our own token was handed over and still refused: the lock is not the server's passing one.
    assert not errors.LockedError(
        "PUT", "u", 423, server_exception=named, lock_submitted=True
    ).retryable


FILE_LOCKED = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<d:error xmlns:d="DAV:" '
    b'xmlns:s="http://sabredav.org/ns"><s:exception>OCA\\DAV\\Connector\\Sabre'
    b'\\Exception\\FileLocked</s:exception><s:message>"a.txt" is locked, existing '
    b"lock on file: exclusive</s:message></d:error>"
)


def test_bare_423_naming_a_member_becomes_member_outcomes():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            423,
            content=b'<?xml version="1.0"?><D:error xmlns:D="DAV:">'
            b"<D:lock-token-submitted><D:href>/files/dir/lo%20cked.txt</D:href>"
            b"</D:lock-token-submitted></D:error>",
            headers={"Content-Type": "application/xml"},
        )

    with client_for(handler) as client:
        member, folder = client.delete("/files/dir/")
    assert (member.path, member.status, member.error) == (
        "/files/dir/lo cked.txt",
        423,
        "lock-token-submitted",
    )
    assert folder.path == "/files/dir/" and not folder.ok and not member.ok


def test_207_lists_only_failed_members_and_the_rest_succeeded():
    def handler(request: httpx.Request) -> httpx.Response:
        return multistatus(
            "<d:response><d:href>https://dav.example.test/files/dir/a%23b.txt</d:href>"
            "<d:status>HTTP/1.1 423 Locked</d:status>"
            "<d:error><d:lock-token-submitted/></d:error>"
            "<d:responsedescription>held by bob</d:responsedescription></d:response>"
        )

    with client_for(handler) as client:
        member, folder = client.delete("/files/dir/")
    assert (member.path, member.status, member.reason, member.description) == (
        "/files/dir/a#b.txt",
        423,
        "Locked",
        "held by bob",
    )
    assert member.source is Source.MULTISTATUS and member.error == "lock-token-submitted"
    assert folder.status == 207 and not folder.ok
    assert "not listed were deleted" in folder.note


def test_collection_delete_that_removed_nothing_is_not_reported_ok():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return httpx.Response(204)
        return multistatus(
            "<d:response><d:href>/files/dir/</d:href><d:propstat><d:prop>"
            "<d:resourcetype><d:collection/></d:resourcetype></d:prop>"
            "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
        )

    with client_for(handler) as client:
        [outcome] = client.delete("/files/dir/")
    assert not outcome.ok and outcome.status == 204
    assert "still there" in outcome.note


def test_truncated_download_raises_and_leaves_nothing(tmp_path: Path):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"x" * 50, headers={"Content-Length": "100"})

    with client_for(handler) as client, pytest.raises(errors.ProtocolError, match="50 of 100"):
        client.get("/files/f.bin", tmp_path / "f.bin")
    assert list(tmp_path.iterdir()) == []


def test_broken_listing_body_is_a_multistatus_error_with_position():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            207,
            content=b'<?xml version="1.0"?>\n<d:multistatus xmlns:d="DAV:">\n'
            b"<d:response><d:href>/files/</d:href></d:multistatus>",
            headers={"Content-Type": "application/xml"},
        )

    with client_for(handler) as client, pytest.raises(errors.MultiStatusError) as caught:
        client.listdir("/files/")
    assert caught.value.line == 3


def test_weak_etag_guard_compares_before_writing():
    puts: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            puts.append(request)
            return httpx.Response(204)
        return multistatus(
            "<d:response><d:href>/files/f</d:href><d:propstat><d:prop>"
            '<d:getetag>W/"2-new"</d:getetag></d:prop>'
            "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
        )

    with client_for(handler) as client:
        with pytest.raises(errors.PreconditionFailedError, match="changed on the server"):
            client.put("/files/f", b"data", if_match='W/"2-old"')
        assert puts == []
        assert client.put("/files/f", b"data", if_match='W/"2-new"').ok
    assert "If-Match" not in puts[0].headers


def test_non_http_base_url_is_refused():
    with pytest.raises(errors.DavError, match="not an http"):
        DavClient("ftp://example.test/")


def test_a_closed_client_raises_an_error_of_its_own_tree():
    """A job still ending after its window closed the connection fails in the tree's terms."""
    client = DavClient("https://dav.example.test/files/")
    client.close()
    with pytest.raises(errors.ClosedError, match="closed"):
        client.stat("/files/a.txt")
