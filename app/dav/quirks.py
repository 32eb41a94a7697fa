"""What real servers do that the protocol does not promise: one name for each, in one place.

Each quirk says what the servers do, which servers do it, where Davdesk copes
with it, and the test that shows the behaviour against a server that has it (the
test servers: wsgidav, Apache mod_dav, the fake Nextcloud; a MockTransport
test where no test server does it). The code that copes refers to the quirk by
its name (``quirks.MKCOL_ON_EXISTING``), so a reader of either finds the other;
tests/dav/test_quirks.py checks that each name is referred to where ``handled``
says and that each test exists. docs/servers.md tells the same story for people.

A new quirk: a constant here, added to ALL; the reference in the code that copes;
a test against a server that shows it; its line in docs/servers.md.
"""

from __future__ import annotations

from dataclasses import dataclass

APACHE = "Apache mod_dav"
WSGIDAV = "wsgidav"
NEXTCLOUD = "Nextcloud"
NGINX = "nginx"


@dataclass(frozen=True, slots=True)
class Quirk:
    """One server behaviour the code has to cope with.

    handled: the module (a path under app/) whose code refers to the quirk by name;
    test: "tests/...py::test_name", the test that shows it.
    """

    what: str
    servers: tuple[str, ...]
    handled: str
    test: str


MKCOL_ON_EXISTING = Quirk(
    "MKCOL of a folder that exists answers 405 Method Not Allowed (a few servers 201); "
    "so does MKCOL of a file's name, which is not a folder",
    (APACHE, WSGIDAV, NEXTCLOUD),
    "app/dav/client.py",
    "tests/integration/dav/test_quirks.py::test_mkcol_on_an_existing_folder_is_405_and_done",
)

COLLECTION_REDIRECT = Quirk(
    "a folder's URL without its trailing slash answers 301 to the slashed URL "
    "(Apache for GET, PROPFIND, DELETE, MOVE and MKCOL; wsgidav for GET only)",
    (APACHE, WSGIDAV),
    "app/dav/transport.py",
    "tests/integration/dav/test_client.py::test_collection_without_trailing_slash_is_found",
)

WEAK_ETAG_OF_A_FRESH_FILE = Quirk(
    'a file changed within the last second has a weak ETag (W/"…"), strong later; '
    "If-Match with a weak ETag never matches (strong comparison)",
    (APACHE,),
    "app/dav/uploads.py",
    "tests/dav/test_client_edges.py::test_weak_etag_guard_compares_before_writing",
)

UNQUOTED_ETAG = Quirk(
    "ETags without their quotes: wsgidav's getetag, the etag of Nextcloud's bulk upload "
    "answer; the same version as the quoted form",
    (WSGIDAV, NEXTCLOUD),
    "app/dav/etags.py",
    "tests/dav/test_etags.py::test_what_servers_list_is_one_version_however_spelt",
)

LOCKED_MEMBER_ANSWERS = Quirk(
    "DELETE, MOVE or COPY of a folder with a locked member: Apache answers 424 with a "
    "multistatus and changes nothing; wsgidav's DELETE answers 207 naming the member and "
    "deletes the rest, its MOVE and COPY a bare 423 whose DAV:error names the member",
    (APACHE, WSGIDAV),
    "app/dav/members.py",
    "tests/integration/dav/test_client.py::test_delete_folder_with_locked_member_names_the_member",
)

HREF_ESCAPES_DIFFER = Quirk(
    "hrefs spell one path differently: Apache escapes in lower case and leaves &, + and ; "
    "raw; wsgidav escapes in upper case and everything; some servers send absolute URLs",
    (APACHE, WSGIDAV),
    "app/dav/hrefs.py",
    "tests/dav/test_multistatus.py::"
    "test_both_servers_name_the_same_paths_despite_different_escaping",
)

PLACEHOLDER_REASON = Quirk(
    'a status line without a reason phrase: Apache writes "HTTP/1.1 424 (status)" in a '
    "PROPPATCH's propstats",
    (APACHE,),
    "app/dav/multistatus.py",
    "tests/dav/test_multistatus.py::"
    "test_apache_proppatch_placeholder_reason_and_trimmed_descriptions",
)

PROPNAME_WITHOUT_PROPSTAT = Quirk(
    "PROPFIND <D:propname/> is answered with bare hrefs and no propstat (wsgidav 4 expects "
    "a non-standard <D:name/>): no property names at all",
    (WSGIDAV,),
    "app/dav/client.py",
    "tests/integration/dav/test_client.py::test_propfind_propname_and_named_properties",
)

DESTINATION_CUT_AT_SEMICOLON = Quirk(
    "a MOVE or COPY Destination naming a file with ; or ? is decoded, then parsed as a "
    "URL: the name is cut there, the resource lands under the cut-off name, and the "
    "answer is 201 as if all went well",
    (WSGIDAV,),
    "app/sync/job.py",
    "tests/integration/test_sync.py::test_an_edit_on_both_sides_keeps_both",
)

DELETE_SUCCESS_THAT_KEPT_THE_FOLDER = Quirk(
    "a DELETE of a folder answers 204 although the folder is still there",
    ("some servers",),
    "app/dav/client.py",
    "tests/dav/test_client_edges.py::"
    "test_collection_delete_that_removed_nothing_is_not_reported_ok",
)

