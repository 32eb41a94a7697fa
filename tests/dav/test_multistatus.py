"""app.dav.multistatus: RFC 4918 section 13 bodies as real servers send them.

The apache-* and wsgidav-* samples in tests/data/multistatus/ were captured
from Apache 2.4 mod_dav and wsgidav 4.4; the rfc4918-*, iis-*, sabredav-* and
generic-* ones are hand-written in the shapes those specs and servers use.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import time
import tracemalloc
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from app.dav.errors import MultiStatusError
from app.dav.multistatus import (
    RESPONSE_BYTES_LIMIT,
    MultiStatus,
    MultiStatusParser,
    PropStat,
    Response,
    iter_parse,
    parse,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "multistatus"
BASE = "http://127.0.0.1:8080/Projects/"
REPO = Path(__file__).resolve().parents[2]
D = "{DAV:}"

#: The odd names both servers were given, as the file system holds them.
ODD_NAMES = {
    "a b.txt",
    unicodedata.normalize("NFC", "café.txt"),
    unicodedata.normalize("NFD", "cafe\u0301 nfd.txt"),
    "100%.txt",
    "#hash.txt",
    "a&b.txt",
    "1+1=2.txt",
    "semi;colon.txt",
    " leading space.txt",
    "trailing dot.",
}


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def body(*responses: str, prefix: str = "d", tail: str = "") -> bytes:
    """A minimal multistatus around `responses`, DAV: bound to `prefix`."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f"xmlns:{prefix}" if prefix else "xmlns"
    inner = "".join(responses)
    return (
        f'<?xml version="1.0"?><{p}multistatus {xmlns}="DAV:">{inner}{tail}</{p}multistatus>'
    ).encode()


def one(text: str, **kwargs: str) -> Response:
    (response,) = parse(body(text, **kwargs), BASE).responses
    return response


def by_path(multistatus: MultiStatus) -> dict[str, Response]:
    return {r.href: r for r in multistatus.responses}


# -- listings from real servers ------------------------------------------------


@pytest.mark.parametrize("server", ["apache", "wsgidav"])
def test_listing_decodes_every_odd_name(server: str) -> None:
    listing = by_path(parse(sample(f"{server}-propfind-depth1-odd-names.xml"), BASE))
    names = {path.removeprefix("/Projects/") for path in listing}
    assert names == ODD_NAMES | {"", "locked/", "Ünïcødé folder/"}


def test_both_servers_name_the_same_paths_despite_different_escaping() -> None:
    apache = parse(sample("apache-propfind-depth1-odd-names.xml"), BASE)
    wsgidav = parse(sample("wsgidav-propfind-depth1-odd-names.xml"), BASE)
    assert {r.href for r in apache.responses} == {r.href for r in wsgidav.responses}


def test_nfc_and_nfd_names_stay_as_the_server_sent_them() -> None:
    paths = set(by_path(parse(sample("apache-propfind-depth1-odd-names.xml"), BASE)))
    assert "/Projects/caf\u00e9.txt" in paths  # NFC: precomposed é
    assert "/Projects/cafe\u0301 nfd.txt" in paths  # NFD: e + combining acute


def test_wsgidav_displayname_matches_the_decoded_href() -> None:
    for response in parse(sample("wsgidav-propfind-depth1-odd-names.xml"), BASE).responses:
        name = response.href.rstrip("/").rsplit("/", 1)[1]
        assert response.props()[f"{D}displayname"] == name


def test_apache_listing_properties() -> None:
    listing = by_path(parse(sample("apache-propfind-depth1-odd-names.xml"), BASE))
    folder, file = listing["/Projects/"], listing["/Projects/a b.txt"]
    assert folder.is_collection and listing["/Projects/Ünïcødé folder/"].is_collection
    assert not file.is_collection
    assert (file.status, file.reason) == (None, "")
    (propstat,) = file.propstats
    assert (propstat.status, propstat.reason, propstat.error) == (200, "OK", ())
    props = file.props()
    assert props[f"{D}getcontentlength"] == "1"
    assert props[f"{D}getcontenttype"] == "text/plain"
    assert props[f"{D}getetag"].startswith('W/"')
    assert props["{http://apache.org/dav/props/}executable"] == "F"
    assert props[f"{D}resourcetype"] == "" and props[f"{D}lockdiscovery"] == ""
    assert "collection" in folder.props()[f"{D}resourcetype"]
    entries = etree.fromstring(f"<wrapper>{props[f'{D}supportedlock']}</wrapper>")
    assert [e.tag for e in entries] == [f"{D}lockentry", f"{D}lockentry"]


