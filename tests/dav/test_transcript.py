"""The transcript's bookkeeping and redaction, without a network.

With one: tests/integration.
"""

from __future__ import annotations

import gzip

import httpx

from app.dav.transcript import (
    REDACTED,
    Exchange,
    Transcript,
    pretty_body,
    redact_body,
    redact_headers,
)


def test_credentials_are_redacted_from_headers():
    headers = redact_headers(
        [
            ("Authorization", "Basic c2VjcmV0"),
            ("Cookie", "nc_session=abc"),
            ("Set-Cookie", "oc_token=xyz"),
            ("Depth", "1"),
        ]
    )
    assert headers == (
        ("Authorization", REDACTED),
        ("Cookie", REDACTED),
        ("Set-Cookie", REDACTED),
        ("Depth", "1"),
    )


def test_password_elements_are_blanked_in_bodies():
    body = (
        b"<ocs><data><apppassword>Tq9-secret</apppassword><d:password>x</d:password></data></ocs>"
    )
    assert b"secret" not in redact_body(body) and redact_body(body).count(REDACTED.encode()) == 2


def test_pretty_body_indents_xml_and_survives_broken_or_compressed_bodies():
    xml = (
        b'<d:multistatus xmlns:d="DAV:"><d:response><d:href>/a</d:href></d:response>'
        b"</d:multistatus>"
    )
    assert "\n  <d:response>\n" in pretty_body(xml, ())
    assert pretty_body(b"<d:multistatus><oops", ()) == "<d:multistatus><oops"
    assert "<d:href>/a</d:href>" in pretty_body(gzip.compress(xml), (("Content-Encoding", "gzip"),))
    assert pretty_body(b"\xff\xfe not utf-8", ()) == "\ufffd\ufffd not utf-8"


def test_an_entity_in_a_body_is_not_expanded_when_pretty_printed(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me")
    body = (f'<!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]><x>&e;</x>').encode()
    assert "do not read me" not in pretty_body(body, ())


def test_the_url_never_carries_user_info():
    transcript = Transcript()
    request = httpx.Request("GET", "https://alice:pw@dav.example.com/a%20b")
    recording = transcript.begin(request)
    transcript.failed(recording, ConnectionError("refused"))
    [line] = transcript.lines()
    assert line.url == "https://dav.example.com/a%20b" and "pw" not in line.line()


def test_since_returns_only_new_lines_and_counts_dropped_ones():
    transcript = Transcript(keep_lines=3)
    for number in range(5):
        transcript.failed(transcript.begin(httpx.Request("GET", f"http://h/{number}")), OSError())
    lines, count = transcript.since(0)
    assert [line.url for line in lines] == ["http://h/2", "http://h/3", "http://h/4"]
    assert count == 5 and transcript.dropped == 2
    transcript.failed(transcript.begin(httpx.Request("GET", "http://h/5")), OSError())
    lines, count = transcript.since(count)
    assert [line.url for line in lines] == ["http://h/5"] and count == 6
    assert transcript.since(count) == ([], 6)


def test_capture_collects_this_threads_exchanges_and_nests():
    transcript = Transcript()
    with transcript.capture() as outer:
        transcript.failed(transcript.begin(httpx.Request("GET", "http://h/1")), OSError())
        with transcript.capture() as inner:
            transcript.failed(transcript.begin(httpx.Request("GET", "http://h/2")), OSError())
    assert [e.url for e in inner] == ["http://h/2"]
    assert [e.url for e in outer] == ["http://h/1", "http://h/2"]


def test_a_slim_exchange_says_its_details_were_not_kept():
    exchange = Exchange(
        1,
        0.0,
        "PUT",
        "http://h/a",
        "HTTP/1.1",
        201,
        "Created",
        0.012,
        request_headers=(("Depth", "0"),),
        response_body=b"<x/>",
    )
    assert exchange.full and "Depth: 0" in exchange.raw_text()
    slim = exchange.slim()
    assert not slim.full and slim.response_body is None
    assert (
        "PUT http://h/a HTTP/1.1" in slim.raw_text()
        and "kept only for failed tasks" in slim.raw_text()
    )
    assert "201 Created  12 ms" in exchange.line()
