"""app.dav.responses: PropReader reads from a response's record what props() would say."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.dav.multistatus import Response, parse
from app.dav.responses import PropReader

BASE = "http://127.0.0.1:8080/Projects/"
DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLES = sorted((DATA / "multistatus").glob("*.xml")) + sorted((DATA / "captured").glob("*.xml"))
D = "{DAV:}"
NAMES = (f"{D}getcontentlength", f"{D}getlastmodified", f"{D}getetag", f"{D}getcontenttype")
PERMISSIONS = "{http://owncloud.org/ns}permissions"


def body(*responses: str) -> bytes:
    return (
        '<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">'
        + "".join(responses)
        + "</d:multistatus>"
    ).encode()


def propstat(props: str, status: str = "HTTP/1.1 200 OK") -> str:
    return f"<d:propstat><d:prop>{props}</d:prop><d:status>{status}</d:status></d:propstat>"


def responses_of(data: bytes) -> list[Response]:
    return list(parse(data, BASE).responses)


def as_props_say(response: Response, names: tuple[str, ...]) -> tuple[str | None, ...]:
    """What PropReader must give: props()'s texts, None for an absent or empty one."""
    props = response.props()
    return tuple(props.get(name) or None for name in names)


def sample_responses() -> list[Response]:
    found: list[Response] = []
    for path in SAMPLES:
        data = path.read_bytes()
        if b"multistatus" in data:
            found += responses_of(data)
    return found


@pytest.mark.parametrize(
    "names", [NAMES, (f"{D}resourcetype", f"{D}displayname", f"{D}lockdiscovery")]
)
def test_reads_what_props_says_wherever_it_answers(names: tuple[str, ...]):
    reader = PropReader(names)
    answered = 0
    for response in sample_responses():
        texts = reader(response)
        if texts is not None:
            answered += 1
            assert texts == as_props_say(response, names), response
    assert answered >= 20  # the samples' listings are read, not all passed on


def test_a_second_reading_of_the_same_names_is_the_same():
    reader = PropReader(NAMES)
    responses = responses_of(
        (DATA / "multistatus" / "apache-propfind-depth1-odd-names.xml").read_bytes()
    )
    first = [reader(r) for r in responses]
    assert [reader(r) for r in responses] == first
    assert first.count(None) < len(first)


def test_empty_and_missing_properties_read_as_none():
    (response,) = responses_of(
        body(
            "<d:response><d:href>/Projects/a</d:href>"
            + propstat("<d:getetag/><d:getcontentlength>7</d:getcontentlength>")
            + propstat("<d:getcontenttype/>", "HTTP/1.1 404 Not Found")
            + "</d:response>"
        )
    )
    assert PropReader(NAMES)(response) == ("7", None, None, None)


@pytest.mark.parametrize(
    "shape",
    [
        # two 2xx propstats: props() merges them
        propstat("<d:getetag>a</d:getetag>")
        + propstat("<d:getcontentlength>1</d:getcontentlength>"),
        # a property named twice: props() keeps the last
        propstat("<d:getetag>a</d:getetag><d:getetag>b</d:getetag>"),
        # no 2xx propstat at all
        propstat("<d:getetag/>", "HTTP/1.1 404 Not Found"),
        # a refused property
        propstat("<d:getetag>a</d:getetag><oc:permissions>RGD</oc:permissions>"),
    ],
)
def test_passes_on_what_only_props_can_answer(shape: str):
    (response,) = responses_of(
        body(f"<d:response><d:href>/Projects/a</d:href>{shape}</d:response>")
    )
    assert PropReader(NAMES, refused=(PERMISSIONS,))(response) is None


def test_a_status_only_response_is_passed_on():
    (response,) = responses_of(
        body(
            "<d:response><d:href>/Projects/a</d:href>"
            "<d:status>HTTP/1.1 423 Locked</d:status></d:response>"
        )
    )
    assert PropReader(NAMES)(response) is None


def test_reads_two_names_or_more():
    with pytest.raises(ValueError, match="two properties or more"):
        PropReader((f"{D}getetag",))
