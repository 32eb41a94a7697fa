"""app.dav.hrefs: one decoded path for every way a server spells an href."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from app.dav.hrefs import HrefDecoder, href_to_path
from app.dav.multistatus import href_to_path as reexported

BASE = "http://127.0.0.1:8080/dav/Projects/"


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        # absolute path, absolute URL, relative
        ("/dav/Projects/a%20b.txt", "/dav/Projects/a b.txt"),
        ("http://127.0.0.1:8080/dav/Projects/a%20b.txt", "/dav/Projects/a b.txt"),
        ("HTTP://127.0.0.1:8080/dav/x", "/dav/x"),
        ("a%20b.txt", "/dav/Projects/a b.txt"),
        ("sub/", "/dav/Projects/sub/"),
        ("", "/dav/Projects/"),
        ("http://127.0.0.1:8080", "/"),
        ("//127.0.0.1:8080/dav/x", "/dav/x"),
        # escapes in either case, & and + and ; raw or escaped
        ("/dav/caf%c3%a9", "/dav/café"),
        ("/dav/caf%C3%A9", "/dav/café"),
        ("/dav/caf%c3%A9", "/dav/café"),
        ("/dav/a&b%26c", "/dav/a&b&c"),
        ("/dav/1+1%2B1", "/dav/1+1+1"),
        ("/dav/semi;colon%3Bx", "/dav/semi;colon;x"),
        ("/dav/100%25", "/dav/100%"),
        ("/dav/%23hash", "/dav/#hash"),
        # a raw # or ? is a badly escaped name, not a fragment or query
        ("/dav/raw#hash", "/dav/raw#hash"),
        ("/dav/what?.txt", "/dav/what?.txt"),
        # names keep their spaces and dots; paths keep slashes as sent
        ("/dav/%20leading", "/dav/ leading"),
        ("/dav/trailing%20dot.", "/dav/trailing dot."),
        ("/dav/Projects/folder/", "/dav/Projects/folder/"),
        ("/dav//double//", "/dav//double//"),
        # dot segments removed as urljoin does
        ("/dav/Projects/../Other/", "/dav/Other/"),
        ("/dav/./x", "/dav/x"),
        ("../up", "/dav/up"),
        ("/..", "/"),
        ("/a/b/..", "/a/"),
        ("/dav/%2E%2E/x", "/dav/../x"),  # escaped dots are a name, decoded only
        # broken escapes and invalid UTF-8 stay as sent
        ("/dav/100%", "/dav/100%"),
        ("/dav/%zz%2", "/dav/%zz%2"),
        ("/dav/latin1-%e9t%E9", "/dav/latin1-%e9t%E9"),
        ("/dav/mixed-%C3%A9%FF%c3%a9", "/dav/mixed-é%FFé"),
        ("/dav/cut-%C3", "/dav/cut-%C3"),
        # NUL is kept, not a crash
        ("/dav/nul%00", "/dav/nul\x00"),
        # pretty-printed layout is dropped, a lone space is not
        ("\n    /dav/x\n  ", "/dav/x"),
        ("/dav/trailing space ", "/dav/trailing space "),
    ],
)
def test_href_to_path(href: str, expected: str) -> None:
    assert href_to_path(href, BASE) == expected
    assert HrefDecoder(BASE)(href) == expected


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("http://127.0.0.1:8081/dav/a%20b", "http://127.0.0.1:8081/dav/a b"),  # port
        ("https://127.0.0.1:8080/dav/x", "https://127.0.0.1:8080/dav/x"),  # scheme
        ("http://evil.example/dav/x/../y", "http://evil.example/dav/y"),  # host
        ("//evil.example/dav/x", "http://evil.example/dav/x"),
        ("urn:uuid:1234", "urn:uuid:1234"),
        ("mailto:alice%40example.org", "mailto:alice@example.org"),
    ],
)
def test_another_origin_stays_an_absolute_url(href: str, expected: str) -> None:
    assert href_to_path(href, BASE) == expected
    assert HrefDecoder(BASE)(href) == expected


def test_same_origin_ignores_case_and_default_port() -> None:
    base = "https://Files.Example.org/dav/"
    assert href_to_path("https://files.example.ORG:443/dav/x", base) == "/dav/x"
    assert href_to_path("http://files.example.org:80/x", "http://files.example.org/") == "/x"
    assert href_to_path("http://user@files.example.org/x", "http://files.example.org/") == "/x"
    assert href_to_path("http://[::1]:8080/x", "http://[::1]:8080/dav/") == "/x"
    assert href_to_path("http://host:notaport/x", "http://host/").startswith("http://")


def test_relative_hrefs_resolve_against_the_request_url_directory() -> None:
    assert href_to_path("b.txt", "http://h/dav/a.txt") == "/dav/b.txt"
    assert href_to_path("b.txt", "http://h") == "/b.txt"
    assert href_to_path("", "http://h/dav/a.txt?x=1") == "/dav/a.txt"


def test_reexported_from_multistatus() -> None:
    assert reexported is href_to_path


def test_decoder_survives_more_parents_than_it_remembers() -> None:
    decode = HrefDecoder(BASE)
    for i in range(3000):
        assert decode(f"/dav/dir{i}/f%20{i}") == f"/dav/dir{i}/f {i}"


# -- properties --------------------------------------------------------------------------

names = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="/\x00"), min_size=1
).filter(lambda name: name not in (".", ".."))


@given(names)
@example(" leading space")
@example("trailing dot.")
@example("café")
@example("cafe\u0301")
@example("%41 100% #1 a&b 1+1 semi;colon ?q")
def test_any_quoted_name_round_trips(name: str) -> None:
    quoted = quote(name)
    for href in (
        f"/dav/Projects/{quoted}",
        f"http://127.0.0.1:8080/dav/Projects/{quoted}",
        quoted,
        f"/dav/Projects/{quoted}/",
    ):
        expected = "/dav/Projects/" + name + ("/" if href.endswith("/") else "")
        assert href_to_path(href, BASE) == expected
        assert HrefDecoder(BASE)(href) == expected


@given(names)
def test_lower_case_escapes_and_unescaped_safe_characters_round_trip(name: str) -> None:
    # Apache's spelling: lower-case escapes, "&", "+", ";" and "=" left as they are.
    quoted = quote(name, safe="&+;=:@!$'()*,")
    lowered = re.sub(r"%[0-9A-F]{2}", lambda escape: escape.group().lower(), quoted)
    assert href_to_path(f"/dav/{lowered}", BASE) == f"/dav/{name}"


segments = st.one_of(
    st.sampled_from(["", ".", "..", "a", "b%20c", "%C3%A9", "%ff", "x;y", "1+1", "h#h", "q?q"]),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=4),
)
prefixes = st.sampled_from(
    [
        "",
        "/",
        "//",
        "/dav/",
        "http://127.0.0.1:8080",
        "http://127.0.0.1:8080/",
        "http://127.0.0.1:8080/dav/",
        "https://other.example/",
        "//other.example/",
        "urn:",
        "a:b/",
    ]
)


@given(prefixes, st.lists(segments, max_size=6), st.booleans())
def test_decoder_shortcut_agrees_with_href_to_path(
    prefix: str, parts: list[str], slash: bool
) -> None:
    href = prefix + "/".join(parts) + ("/" if slash else "")
    decode = HrefDecoder(BASE)
    decode(href)  # once to fill its cache, once to use it
    assert decode(href) == href_to_path(href, BASE)
