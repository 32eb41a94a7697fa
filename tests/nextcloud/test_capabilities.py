"""Capabilities documents, as Nextcloud versions send them, to the extensions Davdesk uses."""

from __future__ import annotations

from app.dav.extensions import DEFAULT_CHUNK
from app.dav.xmlbodies import NEXTCLOUD_PROPS
from app.nextcloud.capabilities import PAGE_SIZE, parse

NEXTCLOUD_30 = {
    "version": {"major": 30, "minor": 0, "micro": 4, "string": "30.0.4"},
    "capabilities": {
        "core": {"pollinterval": 60, "webdav-root": "remote.php/webdav"},
        "dav": {"chunking": "1.0", "bulkupload": "1.0"},
        "files": {
            "bigfilechunking": True,
            "blacklisted_files": [".htaccess"],
            "forbidden_filenames": [".htaccess"],
            "forbidden_filename_basenames": ["con", "nul"],
            "forbidden_filename_characters": ["<", ">", ":"],
            "forbidden_filename_extensions": [".part", ".filepart"],
            "chunked_upload": {"max_size": 104857600, "max_parallel_count": 5},
            "undelete": True,
        },
    },
}


def test_a_current_nextcloud() -> None:
    caps = parse(NEXTCLOUD_30)
    assert caps.version == "30.0.4"
    assert caps.chunking and caps.chunk_max_size == 100 * 1024 * 1024 and caps.trash_bin
    assert caps.checksum == "MD5"  # no checksums capability: MD5, which every Nextcloud keeps
    assert (
        caps.names.problem("CON.txt") and caps.names.problem("a:b") and caps.names.problem("x.part")
    )
    ext = caps.extensions("/remote.php/dav/uploads/alice/", paginate=True)
    assert ext.chunked is not None and ext.chunked.uploads == "/remote.php/dav/uploads/alice/"
    assert ext.chunked.chunk_size == 100 * 1024 * 1024
    assert ext.extra_props == NEXTCLOUD_PROPS and ext.page_size == PAGE_SIZE


def test_sha256_where_the_server_lists_it() -> None:
    doc = {
        "capabilities": {
            "checksums": {"supportedTypes": ["sha1", "SHA256"], "preferredUploadType": "SHA1"}
        }
    }
    assert parse(doc).checksum == "SHA256"
    assert parse({"capabilities": {"checksums": {"supportedTypes": ["SHA1"]}}}).checksum == "MD5"


def test_an_old_server_without_rules_or_chunking() -> None:
    caps = parse({"version": {"string": "25.0.0"}, "capabilities": {"files": {"undelete": True}}})
    assert not caps.chunking and caps.chunk_max_size is None
    assert caps.names.problem(".htaccess") and caps.names.problem("a\\b")
    ext = caps.extensions("/u/", paginate=False)
    assert ext.chunked is None and ext.page_size is None


def test_v1_big_file_chunking_alone_is_not_chunked_upload_v2() -> None:
    assert not parse({"capabilities": {"files": {"bigfilechunking": True}}}).chunking
    assert parse({"capabilities": {"dav": {"chunking": "1.1"}}}).chunking


def test_chunking_without_a_size_uses_the_default() -> None:
    caps = parse({"capabilities": {"dav": {"chunking": "1.0"}}})
    assert caps.extensions("/u/", paginate=False).chunked.chunk_size == DEFAULT_CHUNK


def test_garbage_is_no_capability() -> None:
    caps = parse({"capabilities": {"files": "nope", "dav": [], "checksums": None}})
    assert not caps.chunking and not caps.trash_bin and caps.checksum == "MD5"
