"""The values a parsed 207 body is made of: `Response`, `PropStat`, `MultiStatus`.

A response is kept as one flat tuple of strings, numbers and None (its
*record*, laid out below), and `Response` is a read-only view of such a tuple.
Flat, because the garbage collector stops tracking a tuple that holds only
such values the first time it looks at it, but keeps tracking any tuple
subclass and any tuple that holds another tracked container. A 100,000-entry
listing kept by `parse` is then 100,000 untracked records, not half a million
tracked objects that every full collection walks again (and pauses of the
collector, which would stop it for the whole process, are not needed). The
same layout also takes a third of the memory of a dict per propstat.

Record layout (`multistatus.MultiStatusParser._response` writes it):

    status, reason, error, error_hrefs, description, location, is_collection,
    number of hrefs, the hrefs...,
    then per propstat: status, reason, error, description, number of
    properties n, their n names (interned), their n texts (None for an empty
    element).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple, overload

#: Where the hrefs begin in a record; the count of hrefs is just before them.
_HREFS = 8
#: Fields of a propstat before its names: status, reason, error, description, count.
_PROPSTAT_HEAD = 5

Record = tuple[Any, ...]


class PropStat(NamedTuple):
    """One ``<d:propstat>``: properties that share a status."""

    status: int | None
    reason: str
    props: dict[str, str]
    error: tuple[str, ...] = ()
    description: str | None = None


#: An empty element's text: "" for None, any other text itself (dict.get's default).
_EMPTY_FOR_NONE = {None: ""}.get


class Response(tuple[Any, ...]):
    """One ``<d:response>``: the status of one or more resources, or their propstats.

    Immutable, compared and hashed as its record. Built from a record in one C
    call (`as_response`); the propstats and the property dicts are built when
    asked for, each time anew, so callers may keep or change what they get.
    """

    __slots__ = ()

    @property
    def status(self) -> int | None:
        """The response's own status (the status form: a member a DELETE could not remove)."""
        return self[0]  # type: ignore[no-any-return]

    @property
    def reason(self) -> str:
        return self[1]  # type: ignore[no-any-return]

    @property
    def error(self) -> tuple[str, ...]:
        """Condition names of the response's ``<d:error>`` (DAV: ones without the namespace)."""
        return self[2]  # type: ignore[no-any-return]

    @property
    def error_hrefs(self) -> tuple[str, ...]:
        """The paths those conditions name (e.g. the locked resource)."""
        return self[3]  # type: ignore[no-any-return]

    @property
    def description(self) -> str | None:
        return self[4]  # type: ignore[no-any-return]

    @property
    def location(self) -> str | None:
        return self[5]  # type: ignore[no-any-return]

    @property
    def is_collection(self) -> bool:
        """Whether a 2xx propstat's resourcetype names a collection."""
        return self[6]  # type: ignore[no-any-return]

    @property
    def hrefs(self) -> tuple[str, ...]:
        """The decoded paths the response is about, usually one."""
        return self[_HREFS : _HREFS + self[_HREFS - 1]]

    @property
    def href(self) -> str:
        """The first (usually only) path; "" for a response that named none."""
        return self[_HREFS] if self[_HREFS - 1] else ""

    @property
    def propstats(self) -> tuple[PropStat, ...]:
        """Every ``<d:propstat>``, in the order the server sent them."""
        return tuple(
            PropStat(self[at], self[at + 1], self._props_at(at), self[at + 2], self[at + 3])
            for at in self._propstat_offsets()
        )

    def props(self) -> dict[str, str]:
        """The properties the server returned: those of every 2xx propstat.

        Walked inline rather than through `_propstat_offsets`: a listing asks
        this of every entry, and a listing's entry has one 2xx propstat, whose
        dict is then the answer as it is.
        """
        merged: dict[str, str] | None = None
        at, end = _HREFS + self[_HREFS - 1], len(self)
        while at < end:
            status, count = self[at], self[at + 4]
            if status is not None and 200 <= status < 300:
                names = at + _PROPSTAT_HEAD
                values = self[names + count : names + 2 * count]
                found = dict(
                    zip(
                        self[names : names + count],
                        map(_EMPTY_FOR_NONE, values, values),
                        strict=True,
                    )
                )
                if merged is None:
                    merged = found
                else:
                    merged.update(found)
            at += _PROPSTAT_HEAD + 2 * count
        return {} if merged is None else merged

    def _propstat_offsets(self) -> Iterator[int]:
        at, end = _HREFS + self[_HREFS - 1], len(self)
        while at < end:
            yield at
            at += _PROPSTAT_HEAD + 2 * self[at + 4]

    def _props_at(self, at: int) -> dict[str, str]:
        count = self[at + 4]
        names = at + _PROPSTAT_HEAD
        values = self[names + count : names + 2 * count]
        texts = map(_EMPTY_FOR_NONE, values, values)
        return dict(zip(self[names : names + count], texts, strict=True))

    def __repr__(self) -> str:
        return (
            f"Response(hrefs={self.hrefs!r}, status={self.status!r}, "
            f"reason={self.reason!r}, propstats={self.propstats!r}, error={self.error!r}, "
            f"error_hrefs={self.error_hrefs!r}, description={self.description!r}, "
            f"location={self.location!r}, is_collection={self.is_collection!r})"
        )


