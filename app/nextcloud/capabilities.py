"""OCS capabilities: which WebDAV extensions this Nextcloud has, as ServerExtensions.

Fetched once per connection, authenticated (an anonymous request gets only
the public part). Older servers leave out what they do not have: a missing
entry means "not offered", never an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from app.dav import DavClient
from app.dav.bulk import BulkUploads
from app.dav.extensions import DEFAULT_CHUNK, ChunkedUploads, NameRules, ServerExtensions
from app.dav.xmlbodies import NEXTCLOUD_PROPS
from app.nextcloud import ocs

#: What Nextcloud refuses where its capabilities list no rules (before version 30):
#: the defaults its own web client applies.
_LEGACY_NAMES = NameRules.of(names=[".htaccess"], characters=["\\", "/"])
#: Depth 1 listings are asked for in pages of this many where the server paginates.
PAGE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class Capabilities:
    version: str | None
    chunking: bool
    chunk_max_size: int | None
    checksum_types: tuple[str, ...]
    names: NameRules
    trash_bin: bool
    bulk_upload: bool = False
    #: files.chunked_upload.max_parallel_count: chunks of one file sent at once.
    chunk_parallel: int = 1

    @property
    def checksum(self) -> str:
        """SHA-256 where the server lists it, else MD5 (which every Nextcloud stores)."""
        return "SHA256" if "SHA256" in self.checksum_types else "MD5"

    def extensions(
        self, uploads_path: str, *, paginate: bool, bulk: BulkUploads | None = None
    ) -> ServerExtensions:
        """bulk: where the account's bulk endpoint is; used when the server offers it."""
        chunked = None
        if self.chunking:
            chunked = ChunkedUploads(
                uploads_path,
                chunk_size=self.chunk_max_size or DEFAULT_CHUNK,
                parallel=self.chunk_parallel,
            )
        return replace(
            listing_extensions(paginate=paginate),
            chunked=chunked,
            checksum=self.checksum,
            names=self.names,
            bulk=bulk if self.bulk_upload else None,
        )


def listing_extensions(*, paginate: bool) -> ServerExtensions:
    """What a Nextcloud's client lists with, known before its capabilities are (none of it is
    in them): Nextcloud's properties, pages where OPTIONS offers them, folder ETags that
    change with anything below."""
    return ServerExtensions(
        extra_props=NEXTCLOUD_PROPS,
        page_size=PAGE_SIZE if paginate else None,
        folder_etags=True,
    )


def fetch(client: DavClient, root_path: str, *, session: bool = True) -> Capabilities:
    """session=False: outside the client's session (Transport.request)."""
    data = ocs.call(client, "GET", f"{root_path}ocs/v1.php/cloud/capabilities", session=session)
    return parse(data if isinstance(data, Mapping) else {})


def parse(data: Mapping[str, Any]) -> Capabilities:
    """The capabilities document's ``data``: {"version": {...}, "capabilities": {...}}."""
    caps = _mapping(data.get("capabilities"))
    files = _mapping(caps.get("files"))
    dav = _mapping(caps.get("dav"))
    chunked = _mapping(files.get("chunked_upload"))
    checksums = _mapping(caps.get("checksums"))
    version = _mapping(data.get("version")).get("string")
    max_size = chunked.get("max_size")
    types = [str(t).upper().replace("-", "") for t in _list(checksums.get("supportedTypes"))]
    preferred = checksums.get("preferredUploadType")
    if isinstance(preferred, str) and preferred:
        types.append(preferred.upper().replace("-", ""))
    return Capabilities(
        version=str(version) if version else None,
        # dav.chunking is chunked upload v2 ("1.0"); files.bigfilechunking only speaks of
        # the old v1 protocol, which Davdesk does not use.
        chunking=_version_at_least(dav.get("chunking"), (1, 0)),
        chunk_max_size=max_size if isinstance(max_size, int) and max_size > 0 else None,
        checksum_types=tuple(dict.fromkeys(types)),
        names=_name_rules(files),
        trash_bin=files.get("undelete") is True,
        bulk_upload=_version_at_least(dav.get("bulkupload"), (1, 0)),
        chunk_parallel=_positive(chunked.get("max_parallel_count"), default=1),
    )


def _positive(value: Any, *, default: int) -> int:
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default
    )


def _name_rules(files: Mapping[str, Any]) -> NameRules:
    keys = (
        "forbidden_filenames",
        "blacklisted_files",
        "forbidden_filename_basenames",
        "forbidden_filename_characters",
        "forbidden_filename_extensions",
    )
    if not any(key in files for key in keys):
        return _LEGACY_NAMES
    return NameRules.of(
        names=[
            *_strings(files.get("forbidden_filenames")),
            *_strings(files.get("blacklisted_files")),
        ],
        basenames=_strings(files.get("forbidden_filename_basenames")),
        characters=_strings(files.get("forbidden_filename_characters")),
        extensions=_strings(files.get("forbidden_filename_extensions")),
    )


def _version_at_least(value: Any, least: tuple[int, ...]) -> bool:
    try:
        return tuple(int(part) for part in str(value).split(".")) >= least
    except ValueError:
        return False


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [item for item in _list(value) if isinstance(item, str) and item]