LASTMODIFIED_IS_PROTECTED = Quirk(
    "getlastmodified cannot be set: PROPPATCH answers 409 (Apache) or 403 (wsgidav); "
    "the file's mtime is kept as the dead property {urn:davdesk}mtime",
    (APACHE, WSGIDAV),
    "app/dav/mtimes.py",
    "tests/jobs/test_operations.py::test_mtime_is_kept_both_ways",
)

MTIME_BY_HEADER = Quirk(
    "ownCloud and Nextcloud take an upload's mtime from X-OC-Mtime and answer "
    "X-OC-MTime: accepted; other servers ignore the header",
    (NEXTCLOUD,),
    "app/dav/mtimes.py",
    "tests/integration/nextcloud/test_fake_server.py::test_put_sets_the_mtime_from_x_oc_mtime",
)

SESSION_COOKIE_STANDS_IN = Quirk(
    "the session cookie an answer sets logs the next requests in without the password "
    "check (an account password's hash is costly): kept while the credentials stand, "
    "dropped when the user signs in again",
    (NEXTCLOUD,),
    "app/dav/transport.py",
    "tests/integration/nextcloud/test_files.py::test_signing_in_again_drops_the_old_session",
)

OCS_SESSION_FAILS_CSRF = Quirk(
    "the session an OCS request opens (its answer's cookie) logs in WebDAV GETs only: a "
    "PUT, MOVE, DELETE or PROPFIND that carries its cookie fails the CSRF check (401); a "
    "session a WebDAV request opened serves both",
    (NEXTCLOUD,),
    "app/nextcloud/connect.py",
    "tests/integration/nextcloud/test_fake_server.py::"
    "test_an_ocs_session_logs_in_dav_gets_but_not_other_methods",
)

TRANSIENT_FILE_LOCK = Quirk(
    "Nextcloud answers 423 while another request writes the file, naming its own "
    "FileLocked exception (s:exception): a lock that passes by itself, unlike a WebDAV lock",
    (NEXTCLOUD,),
    "app/dav/errors.py",
    "tests/dav/test_client_edges.py::"
    "test_nextclouds_transient_file_lock_is_retried_and_a_webdav_lock_is_not",
)

CHUNKED_BODY_STORED_EMPTY = Quirk(
    "a PUT sent with chunked transfer encoding is stored as an empty file (or refused); "
    "Expect: 100-continue is not answered by every server",
    ("some servers", NEXTCLOUD),
    "app/dav/transfer.py",
    "tests/dav/test_client_edges.py::test_put_sends_content_length_never_chunked_nor_expect",
)

DEPTH_INFINITY_REFUSED = Quirk(
    "PROPFIND with Depth: infinity is refused with 403 (DavDepthInfinity Off, the default)",
    (APACHE,),
    "app/dav/client.py",
    "tests/integration/test_servers.py::test_apache_refuses_depth_infinity",
)

FOLDER_ETAGS_PROPAGATE = Quirk(
    "a folder's ETag changes whenever anything below it changes, up to the root: "
    "one PROPFIND Depth 0 of a pair's root tells whether anything changed",
    (NEXTCLOUD,),
    "app/sync/background/poll.py",
    "tests/integration/nextcloud/test_fake_server.py::"
    "test_etags_change_on_every_write_and_up_to_the_root",
)

FOLDER_ETAG_IS_ITS_MTIME = Quirk(
    'a folder\'s ETag is "size-mtime" of its directory: it changes with its own entries, '
    "never for a change deeper down",
    (APACHE,),
    "app/sync/background/poll.py",
    "tests/integration/dav/test_quirks.py::test_apache_folder_etag_changes_only_with_its_own_entries",
)

FOLDERS_WITHOUT_ETAG = Quirk(
    "folders have no getetag at all (nginx's dav-ext module has no getetag for anything); "
    "wsgidav's files have a strong ETag without quotes",
    (WSGIDAV, NGINX),
    "app/sync/background/poll.py",
    "tests/integration/dav/test_quirks.py::test_wsgidav_folders_have_no_etag",
)

ALL = (
    MKCOL_ON_EXISTING,
    COLLECTION_REDIRECT,
    WEAK_ETAG_OF_A_FRESH_FILE,
    UNQUOTED_ETAG,
    LOCKED_MEMBER_ANSWERS,
    HREF_ESCAPES_DIFFER,
    PLACEHOLDER_REASON,
    PROPNAME_WITHOUT_PROPSTAT,
    DESTINATION_CUT_AT_SEMICOLON,
    DELETE_SUCCESS_THAT_KEPT_THE_FOLDER,
    LASTMODIFIED_IS_PROTECTED,
    MTIME_BY_HEADER,
    SESSION_COOKIE_STANDS_IN,
    OCS_SESSION_FAILS_CSRF,
    TRANSIENT_FILE_LOCK,
    CHUNKED_BODY_STORED_EMPTY,
    DEPTH_INFINITY_REFUSED,
    FOLDER_ETAGS_PROPAGATE,
    FOLDER_ETAG_IS_ITS_MTIME,
    FOLDERS_WITHOUT_ETAG,
)