def test_element_values_are_parseable_children() -> None:
    listing = by_path(parse(sample("apache-propfind-depth1-locked-member.xml"), BASE))
    value = listing["/Projects/locked/report.txt"].props()[f"{D}lockdiscovery"]
    (activelock,) = etree.fromstring(f"<wrapper>{value}</wrapper>")
    assert activelock.tag == f"{D}activelock"
    token = activelock.findtext(f"{D}locktoken/{D}href")
    assert token.startswith("opaquelocktoken:")
    assert listing["/Projects/locked/other.txt"].props()[f"{D}lockdiscovery"] == ""


def test_equal_element_values_are_shared_not_copied() -> None:
    responses = parse(sample("wsgidav-propfind-depth1-odd-names.xml"), BASE).responses
    locks = {id(r.props()[f"{D}supportedlock"]) for r in responses}
    assert len(locks) == 1


def test_wsgidav_propname_answer_without_propstat() -> None:
    # wsgidav 4.4 answers a propname PROPFIND with bare hrefs.
    text = (
        b'<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:response>'
        b"<D:href>/Projects/</D:href></D:response></D:multistatus>"
    )
    (response,) = parse(text, BASE).responses
    assert (response.href, response.status, response.propstats, response.props()) == (
        "/Projects/",
        None,
        (),
        {},
    )


def test_propname_values_are_empty_strings() -> None:
    response = one(
        "<d:response><d:href>/Projects/x</d:href><d:propstat><d:prop><d:getetag/>"
        "<d:supportedlock/></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
    )
    assert response.props() == {f"{D}getetag": "", f"{D}supportedlock": ""}


# -- the status form: failed members of DELETE, COPY, MOVE --------------------------


@pytest.mark.parametrize(
    "name", ["apache-delete-424-locked-member.xml", "wsgidav-delete-207-locked-member.xml"]
)
def test_locked_member_of_a_collection_delete(name: str) -> None:
    (response,) = parse(sample(name), BASE).responses
    assert response.hrefs == ("/Projects/locked/report.txt",)
    assert (response.status, response.reason) == (423, "Locked")
    assert response.propstats == () and response.error == ()


def test_lock_token_submitted_names_the_locked_resource() -> None:
    (response,) = parse(sample("rfc4918-delete-424-lock-token-submitted.xml"), BASE).responses
    assert (response.status, response.reason) == (423, "Locked")
    assert response.error == ("lock-token-submitted",)
    assert response.error_hrefs == ("/Projects/locked/report.txt",)
    assert response.description == "The resource is locked and no lock token was submitted."


def test_several_hrefs_share_one_status_and_location() -> None:
    multistatus = parse(sample("rfc4918-copy-207-several-hrefs-location.xml"), BASE)
    full, moved, elsewhere = multistatus.responses
    assert full.hrefs == ("/Projects/copy/a.txt", "/Projects/copy/b c.txt", "/Projects/copy/d.txt")
    assert full.href == "/Projects/copy/a.txt"
    assert (full.status, full.reason, full.location) == (507, "Insufficient Storage", None)
    assert (moved.status, moved.location) == (301, "/Projects/copy/moved/")
    assert (elsewhere.status, elsewhere.reason) == (302, "Found")
    assert elsewhere.location == "https://files.example.org/archive/elsewhere too/"


def test_error_conditions_outside_dav_use_clark_names() -> None:
    response = one(
        "<d:response><d:href>/Projects/x</d:href><d:status>HTTP/1.1 403 Forbidden</d:status>"
        "<d:error><d:no-conflicting-lock><d:href>/Projects/</d:href><d:href>/Projects/y</d:href>"
        '</d:no-conflicting-lock><q:quota-exceeded xmlns:q="urn:x-quota"/></d:error></d:response>'
    )
    assert response.error == ("no-conflicting-lock", "{urn:x-quota}quota-exceeded")
    assert response.error_hrefs == ("/Projects/", "/Projects/y")


