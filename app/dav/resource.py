"""Resource: one entry of a listing, the typed view of a PROPFIND response."""

from __future__ import annotations

import email.utils
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.dav.multistatus import Response
from app.dav.paths import basename
from app.dav.xmlbodies import (
    LOCKDISCOVERY,
    MTIME_PROP,
    NC,
    OC,
    ActiveLock,
    parse_lockdiscovery,
)

_D = "{DAV:}"
_CONTENT_LENGTH = f"{_D}getcontentlength"
_LAST_MODIFIED = f"{_D}getlastmodified"
_ETAG = f"{_D}getetag"
_CONTENT_TYPE = f"{_D}getcontenttype"


_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


#: Dates already parsed, by their text: the files of a folder share few distinct times (a
#: copy or an unpacked archive gives thousands the same second), and a dict lookup is a
#: tenth of a parse. Bounded: cleared when full. (Datetimes are immutable: safe to share
#: across threads; a lost insert under a race costs one parse again.)
_PARSED_DATES: dict[str, datetime | None] = {}
_PARSED_DATES_LIMIT = 4096


def parse_http_date(value: str | None) -> datetime | None:
    """getlastmodified is an RFC 1123 date; a server that sends garbage gets None, not an error."""
    if not value:
        return None
    try:
        return _PARSED_DATES[value]
    except KeyError:
        pass
    if len(_PARSED_DATES) >= _PARSED_DATES_LIMIT:
        _PARSED_DATES.clear()
    parsed = _PARSED_DATES[value] = _parse_http_date(value)
    return parsed


def _parse_http_date(value: str) -> datetime | None:
    """The fixed IMF-fixdate form ("Sun, 06 Nov 1994 08:49:37 GMT") that nearly every server
    sends is parsed by hand: a 100,000-entry listing spends most of its date time in
    email.utils otherwise. Other forms still go through email.utils.
    """
    parts = value.split()
    if len(parts) == 6 and parts[5] == "GMT" and parts[2] in _MONTHS and len(parts[4]) == 8:
        try:
            hour, minute, second = parts[4].split(":")
            return datetime(
                int(parts[3]),
                _MONTHS[parts[2]],
                int(parts[1]),
                int(hour),
                int(minute),
                int(second),
                tzinfo=UTC,
            )
        except ValueError:
            return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def int_or_none(value: str | None) -> int | None:
    """A number property's value; None for an empty, missing or garbled one."""
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Resource:
    """A file or folder as the server described it. Immutable: listings cross threads."""

    path: str
    is_dir: bool
    size: int | None
    modified: datetime | None
    etag: str | None
    content_type: str | None
    props: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def name(self) -> str:
        return basename(self.path)

    @property
    def locks(self) -> list[ActiveLock]:
        """The active locks the listing's lockdiscovery named (none where it was not asked)."""
        value = self.props.get(LOCKDISCOVERY, "")
        if "activelock" not in value:
            return []
        return parse_lockdiscovery(f"<lockdiscovery>{value}</lockdiscovery>".encode())

    @property
    def permissions(self) -> str | None:
        """Nextcloud's oc:permissions letters (D delete, N rename, V move, W write, C create
        files inside, K create folders inside, ...); None where the server has no such rules."""
        return self.props.get(f"{OC}permissions")

    def allows(self, letters: str) -> bool:
        """Whether every permission letter is granted; a server without permissions allows all."""
        granted = self.permissions
        return granted is None or all(letter in granted for letter in letters)

    @property
    def fileid(self) -> str | None:
        return self.props.get(f"{OC}fileid") or None

    @property
    def tree_size(self) -> int | None:
        """The bytes in a folder and everything under it (oc:size), or a file's size."""
        return int_or_none(self.props.get(f"{OC}size")) if self.is_dir else self.size

    @property
    def has_preview(self) -> bool:
        return self.props.get(f"{NC}has-preview", "").strip().lower() == "true"

    @property
    def kept_mtime(self) -> float | None:
        """The file's own modification time, as seconds since the epoch.

        getlastmodified is when the server stored the file; the time the file
        had on the machine it was uploaded from survives only in the dead
        property Davdesk sets when the server does not take X-OC-Mtime.
        """
        kept = int_or_none(self.props.get(MTIME_PROP))
        if kept is not None:
            return float(kept)
        return self.modified.timestamp() if self.modified else None

    @classmethod
    def from_response(cls, response: Response) -> Resource:
        props = response.props()
        is_dir = response.is_collection
        # Positional, with the property names made once: a listing makes 100,000 of these.
        return cls(
            response.href,
            is_dir,
            None if is_dir else int_or_none(props.get(_CONTENT_LENGTH)),
            parse_http_date(props.get(_LAST_MODIFIED)),
            props.get(_ETAG) or None,
            props.get(_CONTENT_TYPE) or None,
            props,
        )

    def to_json(self) -> dict[str, Any]:
        """The CLI's ls/stat line: plain JSON types only."""
        return {
            "name": self.name,
            "path": self.path,
            "is_dir": self.is_dir,
            "size": self.size,
            "modified": self.modified.isoformat() if self.modified else None,
            "etag": self.etag,
            "content_type": self.content_type,
            **(
                {
                    "fileid": self.fileid,
                    "permissions": self.permissions,
                    "tree_size": self.tree_size,
                    "has_preview": self.has_preview,
                }
                if self.permissions is not None
                else {}
            ),
        }
