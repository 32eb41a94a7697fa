"""What a server offers beyond RFC 4918, handed to the client as one immutable value.

Nextcloud extends WebDAV: chunked uploads into an uploads collection,
checksums stored with a file, rules for the names it accepts, extra
properties and paginated listings. The dav layer speaks these extensions;
whether a server has them is learnt above it (app.nextcloud reads the
server's capabilities), so the client never guesses from a URL. A plain
WebDAV server gets NO_EXTENSIONS and requests exactly as RFC 4918 has them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.dav.bulk import BulkUploads

MIB = 1024 * 1024
#: Nextcloud's chunking v2 refuses chunks under 5 MB (but the last) and numbers above 10,000.
MIN_CHUNK = 5 * MIB
MAX_CHUNKS = 10_000
DEFAULT_CHUNK = 10 * MIB


@dataclass(frozen=True, slots=True)
class ChunkedUploads:
    """Nextcloud's chunked upload v2: files above chunk_size go up in numbered chunks.

    uploads: the decoded server path of the user's uploads collection
    ("/remote.php/dav/uploads/alice/"). assembly_wait: how long to keep asking
    whether the server assembled a file whose final MOVE lost its answer
    (assembling gigabytes takes minutes) before sending the MOVE again.
    parallel: how many chunks of one file the server takes at once.
    """

    uploads: str
    chunk_size: int = DEFAULT_CHUNK
    assembly_wait: float = 300.0
    #: Chunks of one file sent at once (files.chunked_upload.max_parallel_count).
    parallel: int = 1

    def applies_to(self, size: int) -> bool:
        return size > self.chunk_size

    def chunk_size_for(self, size: int) -> int:
        """The chunk size for a file: the configured one, within the server's limits."""
        chunk = max(self.chunk_size, MIN_CHUNK)
        return max(chunk, -(-size // MAX_CHUNKS))


@dataclass(frozen=True, slots=True)
class NameRules:
    """The names a server refuses, matched the way Nextcloud's FilenameValidator matches them.

    Names, basenames and extensions compare case-insensitively; the basename
    is the part before the first dot after the first character (".bashrc"
    has no extension); an extension matches a name that ends with it and is
    longer than it.
    """

    names: frozenset[str] = frozenset()
    basenames: frozenset[str] = frozenset()
    characters: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        names: Iterable[str] = (),
        basenames: Iterable[str] = (),
        characters: Iterable[str] = (),
        extensions: Iterable[str] = (),
    ) -> NameRules:
        return cls(
            frozenset(n.lower() for n in names),
            frozenset(b.lower() for b in basenames),
            tuple(characters),
            tuple(e.lower() for e in extensions),
        )

    def problem(self, name: str) -> str | None:
        """Why the server would refuse this name, or None if it accepts it."""
        for character in self.characters:
            if character and character in name:
                return f"the server does not allow {character!r} in names"
        lowered = name.lower()
        if lowered in self.names:
            return f"the server does not allow files called {name!r}"
        dot = lowered.find(".", 1)
        stem = lowered if dot == -1 else lowered[:dot]
        if stem in self.basenames:
            return f"the server does not allow names starting {stem!r}"
        for extension in self.extensions:
            if len(lowered) > len(extension) and lowered.endswith(extension):
                return f"the server does not allow names ending {extension!r}"
        return None


@dataclass(frozen=True, slots=True)
class DaslSearch:
    """RFC 5323 SEARCH, as Nextcloud offers it: requests go to the arbiter (decoded path,
    "/remote.php/dav/"), and a scope is a folder's path relative to it: a path below
    files_root ("/remote.php/dav/files/alice/") becomes "/files/alice/..."."""

    arbiter: str
    files_root: str

    def covers(self, folder: str) -> bool:
        return (folder.rstrip("/") + "/").startswith(self.files_root)

    def scope_of(self, folder: str) -> str:
        return "/" + folder.rstrip("/")[len(self.arbiter) :].lstrip("/")


@dataclass(frozen=True, slots=True)
class ServerExtensions:
    """Which extensions a server has. Immutable: the client's worker threads share it.

    checksum: "SHA256" or "MD5", sent as OC-Checksum with every upload.
    extra_props: properties asked for in every listing besides the standard ones.
    page_size: ask for Depth 1 listings in pages of this many (X-NC-Paginate).
    bulk: small new files go up in batches (Nextcloud's bulk upload, app.dav.bulk).
    folder_etags: a folder's ETag changes whenever anything below it changes (Nextcloud's
    ETag propagation), so one Depth 0 request tells whether a tree changed at all.
    search: where names are found with one SEARCH request instead of a walk.
    """

    chunked: ChunkedUploads | None = None
    checksum: str | None = None
    names: NameRules | None = None
    extra_props: tuple[str, ...] = ()
    page_size: int | None = None
    bulk: BulkUploads | None = None
    folder_etags: bool = False
    search: DaslSearch | None = None


NO_EXTENSIONS = ServerExtensions()