class PropReader:
    """Reads the texts of the same few properties from many responses, without a dict.

    A listing's entries name the same properties in the same order, so where each
    sits among a 2xx propstat's names is found once per distinct list of names
    and read by index after that. Used where a listing's entries are turned into
    lines one after the other (`ls --json`): building each entry's property dict
    and Resource cost more than the parse of it.
    """

    __slots__ = ("_at", "_names", "_refused")

    def __init__(self, names: tuple[str, ...], refused: tuple[str, ...] = ()) -> None:
        if len(names) < 2:  # an itemgetter of one index gives the value, not a tuple
            raise ValueError("a PropReader reads two properties or more")
        self._names = names
        self._refused = refused
        #: A propstat's names -> what picks our texts out of its texts, or None for
        #: names that the quick reading cannot answer.
        self._at: dict[tuple[str, ...], itemgetter[Any] | None] = {}

    def __call__(self, response: Response) -> tuple[str | None, ...] | None:
        """The texts of the names, in their order (None for a property not there or empty,
        as `props()` gives "" for it), when the response has exactly one 2xx propstat that
        names no refused property and no property twice; None otherwise, for the caller
        to read `props()` instead."""
        found = _HREFS + response[_HREFS - 1]
        status = response[found] if len(response) > found else None
        if (
            status is None  # no propstat, or one without a status
            or not 200 <= status < 300
            or len(response) != found + _PROPSTAT_HEAD + 2 * response[found + 4]  # several
        ):
            found = self._sole_success(response)
            if found < 0:
                return None
        count = response[found + 4]
        names = found + _PROPSTAT_HEAD
        key = response[names : names + count]
        read = self._at.get(key, _UNSEEN)
        if read is _UNSEEN:
            read = self._at[key] = self._reader(key)
        if read is None:
            return None
        # The texts, and a None after them for the names this propstat lacks.
        return read(response[names + count : names + 2 * count] + _ABSENT)  # type: ignore[no-any-return]

    @staticmethod
    def _sole_success(response: Response) -> int:
        """Where the response's one 2xx propstat begins; -1 for none or several (props()
        merges several)."""
        at, end = _HREFS + response[_HREFS - 1], len(response)
        found = -1
        while at < end:
            status = response[at]
            if status is not None and 200 <= status < 300:
                if found >= 0:
                    return -1
                found = at
            at += _PROPSTAT_HEAD + 2 * response[at + 4]
        return found

    def _reader(self, names: tuple[str, ...]) -> itemgetter[Any] | None:
        if len(set(names)) != len(names) or any(name in names for name in self._refused):
            return None
        if len(self._at) >= _SHARED_NAME_LISTS:
            self._at.clear()
        return itemgetter(*(names.index(n) if n in names else len(names) for n in self._names))


#: Distinct lists of names a PropReader remembers (a listing has one or two).
_SHARED_NAME_LISTS = 64
_UNSEEN: Any = object()
_ABSENT = (None,)


#: A record as a Response: one C call, no Python frame.
as_response = partial(tuple.__new__, Response)


class Responses(Sequence[Response]):
    """The responses of a whole body: records kept, `Response` views handed out.

    Equal to any sequence of equal responses (a list that `iter_parse` gave, say).
    """

    __slots__ = ("_records",)

    def __init__(self, records: list[Record]) -> None:
        self._records = records

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, index: int) -> Response: ...

    @overload
    def __getitem__(self, index: slice) -> list[Response]: ...

    def __getitem__(self, index: int | slice) -> Response | list[Response]:
        if isinstance(index, slice):
            return list(map(as_response, self._records[index]))
        return as_response(self._records[index])

    def __iter__(self) -> Iterator[Response]:
        return map(as_response, self._records)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Responses):
            return self._records == other._records
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return len(other) == len(self._records) and all(
                mine == theirs for mine, theirs in zip(self._records, other, strict=True)
            )
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Responses({list(self)!r})"


@dataclass(frozen=True, slots=True)
class MultiStatus:
    """A whole 207 body."""

    responses: Sequence[Response]
    description: str | None = None
    sync_token: str | None = None
