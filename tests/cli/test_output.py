"""The CLI's listing lines: ls --json's hand-made lines say exactly what the JSON encoder
would, whether made from a Resource or straight from the server's response, many entries
print as the same lines one entry at a time would, and ls asks the server for no property
it does not print."""

from __future__ import annotations

import argparse
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.cli.commands import LINE_PROPS, ls
from app.cli.output import (
    Printer,
    display_name,
    entry_json,
    one_line,
    response_line,
)
from app.cli.versions_command import _print as print_version
from app.dav import DavClient, Outcome, Resource
from app.dav.multistatus import Response, parse
from app.dav.xmlbodies import BASIC_PROPS, NC, OC
from app.nextcloud.trash import TrashItem
from app.nextcloud.versions import Version

WHEN = datetime(2026, 12, 7, 20, 55, 21, tzinfo=UTC)

RESOURCES = [
    Resource("/f/a b.txt", False, 10, WHEN, '"a-66"', "text/plain"),
    Resource("/f/写真 Grüße 🎉.txt", False, 0, None, None, None),
    Resource(
        '/f/quote " back\\slash\ttab\nnew\x01line',
        False,
        2**40,
        WHEN,
        'W/"x\\"y"',
        "text/plain; charset=utf-8",
    ),
    Resource("/f/sub/", True, None, WHEN, '"d"', "httpd/unix-directory"),
    Resource("/f/\udcff undecodable", False, 1, WHEN, "", ""),
    Resource(
        "/nc/Photos/",
        True,
        None,
        WHEN,
        '"e"',
        None,
        {
            f"{OC}permissions": "RGDNVCK",
            f"{OC}fileid": "42",
            f"{OC}size": "123",
            f"{NC}has-preview": "false",
        },
    ),
    Resource(
        "/nc/a.jpg",
        False,
        5,
        WHEN,
        '"f"',
        "image/jpeg",
        {f"{OC}permissions": "RGDNVW", f"{OC}fileid": "43", f"{NC}has-preview": "true"},
    ),
]


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.path)
def test_entry_json_is_what_the_encoder_says(resource: Resource):
    expected = json.JSONEncoder(ensure_ascii=False).encode(resource.to_json())
    assert entry_json(resource) == expected
    assert json.loads(entry_json(resource)) == resource.to_json()


@pytest.mark.parametrize("as_json", [True, False])
def test_entries_print_as_one_entry_at_a_time_would(as_json: bool):
    one, many = io.StringIO(), io.StringIO()
    for resource in RESOURCES:
        Printer(json_lines=as_json, out=one).entry(resource)
    Printer(json_lines=as_json, out=many).entries(RESOURCES)
    assert many.getvalue() == one.getvalue()
    if as_json:  # a name may hold a newline: only JSON's lines are one per entry
        assert [json.loads(line) for line in many.getvalue().splitlines()] == [
            r.to_json() for r in RESOURCES
        ]


DATA = Path(__file__).resolve().parent.parent / "data"
BASE = "http://127.0.0.1:8080/Projects/"


def _odd_responses() -> list[Response]:
    """Entries whose lines take every turn: odd names and values, a folder, Nextcloud's
    fields, several 2xx propstats, a property given twice, none described."""

    def entry(href: str, *propstats: str) -> str:
        return f"<d:response><d:href>{href}</d:href>{''.join(propstats)}</d:response>"

    def ok(props: str, status: str = "HTTP/1.1 200 OK") -> str:
        return f"<d:propstat><d:prop>{props}</d:prop><d:status>{status}</d:status></d:propstat>"

    date = "<d:getlastmodified>Mon, 07 Dec 2026 20:55:21 GMT</d:getlastmodified>"
    entries = [
        entry("/f/a%20b%25%23%26.txt", ok(f"<d:getcontentlength>10</d:getcontentlength>{date}")),
        entry(
            "/f/%E5%86%99%20tab%09nl%0Aesc%1B%22q%22%5C.txt",
            ok('<d:getcontentlength> 12 </d:getcontentlength><d:getetag>W/"x\\y"</d:getetag>'),
        ),
        entry("/f/%FF%FE%20undecodable", ok("<d:getcontentlength>1e3</d:getcontentlength>")),
        entry(
            "/f/garbled",
            ok(
                "<d:getcontentlength/><d:getlastmodified>yesterday</d:getlastmodified>"
                "<d:getetag/><d:getcontenttype/>"
            ),
        ),
        entry(
            "/f/other-date",
            ok("<d:getlastmodified>Monday, 07-Dec-26 20:55:21 GMT</d:getlastmodified>"),
        ),
        entry(
            "/f/sub/",
            ok(f"<d:resourcetype><d:collection/></d:resourcetype>{date}"),
            ok("<d:getcontentlength/>", "HTTP/1.1 404 Not Found"),
        ),
        entry(
            "/f/nc/",
            ok(
                "<d:resourcetype><d:collection/></d:resourcetype>"
                "<oc:permissions>RGDNVCK</oc:permissions><oc:size>123</oc:size>"
                "<oc:fileid>42</oc:fileid>"
            ),
        ),
        entry(
            "/f/two",
            ok("<d:getetag>a</d:getetag>"),
            ok("<d:getcontentlength>2</d:getcontentlength>"),
        ),
        entry("/f/twice", ok("<d:getetag>a</d:getetag><d:getetag>b</d:getetag>")),
        entry("/f/none", ok("<d:getetag/>", "HTTP/1.1 404 Not Found")),
    ]
    data = (
        '<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">'
        + "".join(entries)
        + "</d:multistatus>"
    ).encode()
    return list(parse(data, BASE).responses)


