"""What the hostile-server tests share: the attacks, and the checks that nothing leaked.

Every test arms a HostileServer with one attack, runs one front end or layer
against it (the client, a job, `davdesk get`, `davdesk sync`) and then checks
the same things: the secret file was never read, no DTD was fetched, the
hostile body was given up on early and quickly, and nothing was written
outside the folder the user chose.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from app.dav.listing import PREFETCH
from app.dav.multistatus import RESPONSE_BYTES_LIMIT
from tests.servers.hostile_server import (
    SOCKET_BUFFER,
    HostileServer,
    billion_laughs,
    deep_nesting,
    external_dtd,
    invalid_utf8,
    xxe,
)

SHARE = "/share/"
SECRET = "TOP-SECRET-CONTENT"
#: A parse of a hostile body must end within this, whatever the body.
PROMPT = 5.0
#: How much of a 50 MB body may leave the server before the client gives up on it, counted
#: in bytes, not in when a parser notices: what the client reads (the parser's cap on a body
#: without a complete response, or a parallel listing's prefetch before parsing, whichever
#: is larger, then a slice and a network read more), plus what the two fixed socket buffers
#: hold (each doubled by the kernel), plus the answer's head.
READ_AT_MOST = max(RESPONSE_BYTES_LIMIT, PREFETCH) + 2 * 64 * 1024 + 4 * SOCKET_BUFFER + 4096

ATTACKS = [
    "external entity",
    "billion laughs",
    "network DTD",
    "file DTD",
    "invalid UTF-8",
    "50 MB nesting",
]

HOSTILE_HREFS = {
    "climbs with ..": "/share/../../escaped.txt",
    "climbs with encoded ..%2F": "/share/..%2F..%2Fescaped-encoded.txt",
    "absolute path elsewhere": "/etc/passwd",
    "another host": "http://evil.example/share/other-host.txt",
    "backslashes": "/share/..%5C..%5Cbackslash.txt",
    "NUL": "/share/nul%00byte.txt",
    "control character": "/share/bell%07.txt",
    "a dot folder": "/share/./",
    "the parent as a member": "/share/../",
    "empty name": "/share//",
}
#: Not valid on Windows (or shown oddly by macOS Finder), but ordinary names on this system.
PORTABLE_HERE = {
    "reserved on Windows": "CON",
    "reserved with extension": "aux.txt",
    "colon": "a%3Ab.txt",
    "angle brackets": "%3Cb%3E.txt",
    "question mark": "why%3F.txt",
    "star": "star%2A.txt",
    "pipe": "pi%7Cpe.txt",
    "quote": "quo%22te.txt",
    "trailing dot": "dot.",
    "trailing space": "space%20",
}
#: The hrefs of HOSTILE_HREFS that survive as members of SHARE, and must be refused locally.
REFUSED_HERE = ["/share/..\\..\\backslash.txt", "/share/nul\x00byte.txt", "/share/bell\x07.txt"]


def arm(
    server: HostileServer,
    attack: str,
    method: str,
    secret: Path,
    tmp_path: Path,
    depth: str | None = None,
) -> None:
    """Make server answer method on SHARE with the attack's 207 body (only for that Depth)."""
    if attack == "external entity":
        server.answer(method, SHARE, 207, xxe(SHARE, str(secret)), depth=depth)
    elif attack == "billion laughs":
        server.answer(method, SHARE, 207, billion_laughs(SHARE), depth=depth)
    elif attack == "network DTD":
        server.answer(method, SHARE, 207, external_dtd(SHARE, server.url + "evil.dtd"), depth=depth)
    elif attack == "file DTD":
        dtd = tmp_path / "evil.dtd"
        dtd.write_text(f'<!ENTITY xxe SYSTEM "file://{secret}">')
        server.answer(method, SHARE, 207, external_dtd(SHARE, f"file://{dtd}"), depth=depth)
    elif attack == "invalid UTF-8":
        server.answer(method, SHARE, 207, invalid_utf8(SHARE), depth=depth)
    else:
        chunks, length = deep_nesting(SHARE)
        server.answer(method, SHARE, 207, chunks, length=length, depth=depth)


def check_contained(server: HostileServer, message: str, started: float) -> None:
    """Nothing leaked, nothing fetched, bounded in time and in what was read."""
    assert SECRET not in message
    assert time.monotonic() - started < PROMPT
    assert not [s.path for s in server.seen() if "dtd" in s.path], "a DTD was fetched"
    read = max(s.sent for s in server.seen() if s.path == SHARE)
    assert read <= READ_AT_MOST, f"read {read} bytes of a hostile body"


def everything_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


class Unread:
    """Proof that local files were not read: their access times, set far back, stay there.

    The file system updates a file's atime when it is read after its last change
    (Linux's relatime does so too), so a read moves it forward.
    """

    def __init__(self, *paths: Path) -> None:
        self.paths = paths
        for path in paths:
            info = path.stat()
            os.utime(path, (info.st_mtime - 86_400, info.st_mtime))
        self._times = {path: path.stat().st_atime for path in paths}

    def check(self) -> None:
        read = [str(p) for p in self.paths if p.stat().st_atime != self._times[p]]
        assert not read, f"read: {read}"
