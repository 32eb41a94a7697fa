"""One rule for ETags (app/dav/etags.py), on the spellings real servers send."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.dav import etags
from app.dav.multistatus import parse
from app.dav.resource import Resource

DATA = Path(__file__).resolve().parent.parent / "data" / "multistatus"


def listed_etags(sample: str) -> set[str]:
    """The getetag values of a captured listing, as the parser hands them over."""
    parsed = parse((DATA / sample).read_bytes(), "http://127.0.0.1:8080/Projects/")
    return {r.etag for r in map(Resource.from_response, parsed.responses) if r.etag}


@pytest.mark.parametrize(
    ("sample", "spelling"),
    [
        (
            "apache-propfind-depth1-odd-names.xml",
            'W/"1-660d2c53effa7"',
        ),  # weak: changed this second
        ("wsgidav-propfind-depth1-odd-names.xml", "2179480-1795308228-1"),  # strong, no quotes
        ("sabredav-report-sync-collection-d-prefix.xml", '"6f1d2c3b4a596"'),  # Nextcloud's quotes
        ("iis-propfind-depth1-a-prefix.xml", '"0d1e2f3a4b5cdc1:0"'),
    ],
)
def test_what_servers_list_is_one_version_however_spelt(sample: str, spelling: str):
    assert spelling in listed_etags(sample)
    version = spelling.removeprefix("W/").strip('"')
    for other in (version, f'"{version}"', f'W/"{version}"'):
        assert etags.same(spelling, other) and etags.normal(other) == version


def test_quotes_and_weakness_do_not_make_another_version():
    assert etags.normal('W/"x"') == etags.normal('"x"') == etags.normal("x") == "x"
    assert etags.same('W/"x"', "x")
    assert not etags.same('"x"', '"y"') and not etags.same('W/"x"', 'W/"y"')
    assert etags.normal('"a:b-c"') == "a:b-c"  # only the marker and the quotes go


@pytest.mark.parametrize("nothing", [None, "", '""', 'W/""'])
def test_an_empty_etag_names_no_version(nothing: str | None):
    assert etags.normal(nothing) is None
    assert not etags.same(nothing, nothing) and not etags.same(nothing, '"x"')


def test_only_the_w_marker_makes_an_etag_weak():
    assert etags.is_weak('W/"1-660d2c53effa7"')
    assert not etags.is_weak('"1-660d2c53effa7"') and not etags.is_weak("w/x")
    assert not etags.is_weak(None)


def test_a_bare_etag_gets_the_quotes_headers_use():
    """Nextcloud's bulk upload answers with the bare ETag its listings quote."""
    assert etags.quoted("6f1d2c3b4a596") == '"6f1d2c3b4a596"'
    assert etags.quoted('"6f1d2c3b4a596"') == '"6f1d2c3b4a596"'
    assert etags.quoted('W/"1-6"') == 'W/"1-6"'
