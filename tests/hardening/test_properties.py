"""Property-based tests of the 207 parser and of the path <-> href mapping (hypothesis).

The parser is given bodies built from arbitrary names, values, prefixes and
chunk boundaries, and must read back exactly what was written; arbitrary
damage to a body must end in MultiStatusError and nothing else. Any Unicode
name must survive the trip from a decoded path to a request URL, through
each real server's listing (wsgidav and Apache), back to the same decoded path.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from app.dav import DavClient
from app.dav.errors import MultiStatusError
from app.dav.hrefs import href_to_path
from app.dav.multistatus import iter_parse, parse
from app.dav.paths import quote_path, url_path
from tests.servers import WsgiDavServer

BASE = "http://127.0.0.1:8080/dav/Projects/"
ORIGIN = "http://127.0.0.1:8080"

#: A name of one path segment: anything but "/" and NUL, and not a dot segment.
names = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="/\x00"), min_size=1, max_size=40
).filter(lambda n: n not in (".", ".."))
#: Text XML 1.0 can carry (no control characters but tab and line breaks; no U+FFFE/U+FFFF).
xml_text = st.text(
    st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"), max_size=30
)
xml_names = names.filter(
    lambda n: all(c.isprintable() for c in n) and "\ufffe" not in n and "\uffff" not in n
)
statuses = st.sampled_from([200, 201, 204, 403, 404, 409, 423, 424, 500, 507])
prefixes = st.sampled_from(["d", "D", "lp1", "ns0", "a"])
prop_names = st.sampled_from(
    ["{DAV:}displayname", "{DAV:}getetag", "{urn:x}color", "{http://example.com/ns}note"]
)


@st.composite
def responses(draw: st.DrawFn) -> list[dict]:
    out = []
    for _ in range(draw(st.integers(0, 6))):
        name = draw(xml_names)
        is_dir = draw(st.booleans())
        props = draw(st.dictionaries(prop_names, xml_text, max_size=3))
        out.append(
            {
                "path": "/dav/Projects/" + name + ("/" if is_dir else ""),
                "status": draw(statuses),
                "props": props,
                "plain": draw(st.booleans()),
            }
        )
    return out


def serialize(entries: list[dict], prefix: str, spelling: str) -> bytes:
    dav = "DAV:"
    root = etree.Element(f"{{{dav}}}multistatus", nsmap={prefix: dav})
    for entry in entries:
        response = etree.SubElement(root, f"{{{dav}}}response")
        href = quote(entry["path"])
        if spelling == "absolute":
            href = ORIGIN + href
        elif spelling == "lower":
            href = re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), href)
        etree.SubElement(response, f"{{{dav}}}href").text = href
        if entry["plain"]:
            etree.SubElement(response, f"{{{dav}}}status").text = f"HTTP/1.1 {entry['status']} X"
            continue
        propstat = etree.SubElement(response, f"{{{dav}}}propstat")
        prop = etree.SubElement(propstat, f"{{{dav}}}prop")
        for name, value in entry["props"].items():
            etree.SubElement(prop, name).text = value
        etree.SubElement(propstat, f"{{{dav}}}status").text = f"HTTP/1.1 {entry['status']} X"
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def chunked(data: bytes, cuts: list[int]) -> Iterator[bytes]:
    edges = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    for start, end in itertools.pairwise(edges):
        yield data[start:end]


@settings(max_examples=150, deadline=None)
@given(
    responses(),
    prefixes,
    st.sampled_from(["upper", "lower", "absolute"]),
    st.lists(st.integers(0, 10_000), max_size=8),
)
def test_the_parser_reads_back_what_was_written(entries, prefix, spelling, cuts):
    body = serialize(entries, prefix, spelling)
    parsed = parse(body, BASE).responses
    assert list(iter_parse(chunked(body, cuts), BASE)) == parsed
    assert [r.href for r in parsed] == [e["path"] for e in entries]
    for response, entry in zip(parsed, entries, strict=True):
        if entry["plain"]:
            assert (response.status, response.propstats) == (entry["status"], ())
        else:
            [propstat] = response.propstats
            assert propstat.status == entry["status"]
            assert propstat.props == entry["props"]


@settings(max_examples=300, deadline=None)
@given(responses(), st.data())
def test_a_damaged_body_is_a_multistatus_error_or_still_a_multistatus(entries, data):
    body = bytearray(serialize(entries, "d", "upper"))
    for _ in range(data.draw(st.integers(1, 5))):
        where = data.draw(st.integers(0, len(body) - 1))
        action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip":
            body[where] = data.draw(st.integers(0, 255))
        elif action == "cut":
            del body[where:]
            if not body:
                break
        else:
            body[where:where] = data.draw(
                st.sampled_from(
                    [b"<", b"&", b"]]>", b"<!DOCTYPE x>", b"&xxe;", b"\xff", b"\x00", b"<x>" * 300]
                )
            )
    try:
        parsed = parse(bytes(body), BASE)
    except MultiStatusError as exc:  # allowed, not required: so no pytest.raises
        said = str(exc)
        assert said.startswith(
            (
                "malformed multistatus body",
                "not a multistatus body",
                "multistatus body has a DOCTYPE",
            )
        )
    else:
        assert all(isinstance(r.hrefs, tuple) for r in parsed.responses)


@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise_anything_but_multistatus_error(data):
    with contextlib.suppress(MultiStatusError):
        parse(data, BASE)


@given(names)
@example("..\\..\\evil")
@example("a\u0301 NFD")
@example("100%25 literal")
@example("%2F encoded slash")
def test_a_path_goes_out_as_an_href_and_comes_back_decoded(name):
    path = "/dav/Projects/" + name
    sent = quote_path(path)
    for href in (sent, ORIGIN + sent, re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), sent)):
        assert href_to_path(href, BASE) == path


# -- through real servers ----------------------------------------------------------------


@pytest.fixture(
    scope="module", params=["wsgidav", pytest.param("apache", marks=pytest.mark.apache)]
)
def real_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DavClient, Path]]:
    """Each real server in turn, with a folder of this module's own: (client, its folder on
    disk)."""
    if request.param == "wsgidav":
        served = tmp_path_factory.mktemp("wsgidav")
        root = served / "names"  # a folder below the share's root, as for Apache
        root.mkdir()
        with (
            WsgiDavServer(served) as server,
            DavClient(server.url + "names/", user=server.user, password=server.password) as client,
        ):
            yield client, root
        return
    session = request.getfixturevalue("_apache_session")
    server = session.ensure_running()
    name = session.next_name()
    root = server.root / name
    root.mkdir()
    server.chown(root)
    try:
        with DavClient(
            f"{server.url}{name}/", user=server.user, password=server.password
        ) as client:
            yield client, root
    finally:
        shutil.rmtree(root, ignore_errors=True)


#: What a file system on this machine holds: a name of at most 255 bytes.
fs_names = names.filter(lambda n: len(n.encode()) <= 200)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fs_names)
@example("hash#tag ?q=1 & 100%")
@example("trailing space ")
@example("  ")
@example("日本語 ünï \u200b zero width")
@example(unicodedata.normalize("NFD", "café décomposé"))
def test_any_name_round_trips_through_a_real_server(real_server, tmp_path_factory, name):
    client, root = real_server
    folder = url_path(client.base_url)
    assume(not (root / name).exists())
    data = name.encode("utf-8", "surrogatepass")
    client.put(folder + name, data)
    try:
        listed = {r.name: r for r in client.listdir(folder)}
        assert name in listed or unicodedata.normalize("NFC", name) in listed
        assert (root / name).read_bytes() == data
        copy = tmp_path_factory.mktemp("get") / "copy"
        client.get(listed.get(name, listed.get(unicodedata.normalize("NFC", name))).path, copy)
        assert copy.read_bytes() == data
    finally:
        client.delete(folder + name)
