"""getlastmodified as a date: the common form, the others, garbage; the same answer when
a listing repeats a date and after the memory of parsed dates was emptied."""

from __future__ import annotations

from datetime import UTC, datetime

from app.dav import resource
from app.dav.resource import parse_http_date

EXPECTED = datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)


def test_the_forms_servers_send_and_garbage():
    assert parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == EXPECTED
    assert parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == EXPECTED  # RFC 850
    assert parse_http_date("Sun Nov  6 08:49:37 1994") == EXPECTED  # asctime, no zone: UTC
    for garbage in (None, "", "yesterday", "Sun, 99 Nov 1994 08:49:37 GMT"):
        assert parse_http_date(garbage) is None


def test_a_repeated_date_is_the_same_answer_also_past_the_limit():
    first = parse_http_date("Mon, 07 Dec 2026 20:55:21 GMT")
    for second in range(resource._PARSED_DATES_LIMIT + 10):  # fills and empties the memory
        text = (
            f"Tue, 08 Dec 2026 {second // 3600 % 24:02d}:{second // 60 % 60:02d}:"
            f"{second % 60:02d} GMT"
        )
        assert parse_http_date(text) == datetime(
            2026, 12, 8, second // 3600 % 24, second // 60 % 60, second % 60, tzinfo=UTC
        )
    assert len(resource._PARSED_DATES) <= resource._PARSED_DATES_LIMIT
    assert parse_http_date("Mon, 07 Dec 2026 20:55:21 GMT") == first
    assert parse_http_date("not a date") is None and parse_http_date("not a date") is None
