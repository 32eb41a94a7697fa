"""Names: the conflict copy's, and those a WebDAV server would refuse."""

from __future__ import annotations

from collections.abc import Container
from datetime import datetime

from app.jobs.naming import name_key

#: Longest name, in UTF-8 bytes, that common server file systems store (ext4, NTFS, APFS: 255).
MAX_NAME_BYTES = 255


def conflict_name(name: str, when: datetime, taken: Container[str] = ()) -> str:
    """ "report.pdf" -> "report (conflict 2024-05-01 1432).pdf"; "(2)" etc. if that is taken."""
    dot = name.rfind(".")
    stem, ext = (name[:dot], name[dot:]) if dot > 0 else (name, "")
    label = f"conflict {when:%Y-%m-%d %H%M}"
    candidate = f"{stem} ({label}){ext}"
    number = 2
    while name_key(candidate) in taken:
        candidate = f"{stem} ({label} {number}){ext}"
        number += 1
    return candidate


def refused_by_server(name: str) -> str | None:
    """Why a server would refuse to store a file of this name, or None.

    Control characters are not allowed in a URL path by most servers (and
    Apache answers 400), a name undecodable as UTF-8 cannot be sent as an
    IRI at all, and over-long names fail on the server's disk after the
    whole body has been sent. Reported before the upload, with the other
    Outcomes, rather than as a late failure.
    """
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "contains a control character"
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid UTF-8"
    if len(encoded) > MAX_NAME_BYTES:
        return f"is longer than {MAX_NAME_BYTES} bytes"
    return None
