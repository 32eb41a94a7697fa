"""RFC 4918 section 13 Multi-Status bodies, parsed as they stream in.

A 207 (or 424) body is where a collection DELETE, COPY or MOVE says which
members failed, and where PROPFIND lists a folder, possibly with 100,000
entries. So the parser is incremental (each ``<d:response>`` is handed out and
dropped from the tree once the next one has begun or the body has ended,
keeping memory bounded),
hostile-input safe (no DTD, no entities, no network, no huge nodes), and
matches elements by namespace URI, because servers pick any prefix for ``DAV:``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from functools import lru_cache
from operator import attrgetter
from typing import Any

from lxml import etree

from app.dav.errors import MultiStatusError, reason_phrase
from app.dav.hrefs import HrefDecoder, href_to_path
from app.dav.responses import MultiStatus, PropStat, Record, Response, Responses, as_response

__all__ = [
    "MultiStatus",
    "MultiStatusParser",
    "PropStat",
    "Response",
    "Responses",
    "href_to_path",
    "iter_parse",
    "parse",
]

_MULTISTATUS = "{DAV:}multistatus"
_RESPONSE = "{DAV:}response"
_HREF = "{DAV:}href"
_STATUS = "{DAV:}status"
_PROPSTAT = "{DAV:}propstat"
_PROP = "{DAV:}prop"
_ERROR = "{DAV:}error"
_DESCRIPTION = "{DAV:}responsedescription"
_LOCATION = "{DAV:}location"
_SYNC_TOKEN = "{DAV:}sync-token"
_RESOURCETYPE = "{DAV:}resourcetype"
_COLLECTION = "{DAV:}collection"

#: Bytes handed to libxml2 at a time: the tree never holds more than one slice
#: of unprocessed responses, and 64 KiB measured fastest.
_SLICE = 1 << 16
#: Bytes a body may hold outside any completed <d:response> (one response, the parts around
#: them): past this the body is refused, counted as it is read, whatever the parser would
#: notice later (libxml2 accepts a text node of up to 10 MB, and nesting to 256 levels).
#: A listing of 100,000 entries is far larger than this, but no single entry comes close.
RESPONSE_BYTES_LIMIT = 1 << 20
#: Distinct serialized values remembered for sharing (see `MultiStatusParser._xml`).
_SHARED_VALUES = 256
_STATUS_LINE = re.compile(r"\s*(?:HTTP/\d+(?:\.\d+)?\s+)?(\d{3})(?:\s+(.*?))?\s*", re.I | re.S)


class MultiStatusParser:
    """Fed the body chunk by chunk as it streams; hands back finished responses.

    ``description`` and ``sync_token`` (RFC 6578) come after the responses in
    a body, so they are known once `close` has returned.
    """

    def __init__(self, base_url: str) -> None:
        self.description: str | None = None
        self.sync_token: str | None = None
        self._path = HrefDecoder(base_url)
        self._root: etree._Element | None = None
        self._failure: MultiStatusError | None = None
        self._started = False
        self._shared: dict[str, str] = {}
        self._names: dict[int, tuple[str, ...]] = {}
        self._unfinished = 0  # bytes fed since the last response was completed
        self._parser = etree.XMLPullParser(
            events=("start",),
            tag=_MULTISTATUS,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
        )

    def feed(self, data: bytes) -> list[Response]:
        """Parse the next chunk; return the responses it completed."""
        return list(map(as_response, self.feed_records(data)))

    def feed_records(self, data: bytes) -> list[Record]:
        """`feed`, the responses as records (app.dav.responses): what `parse` keeps."""
        done: list[Record] = []
        # An empty chunk is fed too: libxml2 then reports an empty body as such.
        for start in range(0, len(data) or 1, _SLICE):
            piece = data[start : start + _SLICE]
            self._count(len(piece))
            self._step(piece)
            before = len(done)
            self._drain(done)
            if len(done) > before:
                self._unfinished = 0
        return done

    def _count(self, size: int) -> None:
        """Refuse a body that has gone on for RESPONSE_BYTES_LIMIT bytes without completing a
        response: the cap is on bytes read, so what is read of a hostile body is bounded exactly."""
        self._unfinished += size
        if self._unfinished > RESPONSE_BYTES_LIMIT:
            raise self._fail(
                f"multistatus body refused: {self._unfinished} bytes without a "
                f"complete response (at most {RESPONSE_BYTES_LIMIT})"
            )

    def close(self) -> list[Response]:
        """Finish the body; raise `MultiStatusError` unless it was a whole multistatus."""
        return list(map(as_response, self.close_records()))

    def close_records(self) -> list[Record]:
        """`close`, the responses as records."""
        if not self._started:
            self.feed_records(b"")
        done: list[Record] = []
        root = self._step(None)
        self._drain(done, ended=True)
        assert root is not None  # lxml's close() returns the root or raises
        if self._root is None:
            self._check_root(root)
        elif root is not self._root:
            raise self._fail("malformed multistatus body: the parser restarted mid-body")
        return done

    def _step(self, data: bytes | None) -> etree._Element | None:
        """Feed libxml2 a slice (or the end), turning any failure into MultiStatusError.

        With entity resolution off, lxml's feed parser swallows some fatal
        errors (an undefined entity) and silently starts a new document with
        the next chunk, so its error log is checked after every step.
        """
        if self._failure is not None:
            raise self._failure
        self._started = True
        raised: etree.XMLSyntaxError | None = None
        root = None
        try:
            if data is None:
                root = self._parser.close()
            else:
                self._parser.feed(data)
        except etree.XMLSyntaxError as exc:
            raised = exc
        errors = self._parser.feed_error_log.filter_from_errors()
        if errors:
            first = errors[0]
            raise self._fail(
                f"malformed multistatus body: {first.message}", first.line, first.column
            )
        if raised is not None:
            line, column = raised.position
            raise self._fail(
                f"malformed multistatus body: {raised.msg}", line or None, column or None
            )
        return root

    def _fail(
        self, message: str, line: int | None = None, column: int | None = None
    ) -> MultiStatusError:
        """Remember the failure: every later call raises it again."""
        self._failure = MultiStatusError(message, line, column)
        return self._failure

    def _check_root(self, elem: etree._Element) -> etree._Element:
        """Refuse anything but a DTD-free document whose root is DAV:multistatus.

        No legitimate 207 body has a DOCTYPE, and refusing it outright closes
        every entity trick, whatever libxml2 would or would not expand.
        """
        docinfo = elem.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
            raise self._fail("multistatus body has a DOCTYPE; refused")
        while (parent := elem.getparent()) is not None:
            elem = parent
        if elem.tag != _MULTISTATUS:
            raise self._fail(f"not a multistatus body: root element is {elem.tag!s}")
        self._root = elem
        return elem

    def _drain(self, done: list[Record], *, ended: bool = False) -> None:
        """Turn the responses completed so far into records, then drop them from the tree.

        The root's children are read in turn, not reported by end events: every
        child but the last is complete once a later one has begun, and the last
        waits for the next slice (or, once the body has `ended`, goes too). That
        spares an event, its tuple and a parent check per response, and keeps
        anything nested deeper (a DAV:response inside a property value) out of
        sight. They are dropped together: one slicing delete.
        """
        root = self._root
        if root is None:
            for _, elem in self._parser.read_events():  # the start of a DAV:multistatus
                root = self._check_root(elem)
                break
            if root is None:
                return
        for _ in self._parser.read_events():  # a DAV:multistatus nested in a value: none of ours
            pass
        children = root[:] if ended else root[:-1]
        response = self._response
        for elem in children:
            tag = elem.tag
            if tag == _RESPONSE:
                done.append(response(elem))
            elif tag == _DESCRIPTION:
                self.description = _text(elem)
            elif tag == _SYNC_TOKEN:
                self.sync_token = _text(elem)
        if children:
            del root[: len(children)]

    def _response(self, elem: etree._Element) -> Record:
        """One response as a flat record (its layout: app.dav.responses). Its propstats are
        read here too, not in a helper: a listing has two per entry.

        The names and texts of a ``<d:prop>``'s properties are read by C iterators
        rather than a Python loop; only values with element content (a folder's
        resourcetype, a lock) take a slower path.
        """
        path = self._path
        names_by_count = self._names
        hrefs: list[str] = []
        propstats: list[Any] = []
        status_text = description = location = None
        error: tuple[str, ...] = ()
        error_hrefs: tuple[str, ...] = ()
        collection = False
        for child in elem:
            tag = child.tag
            if tag == _PROPSTAT:
                names: tuple[str, ...] = ()
                values: tuple[str | None, ...] = ()
                ps_status = ps_description = None
                ps_error: tuple[str, ...] = ()
                typed_collection = False
                for part in child:
                    part_tag = part.tag
                    if part_tag == _PROP:
                        kids = part[:]
                        tags = tuple(map(_TAG, kids))
                        texts = tuple(map(_TEXT, kids))
                        if any(map(len, kids)):
                            texts, typed = self._element_values(kids, texts)
                            typed_collection = typed_collection or typed
                        # Usually one <d:prop> per propstat; a second one adds to the first.
                        shared = names_by_count.get(len(tags))
                        if shared is None or shared != tags:
                            shared = self._shared_names(tags)
                        names += shared
                        values += texts
                    elif part_tag == _STATUS:
                        ps_status = part.text
                    elif part_tag == _ERROR:
                        ps_error = self._conditions(part)[0]
                    elif part_tag == _DESCRIPTION:
                        ps_description = _text(part)
                code, reason = _status_line(ps_status)
                propstats += (code, reason, ps_error, ps_description, len(names))
                propstats += names
                propstats += values
                if typed_collection and code is not None and 200 <= code < 300:
                    collection = True
            elif tag == _HREF:
                hrefs.append(path(child.text))
            elif tag == _STATUS:
                status_text = child.text
            elif tag == _ERROR:
                error, error_hrefs = self._conditions(child)
            elif tag == _DESCRIPTION:
                description = _text(child)
            elif tag == _LOCATION:
                location = next((path(h.text) for h in child if h.tag == _HREF), None)
        status, reason = _NO_STATUS if status_text is None else _status_line(status_text)
        return (
            status,
            reason,
            error,
            error_hrefs,
            description,
            location,
            collection,
            len(hrefs),
            *hrefs,
            *propstats,
        )

    def _shared_names(self, tags: tuple[str, ...]) -> tuple[str, ...]:
        """The names of a ``<d:prop>``'s properties, interned, as one tuple that later
        propstats naming the same properties share. Remembered by their number, which is
        cheaper than hashing them: a listing names the same few in every propstat (seven
        live properties in one, Davdesk's kept mtime in the other)."""
        if len(self._names) >= _SHARED_VALUES:
            self._names.clear()
        names = self._names[len(tags)] = tuple(map(sys.intern, tags))
        return names

    def _element_values(
        self, kids: list[etree._Element], texts: tuple[str | None, ...]
    ) -> tuple[tuple[str | None, ...], bool]:
        """The texts with each value that has element content serialized; whether one of
        them is a resourcetype naming a collection."""
        values = list(texts)
        collection = False
        for at, prop in enumerate(kids):
            if len(prop):
                values[at] = self._xml(prop)
                if prop.tag == _RESOURCETYPE:
                    collection = any(c.tag == _COLLECTION for c in prop)
        return tuple(values), collection

    def _xml(self, prop: etree._Element) -> str:
        """A property value with element content: its children serialized.

        Each child carries its own namespace declarations, so the value parses
        once wrapped in any element. Listings repeat one supportedlock on every
        entry: keyed by the element's own serialization (one lxml call instead
        of one per child), the value is built once and shared, which also keeps
        100,000 copies of it out of memory.
        """
        key = etree.tostring(prop, encoding=str, with_tail=False)
        value = self._shared.get(key)
        if value is None:
            if len(self._shared) >= _SHARED_VALUES:
                self._shared.clear()
            children = "".join(etree.tostring(c, encoding=str) for c in prop)
            value = self._shared[key] = ((prop.text or "") + children).strip()
        return value

    def _conditions(self, elem: etree._Element) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Condition names of a ``<d:error>`` and the paths they name."""
        names: list[str] = []
        hrefs: list[str] = []
        for condition in elem:
            tag = str(condition.tag)
            names.append(tag[6:] if tag.startswith("{DAV:}") else tag)
            hrefs.extend(self._path(h.text) for h in condition if h.tag == _HREF)
        return tuple(names), tuple(hrefs)


def parse(body: bytes | Iterable[bytes], base_url: str) -> MultiStatus:
    """Parse a whole 207 body; `iter_parse` when the responses need not be kept."""
    parser = MultiStatusParser(base_url)
    records: list[Record] = []
    for chunk in (bytes(body),) if isinstance(body, bytes | bytearray | memoryview) else body:
        records += parser.feed_records(chunk)
    records += parser.close_records()
    return MultiStatus(Responses(records), parser.description, parser.sync_token)


def iter_parse(chunks: Iterable[bytes], base_url: str) -> Iterator[Response]:
    """Yield each response as soon as its end tag has arrived.

    Raises `MultiStatusError` when the body turns out broken, possibly after
    having yielded the responses before the break.
    """
    parser = MultiStatusParser(base_url)
    for chunk in chunks:
        yield from parser.feed(chunk)
    yield from parser.close()


#: A property's name and text, read by C iterators over a <d:prop>'s children.
_TAG = attrgetter("tag")
_TEXT = attrgetter("text")
_NO_STATUS: tuple[int | None, str] = (None, "")


@lru_cache(maxsize=256)
def _status_line(text: str | None) -> tuple[int | None, str]:
    """Code and reason of "HTTP/1.1 423 Locked", "HTTP/2 204", "HTTP/1.1 200", "207".

    A line without a code keeps its text as the reason, so nothing the server
    said is lost. Apache writes "(status)" where it has no phrase for a code
    (quirks.PLACEHOLDER_REASON): that placeholder gives way to the standard phrase.
    """
    if text is None:
        return None, ""
    match = _STATUS_LINE.fullmatch(text)
    if match is None:
        return None, text.strip()
    status = int(match[1])
    reason = match[2]
    if not reason or reason == "(status)":
        reason = reason_phrase(status)
    return status, reason


def _text(elem: etree._Element) -> str | None:
    """Text content, stripped of layout; None when there is none."""
    text = elem.text if len(elem) == 0 else "".join(elem.itertext())
    return (text or "").strip() or None