# -- PROPPATCH ---------------------------------------------------------------


def test_proppatch_403_409_424() -> None:
    multistatus = parse(sample("rfc4918-proppatch-403-409-424.xml"), BASE)
    assert multistatus.description == "PROPPATCH of /Projects/bar.html failed as a whole."
    (response,) = multistatus.responses
    assert response.href == "/Projects/bar.html"
    assert response.description == "Copyright Owner cannot be deleted or altered."
    z = "{http://ns.example.com/standards/z39.50/}"
    assert [(p.status, p.reason, p.props, p.error, p.description) for p in response.propstats] == [
        (424, "Failed Dependency", {f"{z}Authors": ""}, (), None),
        (
            403,
            "Forbidden",
            {f"{D}getetag": ""},
            ("cannot-modify-protected-property",),
            "getetag is a protected property.",
        ),
        (409, "Conflict", {f"{z}Copyright-Owner": ""}, (f"{z}owner-is-read-only",), None),
    ]
    assert response.props() == {} and not response.is_collection


def test_apache_proppatch_placeholder_reason_and_trimmed_descriptions() -> None:
    (response,) = parse(sample("apache-proppatch-424-409.xml"), BASE).responses
    failed, refused = response.propstats
    assert (failed.status, failed.reason) == (424, "Failed Dependency")
    assert failed.props == {"{urn:x-davdesk:test}color": ""}
    assert failed.description == (
        "Attempted DAV:set operation could not be completed due to other errors."
    )
    assert (refused.status, refused.props, refused.description) == (
        409,
        {f"{D}getetag": ""},
        "Property is read-only.",
    )


def test_wsgidav_proppatch_with_top_level_description() -> None:
    multistatus = parse(sample("wsgidav-proppatch-424-403.xml"), BASE)
    assert multistatus.description == "403 Forbidden: Access denied to the specified resource"
    (response,) = multistatus.responses
    assert [(p.status, p.reason) for p in response.propstats] == [
        (424, "Failed Dependency"),
        (403, "Forbidden"),
    ]


# -- namespaces ----------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["D", "d", "", "lp1", "a", "ns0"])
def test_any_prefix_for_dav(prefix: str) -> None:
    p = f"{prefix}:" if prefix else ""
    response = one(
        f"<{p}response><{p}href>/Projects/a%20b</{p}href><{p}propstat><{p}prop>"
        f"<{p}resourcetype><{p}collection/></{p}resourcetype></{p}prop>"
        f"<{p}status>HTTP/1.1 200 OK</{p}status></{p}propstat></{p}response>",
        prefix=prefix,
    )
    assert (response.href, response.is_collection) == ("/Projects/a b", True)


def test_iis_a_prefix_absolute_hrefs_and_status_before_prop() -> None:
    listing = by_path(parse(sample("iis-propfind-depth1-a-prefix.xml"), BASE))
    assert set(listing) == {"/Projects/", "/Projects/a b.txt"}
    assert listing["/Projects/"].is_collection
    assert listing["/Projects/a b.txt"].props()[f"{D}getetag"] == '"0d1e2f3a4b5cdc1:0"'


def test_default_namespace_and_lookalikes_in_other_namespaces() -> None:
    multistatus = parse(sample("generic-propfind-default-namespace.xml"), BASE)
    assert multistatus.description == "Listing of /Projects/"
    (response,) = multistatus.responses  # the urn:x-lookalike response is not one
    assert response.href == "/Projects/Read me.md"  # pretty-printed href trimmed
    props = response.props()
    assert props[f"{D}getcontentlength"] == "120"
    assert props["{urn:x-not-dav}displayname"] == "not the DAV displayname"
    assert f"{D}displayname" not in props
    assert props["{urn:x-lookalike}response"] == "not a DAV response"


