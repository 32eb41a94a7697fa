"""OC-Checksum: a digest of the uploaded bytes that Nextcloud stores with the file.

The server does not verify it; it keeps it (oc:checksums) so that other
clients can tell later whether the bytes they download are the bytes that
were uploaded.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from app.dav.transfer import CHUNK_SIZE

_HASHLIB_NAMES = {"SHA256": "sha256", "MD5": "md5", "SHA1": "sha1"}


def hasher(algorithm: str) -> Any:
    """A fresh hashlib object for an OC-Checksum algorithm name ("SHA256", "MD5", "SHA1")."""
    return hashlib.new(_HASHLIB_NAMES[algorithm.upper()])


def header_value(algorithm: str, digest: Any) -> str:
    """The OC-Checksum header: "SHA256:<hex>", as Nextcloud's own clients send it."""
    return f"{algorithm.upper()}:{digest.hexdigest()}"


def of_source(algorithm: str, source: Path | bytes) -> str:
    """The OC-Checksum of a whole upload body, read once before it is sent."""
    digest = hasher(algorithm)
    if isinstance(source, bytes):
        digest.update(source)
    else:
        with source.open("rb") as handle:
            while block := handle.read(CHUNK_SIZE):
                digest.update(block)
    return header_value(algorithm, digest)