def _responses() -> list[Response]:
    found = _odd_responses()
    for path in sorted((DATA / "multistatus").glob("*propfind*.xml")) + sorted(
        (DATA / "captured").glob("*propfind*.xml")
    ):
        found += parse(path.read_bytes(), BASE).responses
    return found


@pytest.mark.parametrize("response", _responses(), ids=lambda r: r.href)
def test_response_line_is_the_line_of_its_resource(response: Response):
    resource = Resource.from_response(response)
    assert response_line(response) == (entry_json(resource) + "\n").encode()
    assert json.loads(response_line(response)) == resource.to_json()


def test_encoded_lines_print_as_their_resources_do():
    responses = _responses()
    encoded, entries = io.StringIO(), io.StringIO()
    Printer(json_lines=True, out=encoded).encoded_lines(map(response_line, responses))
    Printer(json_lines=True, out=entries).entries(map(Resource.from_response, responses))
    assert encoded.getvalue() == entries.getvalue()


def test_encoded_lines_go_to_the_stream_s_bytes_after_its_text():
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8")
    printer = Printer(json_lines=True, out=out)
    out.write("before\n")  # text still in the wrapper's buffer is written first
    printer.encoded_lines([response_line(r) for r in _odd_responses()])
    out.flush()
    text = raw.getvalue().decode("utf-8")
    assert text.startswith("before\n")
    assert text.splitlines()[1:] == [response_line(r)[:-1].decode() for r in _odd_responses()]


def test_no_entries_print_nothing():
    out = io.StringIO()
    Printer(json_lines=True, out=out).entries([])
    assert out.getvalue() == ""


def test_ls_asks_the_server_only_for_what_it_prints(dav_server):
    """Lines show kind, size, time and name; --json adds the ETag and the content type."""
    dav_server.make_file("box/a.txt", b"abc")
    asked: list[tuple[str, ...]] = []

    class Recording(DavClient):  # every listing goes through propfind_each
        def propfind_each(self, path, depth, props, each):  # type: ignore[override]
            asked.append(tuple(props))
            return super().propfind_each(path, depth, props, each)

    with Recording(dav_server.url, user=dav_server.user, password=dav_server.password) as client:

        class OneServer:
            def resolve(self, url: str) -> tuple[DavClient, str]:
                return client, client.path_of(url)

        for as_json in (False, True):
            out = io.StringIO()
            ls(
                argparse.Namespace(targets=[dav_server.url_for("box/")]),
                OneServer(),
                Printer(json_lines=as_json, out=out),
            )
            assert "a.txt" in out.getvalue()
    assert asked == [LINE_PROPS, BASIC_PROPS]
    assert set(LINE_PROPS) == {
        "{DAV:}resourcetype",
        "{DAV:}getcontentlength",
        "{DAV:}getlastmodified",
    }


def test_display_name_escapes_what_ls_b_escapes_and_nothing_printable():
    assert display_name("naïve résumé 50% #1.txt") == "naïve résumé 50% #1.txt"
    assert display_name("a\nb\tc\x07\x08\x0b\x0c\rd") == "a\\nb\\tc\\a\\b\\v\\f\\rd"
    assert (
        display_name("del\x7f nel\x85 sep\u2028 nul\x00")
        == "del\\177 nel\\302\\205 sep\\342\\200\\250 nul\\000"
    )
    assert display_name("back\\slash") == "back\\\\slash"


def test_a_message_is_one_line_and_keeps_its_backslashes():
    """A message is read, not parsed back: a Windows path or a name Python already escaped
    ('a\\x07b') keeps its backslashes; its control characters are escaped as names' are."""
    assert one_line("C:\\Users\\me: 'a\\x07b' two\nlines \x1b[2J") == (
        "C:\\Users\\me: 'a\\x07b' two\\nlines \\033[2J"
    )
    assert one_line("plain words") == "plain words"


def test_an_outcome_s_line_escapes_its_names_and_words():
    out = io.StringIO()
    printer = Printer(json_lines=False, out=out)
    printer.outcome(
        Outcome(
            "move",
            "/f/back\\slash\nx",
            403,
            "Forbidden",
            description="not here\nnor there",
            destination="/f/\x1b[31mred",
        )
    )
    printer.outcome(Outcome("get", "/f/a.txt", 200, "OK", ok=True, note="saved as /tmp/a\rb"))
    assert out.getvalue().splitlines() == [
        (
            "FAILED    Move /f/back\\\\slash\\nx → /f/\\033[31mred: Not allowed (403 Forbidden)"
            " – not here\\nnor there"
        ),
        "ok        Downloaded /f/a.txt – saved as /tmp/a\\rb",
    ]
    as_json = io.StringIO()
    Printer(json_lines=True, out=as_json).outcome(Outcome("delete", "/f/a\nb", 204, ok=True))
    assert json.loads(as_json.getvalue())["path"] == "/f/a\nb"


def test_trash_and_version_lines_escape_what_the_server_names():
    """A trash bin's names and a version's author and label come from the server: a line
    each, whatever they hold."""
    out = io.StringIO()
    printer = Printer(json_lines=False, out=out)
    printer.trash_item(TrashItem("/trash/a\nb.d123", "a\nb", "docs/\x1b[2Ja\nb", None, 3, False))
    resource = Resource("/versions/1700000000", False, 3, None, None, None)
    print_version(printer, Version(resource, "final\ncut", "mallory\x1b]0;owned\x07"))
    assert out.getvalue().splitlines() == [
        "-        3 B  -                 a\\nb.d123  (from docs/\\033[2Ja\\nb)",
        "1700000000  -           3 B  by mallory\\033]0;owned\\a  “final\\ncut”",
    ]