def test_sync_collection_report() -> None:
    multistatus = parse(
        sample("sabredav-report-sync-collection-d-prefix.xml"),
        "https://cloud.example.org/remote.php/dav/files/alice/Projects/",
    )
    assert multistatus.sync_token == "http://sabre.io/ns/sync/42"
    changed, gone = multistatus.responses
    assert changed.href == "/remote.php/dav/files/alice/Projects/Report 2026.odt"
    assert [p.status for p in changed.propstats] == [200, 404]
    assert "{http://owncloud.org/ns}checksums" not in changed.props()  # only 2xx propstats
    assert changed.props()[f"{D}getetag"] == '"6f1d2c3b4a596"'
    assert (gone.href, gone.status) == ("/remote.php/dav/files/alice/Projects/Old notes.txt", 404)


def test_dav_prefix_bound_to_another_namespace_is_not_dav() -> None:
    with pytest.raises(MultiStatusError, match="root element"):
        parse(b'<D:multistatus xmlns:D="urn:not-dav"><D:response/></D:multistatus>', BASE)


def test_is_collection_needs_a_2xx_propstat() -> None:
    response = one(
        "<d:response><d:href>/Projects/x/</d:href><d:propstat><d:prop><d:resourcetype>"
        "<d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 403 Forbidden</d:status>"
        "</d:propstat></d:response>"
    )
    assert not response.is_collection and response.props() == {}


# -- status lines ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "status", "reason"),
    [
        ("HTTP/1.1 423 Locked", 423, "Locked"),
        ("HTTP/1.1 200", 200, "OK"),
        ("HTTP/1.1 200 ", 200, "OK"),
        ("HTTP/2 204", 204, "No Content"),
        ("HTTP/1.0 404 Not Found", 404, "Not Found"),
        ("  HTTP/1.1   409   It  conflicts \n", 409, "It  conflicts"),
        ("HTTP/1.1 424 (status)", 424, "Failed Dependency"),
        ("HTTP/1.1 599", 599, ""),
        ("http/1.1 201 created", 201, "created"),
        ("garbage", None, "garbage"),
        ("HTTP/1.1 2000 OK", None, "HTTP/1.1 2000 OK"),
        ("HTTP/1.1 OK", None, "HTTP/1.1 OK"),
        ("", None, ""),
    ],
)
def test_status_lines(line: str, status: int | None, reason: str) -> None:
    response = one(f"<d:response><d:href>/x</d:href><d:status>{line}</d:status></d:response>")
    assert (response.status, response.reason) == (status, reason)


def test_missing_status() -> None:
    response = one("<d:response><d:href>/x</d:href></d:response>")
    assert (response.status, response.reason) == (None, "")


# -- streaming -----------------------------------------------------------------


SAMPLES = sorted(p.name for p in DATA.glob("*.xml") if "no-conflicting-lock" not in p.name)


@pytest.mark.parametrize("name", SAMPLES)
def test_one_byte_at_a_time_gives_the_same_result(name: str) -> None:
    data = sample(name)
    whole = parse(data, BASE)
    assert parse((data[i : i + 1] for i in range(len(data))), BASE) == whole
    assert list(iter_parse([data[:7], b"", data[7:]], BASE)) == whole.responses


def test_iter_parse_yields_before_the_body_has_ended() -> None:
    consumed = 0

    def chunks() -> Iterator[bytes]:
        nonlocal consumed
        data = sample("apache-propfind-depth1-odd-names.xml")
        for start in range(0, len(data), 256):
            consumed += 1
            yield data[start : start + 256]

    total = -(-len(sample("apache-propfind-depth1-odd-names.xml")) // 256)
    responses = iter_parse(chunks(), BASE)
    first = next(responses)
    assert first.href == "/Projects/"
    assert consumed < total // 2
    assert len(list(responses)) == len(ODD_NAMES) + 2
    assert consumed == total


def test_parser_object_reports_trailing_description_after_close() -> None:
    parser = MultiStatusParser(BASE)
    data = sample("wsgidav-proppatch-424-403.xml")
    responses = parser.feed(data[:300])
    responses += parser.feed(data[300:])
    assert len(responses) == 1
    assert parser.close() == []
    assert parser.description == "403 Forbidden: Access denied to the specified resource"


def test_parse_accepts_an_iterable_of_chunks() -> None:
    data = sample("apache-propfind-depth1-locked-member.xml")
    assert parse([data[:1000], data[1000:]], BASE) == parse(data, BASE)
    assert parse(bytearray(data), BASE) == parse(data, BASE)


def test_public_types_are_frozen() -> None:
    response = one("<d:response><d:href>/x</d:href></d:response>")
    with pytest.raises(AttributeError):
        response.status = 200  # type: ignore[misc]
    assert PropStat(200, "OK", {}).error == ()


# -- broken and hostile bodies -------------------------------------------------------


def expect_error(data: bytes, *, in_chunks_of: int | None = None) -> MultiStatusError:
    chunks = (
        [data]
        if in_chunks_of is None
        else [data[i : i + in_chunks_of] for i in range(0, len(data), in_chunks_of)]
    )
    with pytest.raises(MultiStatusError) as caught:
        list(iter_parse(chunks, BASE))
    return caught.value


@pytest.mark.parametrize("chunk", [None, 1, 10])
def test_truncated_body(chunk: int | None) -> None:
    data = sample("apache-propfind-depth1-odd-names.xml")
    error = expect_error(data[: len(data) // 2], in_chunks_of=chunk)
    assert isinstance(error.line, int) and error.line > 1 and isinstance(error.column, int)


@pytest.mark.parametrize("data", [b"", b"   \n"])
def test_empty_body(data: bytes) -> None:
    error = expect_error(data)
    assert error.line is not None
    with pytest.raises(MultiStatusError):
        parse([], BASE)


def test_not_xml() -> None:
    error = expect_error(b"Internal Server Error\n")
    assert (error.line, error.column) == (1, 1)
    assert "(line 1, column 1)" in str(error)


def test_html_error_page_with_doctype() -> None:
    # Apache's 423 page for a COPY onto a locked member: HTML, not a multistatus.
    page = (
        b'<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" '
        b'"http://www.w3.org/TR/html4/strict.dtd">\n<html><head><title>423 Locked</title>'
        b"</head><body><h1>Locked</h1></body></html>\n"
    )
    expect_error(page)


def test_wrong_root() -> None:
    error = expect_error(sample("wsgidav-copy-423-no-conflicting-lock.xml"))
    assert "{DAV:}error" in str(error)
    assert "root element is a" in str(expect_error(b"<a><b/></a>"))


def test_wrong_root_around_dav_responses_yields_nothing() -> None:
    data = (
        b'<x:wrap xmlns:x="urn:x" xmlns:d="DAV:">'
        b"<d:response><d:href>/a</d:href></d:response></x:wrap>"
    )
    yielded: list[Response] = []
    with pytest.raises(MultiStatusError, match="root element"):
        yielded.extend(iter_parse([data], BASE))
    assert yielded == []


@pytest.mark.parametrize("chunk", [None, 1])
def test_invalid_utf8(chunk: int | None) -> None:
    data = b'<d:multistatus xmlns:d="DAV:"><d:response><d:href>/caf\xe9</d:href></d:response>'
    error = expect_error(data + b"</d:multistatus>", in_chunks_of=chunk)
    assert (error.line, error.column) == (1, data.index(b"\xe9") + 1)


@pytest.mark.parametrize("chunk", [None, 1])
def test_undeclared_entity_is_an_error_with_its_position(chunk: int | None) -> None:
    # lxml ignores this error with entity resolution off and would quietly
    # restart on the next chunk; the parser must not.
    data = (
        b'<d:multistatus xmlns:d="DAV:">\n<d:response><d:href>&x;</d:href></d:response>'
        b"\n</d:multistatus>"
    )
    error = expect_error(data, in_chunks_of=chunk)
    assert (error.line, error.column) == (2, 24)


def test_every_call_after_a_failure_raises_it_again() -> None:
    parser = MultiStatusParser(BASE)
    with pytest.raises(MultiStatusError) as first:
        parser.feed(b'<d:multistatus xmlns:d="DAV:"><d:response>&x;')
    with pytest.raises(MultiStatusError) as again:
        parser.feed(b'<d:multistatus xmlns:d="DAV:"><d:response><d:href>/a</d:href></d:response>')
    assert again.value is first.value
    with pytest.raises(MultiStatusError):
        parser.close()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE d:multistatus [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<d:multistatus xmlns:d="DAV:"><d:response><d:href>/&lol9;</d:href>
<d:propstat><d:prop><d:displayname a="&lol9;">&lol9;</d:displayname></d:prop>
<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>
"""


@pytest.mark.parametrize("chunk", [None, 1, 64])
def test_billion_laughs_is_refused_quickly(chunk: int | None) -> None:
    start = time.perf_counter()
    expect_error(BILLION_LAUGHS, in_chunks_of=chunk)
    assert time.perf_counter() - start < 2


def _secret_file(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    return secret


@pytest.mark.parametrize("target", ["/etc/passwd", "secret"])
@pytest.mark.parametrize("chunk", [None, 1])
def test_external_entity_is_never_read(target: str, chunk: int | None, tmp_path: Path) -> None:
    path = _secret_file(tmp_path) if target == "secret" else Path(target)
    data = f"""<?xml version="1.0"?>
<!DOCTYPE d:multistatus [<!ENTITY xxe SYSTEM "file://{path}">]>
<d:multistatus xmlns:d="DAV:"><d:response><d:href>/&xxe;</d:href>
<d:status>HTTP/1.1 200 OK</d:status><d:responsedescription>&xxe;</d:responsedescription>
</d:response></d:multistatus>""".encode()
    yielded: list[Response] = []
    chunks = [data] if chunk is None else [data[i : i + 1] for i in range(len(data))]
    with pytest.raises(MultiStatusError, match="DOCTYPE") as caught:
        yielded.extend(iter_parse(chunks, BASE))
    assert yielded == []
    leaked = repr(caught.value) + repr(caught.value.__context__)
    for secret_text in ("TOP-SECRET-CONTENT", "root:x:0:0"):
        assert secret_text not in leaked


def test_external_dtd_is_neither_loaded_nor_accepted(tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY xxe SYSTEM "file://{_secret_file(tmp_path)}">')
    data = f"""<?xml version="1.0"?>
<!DOCTYPE d:multistatus SYSTEM "file://{dtd}">
<d:multistatus xmlns:d="DAV:"><d:response><d:href>/&xxe;</d:href></d:response>
</d:multistatus>""".encode()
    with pytest.raises(MultiStatusError, match="DOCTYPE") as caught:
        parse(data, BASE)
    assert "TOP-SECRET-CONTENT" not in str(caught.value)


def test_network_dtd_is_refused() -> None:
    data = (
        b'<!DOCTYPE d:multistatus SYSTEM "http://192.0.2.1/evil.dtd">'
        b'<d:multistatus xmlns:d="DAV:"/>'
    )
    start = time.perf_counter()
    expect_error(data)
    assert time.perf_counter() - start < 2  # no connection attempt


def test_excessive_nesting_is_an_error() -> None:
    deep = b"<x>" * 100_000
    expect_error(
        body("<d:response><d:href>/a</d:href><d:propstat><d:prop>").replace(
            b"</d:multistatus>", b""
        )
        + deep
    )


def test_empty_multistatus_and_nested_dav_responses() -> None:
    assert parse(b'<d:multistatus xmlns:d="DAV:"/>', BASE) == MultiStatus([], None, None)
    response = one(
        "<d:response><d:href>/a</d:href><d:propstat><d:prop><x:wrapped xmlns:x='urn:x'>"
        "<d:response><d:href>/inner</d:href></d:response></x:wrapped></d:prop>"
        "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
    )
    assert response.href == "/a"
    assert "/inner" in response.props()["{urn:x}wrapped"]


def test_empty_and_odd_hrefs_do_not_crash() -> None:
    responses = parse(
        body(
            "<d:response><d:href/><d:status>HTTP/1.1 200 OK</d:status></d:response>",
            "<d:response><d:href>/Projects/nul%00byte</d:href></d:response>",
            "<d:response><d:status>HTTP/1.1 500</d:status></d:response>",
        ),
        BASE,
    ).responses
    assert [r.hrefs for r in responses] == [("/Projects/",), ("/Projects/nul\x00byte",), ()]
    assert responses[2].href == ""


# -- memory --------------------------------------------------------------------------


ENTRY = (
    '<D:response xmlns:lp1="DAV:"><D:href>/Projects/big/file%20{i}.txt</D:href><D:propstat>'
    "<D:prop><lp1:resourcetype/><lp1:getcontentlength>{i}</lp1:getcontentlength>"
    '<lp1:getetag>"{i:x}-5e"</lp1:getetag><D:supportedlock><D:lockentry><D:lockscope>'
    "<D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>"
    "</D:supportedlock><D:lockdiscovery/></D:prop><D:status>HTTP/1.1 200 OK</D:status>"
    "</D:propstat></D:response>\n"
)


def big_listing(entries: int) -> Iterator[bytes]:
    """A listing streamed in ~64 KiB chunks, never whole in memory."""
    yield b'<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">\n'
    for start in range(0, entries, 100):
        yield "".join(ENTRY.format(i=i) for i in range(start, min(start + 100, entries))).encode()
    yield b"</D:multistatus>\n"


def test_streaming_100000_entries_keeps_python_memory_bounded() -> None:
    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_parse(big_listing(100_000), BASE))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 100_000
    assert peak < 10_000_000, f"tracemalloc peak {peak / 1e6:.1f} MB"


def test_streaming_100000_entries_keeps_the_lxml_tree_bounded() -> None:
    # libxml2 allocates outside tracemalloc's view: measure the peak RSS
    # (VmHWM, restarted after start-up) of a fresh interpreter instead.
    # Without dropping finished responses the tree takes several hundred MB.
    script = textwrap.dedent(f"""
        import re, sys
        from pathlib import Path
        sys.path.insert(0, {str(REPO)!r})
        from tests.dav.test_multistatus import big_listing, BASE
        from app.dav.multistatus import iter_parse
        def peak():
            return int(re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text())[1])
        Path("/proc/self/clear_refs").write_text("5")
        before = peak()
        count = sum(1 for _ in iter_parse(big_listing(100_000), BASE))
        print(count, (peak() - before) // 1024)
    """)
    out = subprocess.run(
        [sys.executable, "-c", script],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    ).stdout.split()
    count, grown_mb = int(out[0]), int(out[1])
    assert count == 100_000
    assert grown_mb < 50, f"peak RSS grew by {grown_mb} MB"


def test_kept_responses_are_not_tracked_by_the_garbage_collector() -> None:
    """A kept listing costs the collector nothing per entry, so no parse needs to switch the
    collector off for the whole process (it once did)."""
    data = b"".join(big_listing(2000))
    gc.collect()
    before = len(gc.get_objects())
    kept = parse(data, BASE)
    gc.collect()
    assert len(kept.responses) == 2000
    # Four or more per response before; a generous bound, whatever else the process holds.
    assert len(gc.get_objects()) - before < 500
    assert kept.responses[1999].props()[f"{D}getcontentlength"] == "1999"


def test_parsing_leaves_the_garbage_collector_on() -> None:
    assert gc.isenabled()
    for _ in iter_parse(big_listing(300), BASE):
        assert gc.isenabled()


def test_a_body_without_a_complete_response_is_refused_by_bytes_read():
    """A 9 MB text node is within what libxml2 accepts; the cap counts bytes instead, so the
    parser is fed no more than RESPONSE_BYTES_LIMIT (and one slice) of it."""
    parser = MultiStatusParser("http://x/")
    fed = 0
    # The refusal may come at any slice: the feeding is the one statement under test.
    with pytest.raises(MultiStatusError, match="without a complete response"):  # noqa: PT012
        parser.feed(
            b'<d:multistatus xmlns:d="DAV:"><d:response><d:href>/a</d:href>'
            b"<d:propstat><d:prop><d:displayname>"
        )
        for _ in range(9 * 16):
            parser.feed(b"x" * 65536)
            fed += 65536
    assert RESPONSE_BYTES_LIMIT - 65536 <= fed <= RESPONSE_BYTES_LIMIT


def test_the_cap_is_per_response_not_per_listing():
    entry = b"<d:response><d:href>/f%d</d:href><d:status>HTTP/1.1 200 OK</d:status></d:response>"
    parser = MultiStatusParser("http://x/")
    got = parser.feed(b'<d:multistatus xmlns:d="DAV:">')
    body = b"".join(entry % i for i in range(3 * RESPONSE_BYTES_LIMIT // len(entry)))
    for start in range(0, len(body), 65536):
        got += parser.feed(body[start : start + 65536])
    got += parser.feed(b"</d:multistatus>") + parser.close()
    assert len(got) == 3 * RESPONSE_BYTES_LIMIT // len(entry)
